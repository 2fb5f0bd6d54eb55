"""Built-in portal plugins (search, boards, messenger, launcher) live here, one package each."""
