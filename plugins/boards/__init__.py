"""Boards: notices, information sharing, news and community boards, with comments, polls and media."""
NAME = "boards"
