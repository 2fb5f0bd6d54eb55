"""Screens for signed-in staff: settings (profile, preferences, API tokens, sign out everywhere), the org chart
with search, and a colleague's profile with their recent edits.

The org chart and profiles are for signed-in staff only: names, phones and e-mail addresses of the staff are not
for anonymous visitors (an anonymous person is sent to sign in; the API answers 401). Recent edits on a profile
are filtered by the viewer's permissions like /changes.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import people
from ..auth import Principal
from ..directory import DirectoryUnavailable
from ..errors import InvalidInput, MadangError, NotFound, RateLimited, Unauthorized
from ..paths import attachment_from_file, page_from_file
from ..preferences import DEFAULTS, Preferences, UserPreferences, timezone_choices
from . import accounts_words, i18n  # noqa: F401  (accounts_words adds the words to the catalog)
from .context import core, signed_out, user
from .i18n import t

bp = Blueprint("accounts", __name__)

SEARCH_LIMIT = 100
INLINE_PEOPLE = 300  # up to this many people, the tree lists everyone; above, a department's page does


def register(app: Flask) -> None:
    app.extensions[i18n.PREFERRED_LANGUAGE] = preferred_language
    app.register_blueprint(bp)


# -- helpers the rest of the web layer uses --------------------------------------------------------------------
def preferences() -> UserPreferences:
    """The signed-in person's preferences, read once a request (defaults for anonymous visitors)."""
    who = g.get("user")
    if who is None or who.user_id is None:
        return DEFAULTS
    cached = g.get("madang_preferences")
    if cached is None:
        cached = g.madang_preferences = Preferences(core().db).get(who.user_id)
    return cached


def preferred_language() -> str | None:
    return preferences().language or None


def language_after_sign_in(principal: Principal, current: str | None) -> str | None:
    """A saved language preference wins at sign-in; without one, the language chosen before signing in stays."""
    return Preferences(core().db).get(principal.user_id).language or current


def sign_in_failure(exc: MadangError, target: str, username: str):
    """The sign-in form again, saying why: wrong password, locked for a while, directory down, too long."""
    retry = None
    if isinstance(exc, RateLimited):
        retry = max(1, int(exc.extra.get("retry_after") or 60))
        message = t("signin.locked", minutes=max(1, math.ceil(retry / 60)))
    elif isinstance(exc, DirectoryUnavailable):
        message = t("signin.directory_down")
    elif isinstance(exc, InvalidInput):
        message = t("signin.too_long")
    elif isinstance(exc, Unauthorized):
        message = t("login.failed")
    else:
        raise exc
    response = make_response(render_template("login.html", next=target, username=username[:200], error=message),
                             exc.status)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


@bp.app_template_filter("when_local")
def when_local(value: datetime | None) -> str:
    """A date in the reader's time zone (their preference; Seoul by default), to the minute."""
    if not value:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(preferences().zone).strftime("%Y-%m-%d %H:%M")


@bp.app_context_processor
def _context() -> dict:
    return {"my_preferences": preferences}


def require_user() -> Principal:
    who = user()
    if who is None:
        raise Unauthorized("Sign in to see this.")
    return who


@bp.errorhandler(Unauthorized)
def _sign_in_first(exc: Unauthorized):
    target = request.full_path.rstrip("?") if request.method == "GET" else url_for("accounts.settings")
    parts = urlsplit(target)
    flash(t("login.required"), "info")
    return redirect(url_for("ui.login", next=parts.path + (f"?{parts.query}" if parts.query else "")))


