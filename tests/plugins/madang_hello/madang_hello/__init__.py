"""madang-hello: a third-party plugin (see plugin.py)."""
