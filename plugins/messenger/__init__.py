"""The messenger plugin: org-chart based, real-time chat that never loses a message (see README.md)."""
NAME = "messenger"
