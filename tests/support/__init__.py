"""Real services the tests start themselves (OpenLDAP slapd, ...), on loopback ports."""
