"""The co-editing plugin: several people edit one page at once; git names every co-author (see README.md)."""
NAME = "coedit"
