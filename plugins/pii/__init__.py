NAME = "pii"
