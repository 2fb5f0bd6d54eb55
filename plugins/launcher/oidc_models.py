"""The objects Authlib's server side asks for (ClientMixin, AuthorizationCodeMixin, TokenMixin), over the registry
and the state-database rows."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin

from . import registry

SCOPES = ("openid", "profile", "email", "groups", "offline_access")


class Client(ClientMixin):
    def __init__(self, system: registry.System) -> None:
        self.system = system
        self.client_id = system.client_id

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.system.redirect_uris[0]

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return "openid"
        return " ".join(s for s in dict.fromkeys(scope.split()) if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.system.redirect_uris  # exact match, as OpenID Connect requires

    def check_client_secret(self, client_secret: str) -> bool:
        return registry.check_secret(self.client_id, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.system.public_client:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code" or (grant_type == "refresh_token" and self.system.refresh_tokens)


class Code(AuthorizationCodeMixin):
    def __init__(self, row) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return self.row.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Token(TokenMixin):
    def __init__(self, row, client: Client | None = None) -> None:
        self.row = row
        self.client = client

    def check_client(self, client: Client) -> bool:
        return client is not None and client.get_client_id() == self.row.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return self.row.expires_in

    def is_expired(self) -> bool:
        issued = self.row.issued if self.row.issued.tzinfo else self.row.issued.replace(tzinfo=UTC)
        return issued + timedelta(seconds=self.row.expires_in) <= datetime.now(UTC)

    def refresh_expired(self) -> bool:
        return self.row.refresh_expires is None or self.row.refresh_expires <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        return bool(self.row.access_revoked)

    def get_user(self):
        from wiki.api import core

        return core().accounts.get(self.row.username)

    def get_client(self) -> Client | None:
        return self.client