def no_store(response):
    """Pages with personal data or a fresh token stay out of shared caches and the back-button cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# -- settings -------------------------------------------------------------------------------------------------
def settings_page(who: Principal, status: int = 200, new_token: str | None = None, error: str | None = None,
                  token_name: str = ""):
    account = core().accounts.account(who.username)
    return no_store(make_response(render_template(
        "accounts/settings.html", account=account, prefs=Preferences(core().db).get(who.user_id),
        tokens=core().accounts.tokens(who.user_id), new_token=new_token, error=error, token_name=token_name,
        timezones=timezone_choices(), token_days=core().config.token_days), status))


@bp.get("/settings")
def settings():
    return settings_page(require_user())


@bp.post("/settings/preferences")
def save_preferences():
    who = require_user()
    form = request.form
    try:
        saved = Preferences(core().db).update(who.user_id, language=form.get("language", ""),
                                              timezone=form.get("timezone", ""),
                                              editor_preview=form.get("editor_preview") == "on")
    except InvalidInput as exc:
        return settings_page(who, 400, error=exc.message)
    if saved.language:
        session["lang"] = saved.language
    else:
        session.pop("lang", None)
    g.pop("madang_lang", None)
    g.pop("madang_preferences", None)
    flash(t("settings.saved"), "success")
    return redirect(url_for("accounts.settings"), 303)


@bp.post("/settings/tokens")
def create_token():
    who = require_user()
    name = (request.form.get("name") or "").strip()[:200] or "token"
    try:
        days = int(request.form.get("days") or core().config.token_days)
        token, expires = core().accounts.issue_token(who, days, name=name)
    except ValueError:
        return settings_page(who, 400, error=t("common.error_lead"), token_name=name)
    except InvalidInput as exc:
        return settings_page(who, 400, error=exc.message, token_name=name)
    core().audit.record("token_created", who.username, name, request.remote_addr or "",
                        expires=expires.isoformat(), via="settings")
    return settings_page(who, 201, new_token=token)


@bp.post("/settings/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    who = require_user()
    info = core().accounts.revoke_token_id(who.user_id, token_id)  # NotFound for anyone else's token
    core().audit.record("token_revoked", who.username, info.name, request.remote_addr or "", id=info.id,
                        via="settings")
    flash(t("settings.token_revoked_flash", name=info.name), "success")
    return redirect(url_for("accounts.settings") + "#tokens", 303)


@bp.post("/settings/sign-out-everywhere")
def sign_out_everywhere():
    who = require_user()
    core().accounts.bump_session_version(who.user_id)
    revoked = core().accounts.revoke_all_tokens(who.user_id) if request.form.get("tokens") == "on" else 0
    core().audit.record("sign_out_everywhere", who.username, who.username, request.remote_addr or "",
                        tokens_revoked=revoked)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    signed_out(who, everywhere=True)
    flash(t("signin.session_ended"), "info")
    return redirect(url_for("ui.login"), 303)


# -- org chart and people -------------------------------------------------------------------------------------
@bp.get("/orgchart")
def orgchart():
    require_user()
    source = core().orgchart
    chart = source.chart()
    query = (request.args.get("q") or "").strip()[:200]
    results = people.search(chart, core().accounts, query, SEARCH_LIMIT) if query else None
    department = None
    dept_id = request.args.get("dept") or ""
    if dept_id:
        department = chart.by_id.get(dept_id)
        if department is None:
            raise NotFound(t("orgchart.unknown_department"))
    members = people.profiles_of(chart, core().accounts, department.people) if department else []
    return render_template("accounts/orgchart.html", chart=chart, source=source.source, query=query,
                           results=results, department=department, members=members,
                           inline=len(chart.people) <= INLINE_PEOPLE,
                           counts=_counts(chart))


def _counts(chart) -> dict[str, int]:
    """People in each department and all the units under it."""
    totals: dict[str, int] = {}

    def walk(department) -> int:
        total = len(department.people) + sum(walk(child) for child in department.children)
        totals[department.id] = total
        return total

    for root in chart.roots():
        walk(root)
    return totals


@bp.get("/people/<username>")
def person(username: str):
    who = require_user()
    found = people.profile(core().orgchart.chart(), core().accounts, username)
    if found is None:
        raise NotFound(f"There is no one called '{username[:64]}'.")
    edits = [{"edit": edit, "targets": [file_target(p) for p in edit.paths]}
             for edit in people.recent_edits(core().db, core().acl, who, found.email)]
    return render_template("accounts/person.html", person=found, edits=edits,
                           show_role=who.is_admin or who.username == found.username)


def file_target(file_path: str) -> dict:
    """A changed file as the lists show it: its page (and attachment name), or the file itself."""
    page = page_from_file(file_path)
    if page:
        return {"page": page, "attachment": None, "file": file_path}
    owner = attachment_from_file(file_path)
    if owner:
        return {"page": owner[0], "attachment": owner[1], "file": file_path}
    return {"page": None, "attachment": None, "file": file_path}
