"""The SSO launcher: one sign-in opens every business system a person may use (OIDC provider, CAS 3.0, links)."""
NAME = "launcher"
