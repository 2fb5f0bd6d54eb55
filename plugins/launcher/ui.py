"""/launcher: the tiles a person may open (favourites, recently used, all by category, search) and the admin
console page (/launcher/admin). Opening goes through /launcher/open/<id>, which checks access and audits."""
from __future__ import annotations

from itertools import groupby
from urllib.parse import quote

from flask import Blueprint, flash, redirect, render_template, request, url_for

from wiki.api import MadangError, NotFound, core, current_user, require_admin, t

from . import keys, marks, registry

bp = Blueprint("launcher", __name__, url_prefix="/launcher", template_folder="templates", static_folder="static",
               static_url_path="/static")


def sign_in_first():
    return redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/"), 302)


def error_page(message: str, status: int):
    return render_template("launcher/error.html", message=message), status


def visible_system(system_id: str):
    """The system, when the person asking may use it; otherwise 404 (its existence is not revealed)."""
    who = current_user()
    system = registry.get(system_id)
    if who is None or system is None or not system.allows(who.principals):
        raise NotFound("No such system, or you may not use it.")
    return system


@bp.get("")
def index():
    who = current_user()
    if who is None:
        return sign_in_first()
    systems = registry.visible_to(who.principals)
    mine = marks.marks_of(who.username)
    q = (request.args.get("q") or "").strip()[:100]
    shown = [s for s in systems if all(w in s.search_text for w in q.casefold().split())] if q else list(systems)
    favourites = sorted((s for s in systems if s.id in mine and mine[s.id].favourite),
                        key=lambda s: (mine[s.id].position, s.name))
    recent = sorted((s for s in systems if s.id in mine and mine[s.id].last_used),
                    key=lambda s: mine[s.id].last_used, reverse=True)[:marks.RECENT]
    categories = [(name or t("launcher.uncategorised"), list(group))
                  for name, group in groupby(shown, key=lambda s: s.category)]
    from .tiles import tile

    return render_template("launcher/index.html", tile=tile, q=q, favourites=favourites, recent=recent,
                           categories=categories, starred={s.id for s in favourites}, total=len(systems))


@bp.get("/open/<system_id>")
def open_system(system_id: str):
    if current_user() is None:
        return sign_in_first()
    system = visible_system(system_id)
    marks.opened(current_user().username, system, "launcher")
    return redirect(system.url, 303)


@bp.post("/favourite/<system_id>")
def favourite(system_id: str):
    system = visible_system(system_id)
    marks.toggle_favourite(current_user().username, system.id)
    return redirect(url_for("launcher.index"), 303)


@bp.post("/move/<system_id>")
def move(system_id: str):
    system = visible_system(system_id)
    marks.move_favourite(current_user().username, system.id, -1 if request.form.get("step") == "up" else 1)
    return redirect(url_for("launcher.index"), 303)


# -- admins ---------------------------------------------------------------------------------------------------------
def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


@bp.get("/admin")
def admin():
    require_admin()

    opens = core().audit.entries(limit=30, action="launcher_open")
    return render_template("launcher/admin.html", systems=registry.all_systems(), keys=keys.listing(), opens=opens,
                           error=None)


@bp.post("/admin/systems")
def admin_create():
    who = require_admin()
    form = request.form
    data = {"name": form.get("name", ""), "url": form.get("url", ""), "protocol": form.get("protocol", ""),
            "category": form.get("category", ""), "icon": form.get("icon", ""),
            "description": form.get("description", ""), "groups": lines(form.get("groups", "")),
            "redirect_uris": lines(form.get("redirect_uris", "")),
            "service_patterns": lines(form.get("service_patterns", "")),
            "post_logout_redirect_uris": lines(form.get("post_logout_redirect_uris", "")),
            "backchannel_logout_uri": form.get("backchannel_logout_uri", "").strip(),
            **{flag: form.get(flag) == "1" for flag in ("refresh_tokens", "public_client", "single_logout")}}
    try:
        out = registry.create(data, who)
    except MadangError as exc:
        return render_template("launcher/admin.html", systems=registry.all_systems(), keys=keys.listing(),
                               opens=core().audit.entries(limit=30, action="launcher_open"),
                               error=exc.message), exc.status
    flash(t("launcher.registered", name=data["name"].strip()), "success")
    if out.get("client_secret"):
        flash(t("launcher.secret_once", secret=out["client_secret"]) + f" (client_id: {out['client_id']})", "info")
    return redirect(url_for("launcher.admin"), 303)


@bp.post("/admin/systems/<system_id>/delete")
def admin_delete(system_id: str):
    who = require_admin()
    registry.remove(system_id, who)
    flash(t("launcher.deleted"), "success")
    return redirect(url_for("launcher.admin"), 303)


@bp.post("/admin/keys")
def admin_rotate():
    require_admin()
    flash(t("launcher.rotated", kid=keys.rotate()), "success")
    return redirect(url_for("launcher.admin"), 303)



