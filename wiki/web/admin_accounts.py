"""Admin console sections for accounts: users, groups, permission rules, the org chart and the audit log.

Every change is audited; rules and the org chart are commits to the content repository authored by the admin, and
each page shows its file's history (who changed it, when). The functions that change things (`update_user`,
`save_orgchart`, ...) are shared with the JSON API (api_accounts.py), so both paths validate and audit alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for

from ..acl import ACL_FILE, ACTIONS, parse_principals, principals_text
from ..audit import known_actions
from ..auth import AccountInfo, Principal
from ..errors import AlreadyExists, Forbidden, InvalidInput, NotFound, Unauthorized
from ..orgchart import ORGCHART_FILE, OrgChart, RepositoryOrgChart
from ..pages import clean_message
from ..store import CommitResult
from . import accounts_words  # noqa: F401  (adds the words to the catalog)
from .accounts_ui import _sign_in_first, no_store
from .admin_nav import admin_section
from .api_auth import save_rules
from .context import core, limit_arg, signed_out, user
from .i18n import t

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin")
bp.register_error_handler(Unauthorized, _sign_in_first)

admin_section("admin_accounts.users", "admin.users", 20)
admin_section("admin_accounts.groups", "admin.groups", 30)
admin_section("admin_accounts.acl", "admin.acl", 40)
admin_section("admin_accounts.orgchart", "admin.orgchart", 50)
admin_section("admin_accounts.audit", "admin.audit", 60)

BLANK_RULES = 3  # empty rows the rules table offers for new rules
HISTORY_ROWS = 30


def require_admin() -> Principal:
    who = user()
    if who is None:
        raise Unauthorized("Sign in as an administrator.")
    if not who.is_admin:
        raise Forbidden("Only administrators may do this.")
    return who


def address() -> str:
    return request.remote_addr or ""


# -- shared with the API: changes, validated and audited ------------------------------------------------------
def create_group(who: Principal, name: str, title: str = "", description: str = ""):
    group = core().accounts.create_group(name, title, description)
    core().audit.record("group_created", who.username, group.name, address(), title=group.title)
    return group


def delete_group(who: Principal, name: str) -> int:
    touched = core().accounts.delete_group(name)
    core().audit.record("group_deleted", who.username, name, address(), members=touched)
    return touched


def update_user(who: Principal, username: str, **changes) -> AccountInfo:
    if username == who.username and (changes.get("active") is False or
                                     changes.get("role") not in (None, "admin")):
        raise InvalidInput("You cannot disable your own account or take away your own admin role; ask another "
                           "administrator.")
    info, changed = core().accounts.update(username, **changes)
    if changed:
        core().audit.record("user_changed", who.username, info.username, address(), changes=changed)
    return info


def save_orgchart(who: Principal, data: object, message: str | None) -> CommitResult:
    if not isinstance(data, dict):
        raise InvalidInput("The org chart must be an object with 'departments' and 'people'.")
    content = RepositoryOrgChart.serialize(data)  # validates: InvalidInput says what is wrong
    result = core().wiki.commit({ORGCHART_FILE: content}, who, clean_message(message, "조직도 변경"))
    if result.changed:
        chart = OrgChart(data)
        core().audit.record("orgchart_changed", who.username, ORGCHART_FILE, address(), revision=result.revision,
                            departments=len(chart.departments), people=len(chart.people))
    return result


@dataclass
class FileChange:
    revision: str
    author_name: str
    author_email: str
    date: datetime
    message: str


def file_history(file_path: str, limit: int = HISTORY_ROWS) -> list[FileChange]:
    """Who changed a site file and when, newest first (git log of that one file)."""
    store = core().store
    head = store.head()
    if not head:
        return []
    return [FileChange(c.hexsha, c.author.name, c.author.email, c.authored_datetime, c.message.strip())
            for c in store.repo.iter_commits(head, paths=file_path, max_count=limit)]


# -- users ----------------------------------------------------------------------------------------------------
@bp.route("/users", methods=["GET", "POST"])
def users():
    who = require_admin()
    error, form = None, {}
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            created = core().accounts.create(
                form.get("username", ""), form.get("password", ""), form.get("name", "").strip(),
                form.get("email", "").strip(), department=form.get("department", "").strip(),
                groups=parse_principals(form.get("groups", "")), role=form.get("role") or "editor")
        except (InvalidInput, AlreadyExists) as exc:
            error, status = exc.message, exc.status
        else:
            core().audit.record("user_created", who.username, created.username, address(),
                                role=created.effective_role, groups=list(created.groups))
            flash(t("admin.user_created", username=created.username), "success")
            return redirect(url_for("admin_accounts.user", username=created.username), 303)
    query = (request.args.get("q") or "").strip()[:200]
    items, after = core().accounts.list_accounts(query, limit=limit_arg(), after=request.args.get("after") or None)
    form.pop("password", None)
    return render_template("admin/users.html", items=items, after=after, query=query, error=error,
                           form=form), status


@bp.route("/users/<username>", methods=["GET", "POST"], endpoint="user")
def user_page(username: str):
    who = require_admin()
    info = core().accounts.account(username)
    if info is None:
        raise NotFound(f"There is no account '{username[:64]}'.")
    error = None
    if request.method == "POST":
        form = request.form
        try:
            before = info
            info = update_user(who, info.username, role=form.get("role") or info.role,
                               groups=parse_principals(form.get("groups", "")), active=form.get("active") == "on",
                               name=form.get("name", info.name), email=form.get("email", info.email),
                               department=form.get("department", info.department))
        except InvalidInput as exc:
            error = exc.message
        else:
            flash(t("admin.user_saved") if info != before else t("admin.user_unchanged"), "success")
            return redirect(url_for("admin_accounts.user", username=info.username), 303)
    return render_template("admin/user.html", account=info, error=error), 400 if error else 200


@bp.post("/users/<username>/sign-out")
def sign_out_user(username: str):
    who = require_admin()
    info = core().accounts.account(username)
    if info is None:
        raise NotFound(f"There is no account '{username[:64]}'.")
    core().accounts.bump_session_version(info.user_id)
    core().audit.record("user_signed_out", who.username, info.username, address())
    person = core().accounts.get(info.username)
    if person is not None:
        signed_out(person, everywhere=True)
    flash(t("admin.user_signed_out", username=info.username), "success")
    return redirect(url_for("admin_accounts.user", username=info.username), 303)


# -- groups ---------------------------------------------------------------------------------------------------
@bp.route("/groups", methods=["GET", "POST"])
def groups():
    who = require_admin()
    error, form = None, {}
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            group = create_group(who, form.get("name", ""), form.get("title", ""), form.get("description", ""))
        except (InvalidInput, AlreadyExists) as exc:
            error = exc.message
        else:
            flash(t("admin.group_created", name=group.name), "success")
            return redirect(url_for("admin_accounts.group", name=group.name), 303)
    return render_template("admin/groups.html", groups=core().accounts.groups(), error=error,
                           form=form), 400 if error else 200


@bp.route("/groups/<name>", methods=["GET", "POST"])
def group(name: str):
    who = require_admin()
    info = core().accounts.group(name)
    if info is None:
        raise NotFound(f"There is no group '{name[:64]}'.")
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip().lower()
        remove = request.form.get("_action") == "remove"
        try:
            changed = core().accounts.set_member(name, username, not remove)
        except NotFound as exc:
            error = exc.message
        else:
            if changed:
                core().audit.record("group_member_removed" if remove else "group_member_added", who.username,
                                    name, address(), member=username)
            flash(t("admin.group_member_removed" if remove else "admin.group_member_added", username=username),
                  "success")
            return redirect(url_for("admin_accounts.group", name=name), 303)
    members, _ = core().accounts.list_accounts(limit=1000, group=name)
    return render_template("admin/group.html", group=info, members=members, error=error), 400 if error else 200


@bp.post("/groups/<name>/delete")
def group_delete(name: str):
    who = require_admin()
    delete_group(who, name)
    flash(t("admin.group_deleted", name=name), "success")
    return redirect(url_for("admin_accounts.groups"), 303)


# -- permission rules -----------------------------------------------------------------------------------------
def rules_form_rows(document: dict) -> tuple[dict, list[dict]]:
    default = {a: principals_text((document.get("default") or {}).get(a, [])) for a in ACTIONS}
    rows = [{"prefix": r.get("prefix", ""), **{a: principals_text(r.get(a, [])) for a in ACTIONS}}
            for r in document.get("rules") or []]
    return default, rows + [{"prefix": "", **{a: "" for a in ACTIONS}} for _ in range(BLANK_RULES)]


def rules_from_form(form) -> dict:
    """The table as a rules document: a row with an empty prefix is dropped (that is how a rule is deleted)."""
    default = {a: parse_principals(form.get(f"default_{a}", "")) for a in ACTIONS}
    columns = {key: form.getlist(key) for key in ("prefix", *ACTIONS)}
    rules = []
    for index, prefix in enumerate(columns["prefix"]):
        if not prefix.strip():
            continue
        rule = {"prefix": prefix.strip()}
        for action in ACTIONS:
            values = columns[action]
            rule[action] = parse_principals(values[index] if index < len(values) else "")
        rules.append(rule)
    return {"default": default, "rules": rules}


@bp.route("/acl", methods=["GET", "POST"])
def acl():
    who = require_admin()
    error = None
    document = core().acl.document()
    if request.method == "POST":
        submitted = rules_from_form(request.form)
        try:
            result = save_rules(who, submitted, request.form.get("message") or None)
        except InvalidInput as exc:
            error, document = exc.message, submitted
        else:
            flash(t("admin.acl_saved") if result.changed else t("admin.acl_unchanged"), "success")
            return redirect(url_for("admin_accounts.acl"), 303)
    default, rows = rules_form_rows(document)
    return render_template("admin/acl.html", default=default, rows=rows, error=error,
                           history=file_history(ACL_FILE), actions=ACTIONS), 400 if error else 200


# -- org chart ------------------------------------------------------------------------------------------------
@bp.route("/orgchart", methods=["GET", "POST"])
def orgchart():
    who = require_admin()
    repository = RepositoryOrgChart(core().store)
    error = None
    if request.method == "POST":
        text = request.form.get("chart", "")
        try:
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise InvalidInput(t("admin.orgchart_invalid_json", reason=str(exc))) from exc
            result = save_orgchart(who, data, request.form.get("message") or None)
        except InvalidInput as exc:
            error = exc.message
        else:
            flash(t("admin.orgchart_saved") if result.changed else t("admin.orgchart_unchanged"), "success")
            return redirect(url_for("admin_accounts.orgchart"), 303)
    else:
        text = json.dumps(repository.document(), ensure_ascii=False, indent=2)
    chart = repository.chart()
    return render_template("admin/orgchart.html", text=text, error=error, history=file_history(ORGCHART_FILE),
                           source=core().orgchart.source, departments=len(chart.departments),
                           people=len(chart.people)), 400 if error else 200


# -- audit log ------------------------------------------------------------------------------------------------
@bp.get("/audit")
def audit():
    require_admin()
    limit = limit_arg()
    action = (request.args.get("action") or "").strip()[:64] or None
    actor = (request.args.get("actor") or "").strip()[:64] or None
    before = request.args.get("before", type=int)
    entries = core().audit.entries(limit=limit + 1, before=before, action=action, actor=actor)
    more = len(entries) > limit
    entries = entries[:limit]
    return no_store(make_response(render_template(
        "admin/audit.html", entries=entries, action=action or "", actor=actor or "",
        actions=known_actions(core().db), next_before=entries[-1].id if more else None,
        detail=lambda entry: json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True))))
