"""The OpenID Connect provider, on Authlib's server side: discovery, JWKS, authorization code with PKCE (S256,
required), RS256 ID tokens, userinfo, revocation (RFC 7009), RP-initiated logout, refresh tokens per client.

The token, userinfo and revocation endpoints are machine-to-machine: marked `foreign_authorization`, their
`Authorization` header (client_secret_basic, Bearer access tokens this provider issued) is Authlib's business, not a
Madang API token, and they need no CSRF token."""
from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, session
from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import select, update

from wiki.api import core, current_user, foreign_authorization, person, plugin_settings, t

from . import NAME, keys, marks, registry, tokens
from .models import AuthCode, OAuthToken
from .oidc_models import SCOPES, Client, Code, Token
from .ui import error_page, sign_in_first

bp = Blueprint("launcher_oidc", __name__, template_folder="templates")
API = "/api/v1/launcher/oidc"
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


# -- settings and identity -------------------------------------------------------------------------------------------
def settings() -> dict:
    return plugin_settings(NAME)


def issuer() -> str:
    return (settings().get("issuer") or "").rstrip("/") or request.host_url.rstrip("/")


def now() -> datetime:
    return datetime.now(UTC)


def claims_of(user, scope: str) -> dict:
    """The person as relying parties see them: id, name, department and groups (org chart first)."""
    found = person(user.username) or {}
    out = {"sub": user.username, "name": found.get("name") or user.name, "preferred_username": user.username}
    wanted = set((scope or "").split())
    if "profile" in wanted or "openid" in wanted:
        out["department"] = found.get("department") or user.department or ""
    if "groups" in wanted or "profile" in wanted:
        out["groups"] = sorted(set(found.get("groups") or user.groups))
    if "email" in wanted:
        out["email"] = found.get("email") or user.email
    return out


def query_client(client_id: str) -> Client | None:
    system = registry.by_client_id(client_id or "")
    return Client(system) if system is not None else None


def save_token(token: dict, oauth_request) -> None:
    code = getattr(oauth_request, "authorization_code", None)
    old = getattr(oauth_request, "refresh_token", None)
    sid = code.row.sid if code is not None else (old.row.sid if old is not None else "")
    refresh = token.get("refresh_token")
    refresh_expires = now() + timedelta(days=settings()["refresh_token_days"]) if refresh else None
    with core().db.session() as db:
        db.add(OAuthToken(client_id=oauth_request.client.get_client_id(), username=oauth_request.user.username,
                          scope=token.get("scope", ""), access_hash=tokens.digest(token["access_token"]),
                          refresh_hash=tokens.digest(refresh) if refresh else None, sid=sid,
                          code_hash=code.row.code_hash if code is not None else "", issued=now(),
                          expires_in=int(token.get("expires_in") or 0) or 3600,
                          refresh_expires=refresh_expires))


def find_token(value: str, hint: str | None = None) -> Token | None:
    digest = tokens.digest(value)
    with core().db.session() as db:
        row = None
        if hint in (None, "access_token"):
            row = db.scalar(select(OAuthToken).where(OAuthToken.access_hash == digest))
        if row is None and hint in (None, "refresh_token"):
            row = db.scalar(select(OAuthToken).where(OAuthToken.refresh_hash == digest))
        if row is None:
            return None
        db.expunge(row)
    return Token(row, query_client(row.client_id))


def allowed(user, client: Client) -> bool:
    return user is not None and client.system.allows(user.principals)


