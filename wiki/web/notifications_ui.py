"""Notifications for people: /notifications, the header's badge, and `GET/POST /api/v1/me/notifications`.
Each person sees and clears only their own; anonymous visitors have none."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..errors import InvalidInput, Unauthorized
from .context import core, json_body, limit_arg, user
from .i18n import add_catalog, t

bp = Blueprint("notifications", __name__)

add_catalog({
    "notifications.title": {"ko": "알림", "en": "Notifications"},
    "notifications.badge": {"ko": "알림 {count}건", "en": "{count} notifications"},
    "notifications.none": {"ko": "새 알림이 없습니다.", "en": "Nothing new."},
    "notifications.all_read": {"ko": "모두 읽음으로 표시", "en": "Mark all as read"},
    "notifications.unread": {"ko": "읽지 않음", "en": "Unread"},
    "notifications.mark_read": {"ko": "읽음", "en": "Mark read"},
    "notifications.marked": {"ko": "알림 {count}건을 읽음으로 표시했습니다.", "en": "Marked {count} as read."},
    "notifications.older": {"ko": "이전 알림", "en": "Older"},
})


def unread_count() -> int:
    """For the header's badge: one indexed count, only for signed-in people."""
    who = user()
    return core().notifications.unread_count(who.username) if who is not None else 0


def _require_user():
    who = user()
    if who is None:
        raise Unauthorized("Sign in to see your notifications.")
    return who


def _before_arg() -> int | None:
    raw = request.args.get("before", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput("'before' must be a notification id.")
    return int(raw)


@bp.get("/notifications")
def page():
    who = user()
    if who is None:
        flash(t("login.required"), "info")
        return redirect(url_for("ui.login", next="/notifications"))
    items = core().notifications.list(who.username, limit=50, before=_before_arg())
    older = url_for("notifications.page", before=items[-1].id) if len(items) == 50 else None
    return render_template("notifications.html", items=items, older=older, unread=unread_count())


@bp.post("/notifications/read")
def mark_read_form():
    who = _require_user()
    raw = request.form.get("id", "")
    marked = core().notifications.mark_read(who.username, [int(raw)] if raw.isdigit() else None)
    if not raw:
        flash(t("notifications.marked", count=marked), "success")
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else
                    url_for("notifications.page"), 303)


@bp.get("/api/v1/me/notifications")
def api_list():
    who = _require_user()
    unread_only = request.args.get("unread", "") in ("1", "true")
    limit = limit_arg()
    items = core().notifications.list(who.username, limit=limit, before=_before_arg(), unread_only=unread_only)
    return jsonify({"items": [item.to_json() for item in items], "unread": unread_count(),
                    "next": str(items[-1].id) if len(items) == limit else None})


@bp.post("/api/v1/me/notifications/read")
def api_mark_read():
    who = _require_user()
    ids = json_body().get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                               for i in ids)):
        raise InvalidInput("'ids' must be a list of notification ids (or left out for all).")
    marked = core().notifications.mark_read(who.username, ids)
    return jsonify({"marked": marked, "unread": unread_count()})
