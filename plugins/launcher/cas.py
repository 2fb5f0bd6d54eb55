"""CAS 3.0 for older systems: /cas/login issues a service ticket (ST-…, single-use, ~10 s) for a service URL that
matches a registered pattern; /cas/serviceValidate and /cas/p3/serviceValidate validate it (with attributes);
/cas/logout ends the person's sessions with the systems. A ticket is consumed by its first validation, whatever the
outcome, as the protocol says."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Blueprint, Response, redirect, render_template, request
from sqlalchemy import update

from wiki.api import core, current_user, person, plugin_settings, t

from . import NAME, marks, registry, tokens
from .models import CasTicket
from .oidc import launcher_sid
from .ui import error_page, sign_in_first

bp = Blueprint("launcher_cas", __name__, url_prefix="/cas", template_folder="templates")
NS = "http://www.yale.edu/tp/cas"


def now() -> datetime:
    return datetime.now(UTC)


def system_for(service: str):
    return next((s for s in registry.all_systems() if s.protocol == "cas" and s.matches_service(service)), None)


def with_ticket(service: str, ticket: str) -> str:
    return service + ("&" if "?" in service else "?") + urlencode({"ticket": ticket})


@bp.get("/login")
def login():
    service = request.args.get("service", "")
    if not service:
        return redirect("/launcher", 303)
    system = system_for(service)
    if system is None:
        return error_page(t("launcher.unknown_service", service=service[:300]), 400)
    who = current_user()
    if who is None:
        if request.args.get("gateway") in ("true", "1"):
            return redirect(service, 303)
        return sign_in_first()
    if not system.allows(who.principals):
        return error_page(t("launcher.not_allowed", name=system.name), 403)
    tokens.sweep()
    ticket = "ST-" + secrets.token_urlsafe(32)
    seconds = plugin_settings(NAME)["ticket_seconds"]
    with core().db.session() as db:
        db.add(CasTicket(ticket=ticket, service=service, username=who.username, system_id=system.id,
                         sid=launcher_sid(), expires=now() + timedelta(seconds=seconds), used=False))
    marks.opened(who.username, system, "cas")
    return redirect(with_ticket(service, ticket), 302)


def xml(body: str) -> Response:
    return Response(f'<cas:serviceResponse xmlns:cas="{NS}">\n{body}\n</cas:serviceResponse>\n',
                    mimetype="application/xml")


def failure(code: str, message: str) -> Response:
    return xml(f'  <cas:authenticationFailure code="{code}">{escape(message)}</cas:authenticationFailure>')


def consume(ticket: str, service: str) -> tuple[CasTicket | None, str, str]:
    """(row, failure code, message): the ticket is used up by this call, whatever it answers."""
    with core().db.session() as db:
        row = db.get(CasTicket, ticket)
        if row is None:
            return None, "INVALID_TICKET", f"Ticket '{ticket[:60]}' is not recognised."
        won = db.execute(update(CasTicket).where(CasTicket.ticket == ticket, CasTicket.used.is_(False))
                         .values(used=True)).rowcount == 1
        db.expunge(row)
    if not won:
        return None, "INVALID_TICKET", f"Ticket '{ticket[:60]}' was used already: tickets are single-use."
    if row.expires <= now():
        return None, "INVALID_TICKET", f"Ticket '{ticket[:60]}' has expired."
    if row.service != service:
        return None, "INVALID_SERVICE", f"Ticket '{ticket[:60]}' was issued for another service."
    return row, "", ""


def attributes(username: str) -> str:
    user = core().accounts.get(username)
    found = person(username) or {}
    values = {"name": [found.get("name") or (user.name if user else username)],
              "email": [found.get("email") or (user.email if user else "")],
              "department": [found.get("department") or (user.department if user else "")],
              "groups": sorted(set(found.get("groups") or (user.groups if user else ())))}
    lines = [f"      <cas:{key}>{escape(v)}</cas:{key}>" for key, items in values.items() for v in items if v]
    lines.append("      <cas:isFromNewLogin>false</cas:isFromNewLogin>")
    return "    <cas:attributes>\n" + "\n".join(lines) + "\n    </cas:attributes>"


def validate():
    ticket, service = request.args.get("ticket", ""), request.args.get("service", "")
    if not ticket or not service:
        return failure("INVALID_REQUEST", "Both 'ticket' and 'service' are required.")
    if not ticket.startswith("ST-"):
        return failure("INVALID_TICKET_SPEC", "Only service tickets (ST-…) are validated here.")
    row, code, message = consume(ticket, service)
    if row is None:
        return failure(code, message)
    system, user = registry.get(row.system_id), core().accounts.get(row.username)
    if system is None or user is None or not system.allows(user.principals):
        return failure("INVALID_SERVICE", "The person may no longer use this service.")
    tokens.open_session(row.username, system.id, "cas", sid=row.sid, service=service, ticket=ticket)
    return xml("  <cas:authenticationSuccess>\n"
               f"    <cas:user>{escape(row.username)}</cas:user>\n{attributes(row.username)}\n"
               "  </cas:authenticationSuccess>")


bp.add_url_rule("/serviceValidate", "service_validate", validate)
bp.add_url_rule("/p3/serviceValidate", "p3_service_validate", validate)


@bp.get("/logout")
def logout():
    """Ends the person's sessions with every system (those that support it are told); Madang's own session is
    the person's to end, with the button on the page that follows."""
    who = current_user()
    if who is not None:
        from .logout import sign_out_of_systems

        sign_out_of_systems(who.username)
    service = request.args.get("service") or request.args.get("url") or ""
    back = service if service and system_for(service) is not None else None
    return Response(render_template("launcher/signed_out.html", back=back), mimetype="text/html")