# -- grants ------------------------------------------------------------------------------------------------------------
class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, oauth_request) -> None:
        data = oauth_request.payload.data
        with core().db.session() as db:
            db.add(AuthCode(code_hash=tokens.digest(code), client_id=oauth_request.client.get_client_id(),
                            username=oauth_request.user.username, redirect_uri=oauth_request.payload.redirect_uri or "",
                            scope=oauth_request.payload.scope or "", nonce=data.get("nonce"),
                            code_challenge=data.get("code_challenge"),
                            code_challenge_method=data.get("code_challenge_method"), sid=g.get("launcher_sid", ""),
                            auth_time=int(time.time()), used=False,
                            expires=now() + timedelta(seconds=settings()["code_seconds"])))

    def query_authorization_code(self, code: str, client: Client) -> Code:
        """Consumed at its first presentation (one UPDATE ... WHERE used = false: two racing redemptions cannot
        both win). A replayed code revokes what it bought (RFC 6749 §10.5)."""
        digest = tokens.digest(code)
        with core().db.session() as db:  # the session commits before any refusal is raised
            row = db.get(AuthCode, digest)
            if row is None or row.client_id != client.get_client_id():
                row, problem = None, "The code is unknown to this server, or was issued to another client."
            elif db.execute(update(AuthCode).where(AuthCode.code_hash == digest, AuthCode.used.is_(False))
                            .values(used=True)).rowcount != 1:
                db.execute(update(OAuthToken).where(OAuthToken.code_hash == digest)
                           .values(access_revoked=True, refresh_revoked=True))
                problem = "The code was used already: codes are single-use (the tokens it bought are revoked)."
            elif row.expires <= now():
                problem = f"The code has expired: codes live {settings()['code_seconds']} seconds."
            else:
                problem = ""
                db.expunge(row)
        if problem:
            raise InvalidGrantError(problem)
        return Code(row)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Nothing left to do: the code was consumed when it was presented."""

    def authenticate_user(self, authorization_code: Code):
        user = core().accounts.get(authorization_code.row.username)
        if not allowed(user, self.request.client):
            raise InvalidGrantError("The person may no longer use this system.")
        return user


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = find_token(refresh_token, "refresh_token")
        if token is None or token.row.refresh_revoked or token.refresh_expired():
            return None
        return token

    def authenticate_user(self, refresh_token: Token):
        user = core().accounts.get(refresh_token.row.username)
        return user if allowed(user, self.request.client) else None

    def revoke_old_credential(self, refresh_token: Token) -> None:
        with core().db.session() as db:
            db.execute(update(OAuthToken).where(OAuthToken.id == refresh_token.row.id)
                       .values(access_revoked=True, refresh_revoked=True))


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: Token, oauth_request) -> None:
        with core().db.session() as db:
            db.execute(update(OAuthToken).where(OAuthToken.id == token.row.id)
                       .values(access_revoked=True, refresh_revoked=True))


class S256Only(CodeChallenge):
    """PKCE for every client, S256 only (plain gives nothing over no PKCE)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri) -> None:
        from authlib.oauth2.rfc6749.errors import InvalidRequestError

        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        super().validate_code_challenge(grant, redirect_uri)


class IdToken(OpenIDCode):
    def _key(self):
        if "launcher_key" not in g:
            g.launcher_key = keys.current()
        return g.launcher_key

    def resolve_client_private_key(self, client):
        return self._key()

    def get_client_algorithm(self, client) -> str:
        return "RS256"

    def get_encode_header(self, client) -> dict:
        return {"alg": "RS256", "kid": self._key().kid, "typ": "JWT"}

    def get_client_claims(self, client) -> dict:
        return {"iss": issuer(), "aud": [client.get_client_id()], "exp": int(time.time()) + 3600}

    def get_authorization_code_claims(self, authorization_code: Code) -> dict:
        claims = super().get_authorization_code_claims(authorization_code)
        if authorization_code.row.sid:
            claims["sid"] = authorization_code.row.sid
        return claims

    def exists_nonce(self, nonce: str, oauth_request) -> bool:
        with core().db.session() as db:
            return db.scalar(select(AuthCode.code_hash).where(
                AuthCode.client_id == oauth_request.payload.client_id, AuthCode.nonce == nonce).limit(1)) is not None

    def generate_user_info(self, user, scope: str) -> UserInfo:
        return UserInfo(claims_of(user, scope))


class Server(AuthorizationServer):
    def handle_response(self, status_code, payload, headers):
        """OAuth's error shape, plus the `message` every Madang error carries."""
        if isinstance(payload, dict) and "error" in payload:
            payload = {**payload, "message": payload.get("error_description") or payload["error"]}
        return super().handle_response(status_code, payload, headers)


def _expires_in(client, grant_type) -> int:
    return int(settings()["access_token_seconds"])


def _build() -> Server:
    server = Server(query_client=query_client, save_token=save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        lambda **kw: generate_token(42), lambda **kw: generate_token(48), _expires_in))
    server.scopes_supported = list(SCOPES)
    server.register_grant(CodeGrant, [S256Only(required=True), IdToken(require_nonce=False)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    return server


SERVER = _build()


class AccessTokens(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        return find_token(token_string, "access_token")


# -- endpoints ---------------------------------------------------------------------------------------------------------
@bp.get("/.well-known/openid-configuration")
def discovery():
    base = issuer()
    return jsonify({
        "issuer": base, "authorization_endpoint": f"{base}/oidc/authorize", "token_endpoint": f"{base}{API}/token",
        "userinfo_endpoint": f"{base}{API}/userinfo", "jwks_uri": f"{base}/oidc/jwks.json",
        "revocation_endpoint": f"{base}{API}/revoke", "end_session_endpoint": f"{base}/oidc/logout",
        "response_types_supported": ["code"], "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": list(SCOPES),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS, "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "preferred_username", "department", "groups", "email", "sid", "nonce",
                             "auth_time"],
        "backchannel_logout_supported": True, "backchannel_logout_session_supported": True,
        "cas_login_url": f"{base}/cas/login"})


@bp.get("/oidc/jwks.json")
def jwks():
    response = jsonify(keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def launcher_sid() -> str:
    """The `sid` of this Madang session, told to relying parties (back-channel logout names it)."""
    if "launcher_sid" not in session:
        session["launcher_sid"] = secrets.token_urlsafe(16)
    return session["launcher_sid"]


@bp.get("/oidc/authorize")
def authorize():
    system = registry.by_client_id(request.args.get("client_id", ""))
    if system is None:
        return error_page(t("launcher.unknown_client"), 400)
    redirect_uri = request.args.get("redirect_uri", "")
    if redirect_uri and redirect_uri not in system.redirect_uris:
        return error_page(t("launcher.bad_redirect", uri=redirect_uri[:300]), 400)
    who = current_user()
    if who is None:
        if request.args.get("prompt") == "none" and redirect_uri:
            return redirect(redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(
                {"error": "login_required", **({"state": request.args["state"]} if "state" in request.args else {})}))
        return sign_in_first()
    if not system.allows(who.principals):
        return error_page(t("launcher.not_allowed", name=system.name), 403)
    try:
        grant = SERVER.get_consent_grant(end_user=who)
    except OAuth2Error as error:
        return error_page(t("launcher.bad_request", why=error.description or error.error), 400)
    g.launcher_sid = launcher_sid()
    tokens.sweep()
    response = SERVER.create_authorization_response(grant_user=who, grant=grant)
    if "code=" in response.headers.get("Location", ""):
        marks.opened(who.username, system, "oidc")
        tokens.open_session(who.username, system.id, "oidc", sid=g.launcher_sid)
    return response


@bp.post(f"{API}/token")
@foreign_authorization
def token():
    return SERVER.create_token_response()


@bp.post(f"{API}/revoke")
@foreign_authorization
def revoke():
    return SERVER.create_endpoint_response(Revocation.ENDPOINT_NAME)


@bp.route(f"{API}/userinfo", methods=["GET", "POST"])
@foreign_authorization
def userinfo():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    found = find_token(value.strip(), "access_token") if scheme.lower() == "bearer" and value.strip() else None
    try:
        AccessTokens().validate_token(found, ["openid"], request)
    except OAuth2Error as error:
        answer = jsonify({"error": "invalid_token", "message": "The access token is unknown, expired or revoked.",
                          "error_description": error.description or "invalid token"})
        answer.status_code = 401
        answer.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return answer
    user = found.get_user()
    if user is None or found.client is None or not allowed(user, found.client):
        return jsonify({"error": "forbidden", "message": "The person may no longer use this system."}), 403
    return jsonify(claims_of(user, found.get_scope()))


def verified_hint(hint: str) -> dict | None:
    """The claims of an ID token we signed (expired ones too: logout comes late), or None."""
    try:
        decoded = jwt.decode(hint, keys.published(), algorithms=["RS256"])
    except (JoseError, ValueError):
        return None
    return decoded.claims


@bp.get("/oidc/logout")
def end_session():
    """RP-initiated logout: ends the person's session with that system (its tokens revoked) and goes back to a
    registered post_logout_redirect_uri; without one, a page offers to sign out of Madang too."""
    hint = request.args.get("id_token_hint", "")
    claims = verified_hint(hint) if hint else None
    if hint and claims is None:
        return error_page(t("launcher.bad_request", why="id_token_hint is not an ID token this server signed"), 400)
    client_id = request.args.get("client_id") or ""
    if claims is not None:
        audience = claims.get("aud")
        audience = audience[0] if isinstance(audience, list) and audience else audience
        if client_id and client_id != audience:
            return error_page(t("launcher.bad_request", why="client_id does not match id_token_hint"), 400)
        client_id = audience or ""
    system = registry.by_client_id(client_id) if client_id else None
    target = request.args.get("post_logout_redirect_uri", "")
    if target:
        if system is None:
            return error_page(t("launcher.bad_request", why="post_logout_redirect_uri needs client_id or "
                                                             "id_token_hint"), 400)
        if target not in (system.post_logout_redirect_uris or (system.url,)):
            return error_page(t("launcher.bad_redirect", uri=target[:300]), 400)
    who = current_user()
    if who is not None and system is not None:
        tokens.end_sessions(who.username, system.id)
    if target:
        state = request.args.get("state")
        return redirect(target + (("&" if "?" in target else "?") + urlencode({"state": state}) if state else ""))
    return Response(render_template("launcher/signed_out.html", back=None), mimetype="text/html")
