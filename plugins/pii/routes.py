"""The guard's routes: the live check (anyone); the report, its CSV and the suppression list (privacy officers:
API and /admin/pii)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from wiki.api import (
    InvalidInput,
    NotFound,
    attachment_folder_path,
    commit_plugin_files,
    core,
    page_file_path,
    require_admin,
    withheld_changed,
)

from . import NAME
from .detect import LABELS, find
from .export import report_csv
from .guard import ALLOW_FILE, MODES, POLICY_FILE, allowlist, policy
from .models import PiiSuppression
from .roles import require_officer
from .scan import Scanner

EXTENSION, BLOBS_CACHE = "madang_pii", "madang_pii_withheld"
DEFAULT_LIMIT, MAX_LIMIT, MAX_CHECK_CHARS = 50, 500, 1_000_000
bp = Blueprint("pii", __name__, template_folder="templates")


def scanner() -> Scanner:
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions[EXTENSION] = Scanner(core().config.content_repo)
    return found


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object.")
    return data


# -- the live check --------------------------------------------------------------------------------------------------
@bp.post("/api/v1/pii/check")
def check():
    text = body().get("text")
    if not isinstance(text, str):
        raise InvalidInput("'text' must be text.")
    if len(text) > MAX_CHECK_CHARS:
        raise InvalidInput("The text is too long to check at once.")
    return jsonify({"findings": [f.public() for f in find(text, allowlist())]})


# -- suppression -----------------------------------------------------------------------------------------------------
def suppressed_blobs() -> frozenset[str]:
    """Every withheld blob id, from memory: the core asks on every page view. Read again from the database when
    the core's withheld epoch moved (any process that withholds says so through `withheld_changed`)."""
    epoch = core().wiki.withheld_epoch()
    cached = current_app.extensions.get(BLOBS_CACHE)
    if cached is not None and cached[0] == epoch:
        return cached[1]
    with core().db.session() as session:
        rows = session.scalars(select(PiiSuppression.blobs)).all()
    blobs = frozenset(blob for blobs in rows for _file, blob in blobs)
    current_app.extensions[BLOBS_CACHE] = (epoch, blobs)
    return blobs


def revision_visible(path: str, revision: str) -> bool | None:
    """False when the page's text, or one of its attachments, at that revision is a withheld blob."""
    blobs = suppressed_blobs()
    if not blobs:
        return None
    store = core().store
    if store.blob_id(revision, page_file_path(path)) in blobs:
        return False
    if any(blob in blobs for _file, blob in store.list_files(attachment_folder_path(path), revision)):
        return False
    return None


def page_files(path: str, revision: str | None) -> dict[str, str]:
    if revision is None:
        return {}
    store = core().store
    files = dict(store.list_files(attachment_folder_path(path), revision))
    page_blob = store.blob_id(revision, page_file_path(path))
    if page_blob:
        files[page_file_path(path)] = page_blob
    return files


def suppress(path: str, revision: str, reason: str, who) -> PiiSuppression:
    """Withhold what the page (and its attachments) got in that revision; the page's text at it when nothing."""
    store = core().store
    full = store.resolve(revision)
    parents = store.commit_info(full).parents
    now, before = page_files(path, full), page_files(path, parents[0] if parents else None)
    blobs = [[f, b] for f, b in sorted(now.items()) if before.get(f) != b]
    if not blobs and page_file_path(path) in now:
        blobs = [[page_file_path(path), now[page_file_path(path)]]]
    if not blobs:
        raise NotFound(f"There is no page '{path}' at revision {full[:10]}.")
    row = PiiSuppression(path=path, revision=full, blobs=blobs, reason=reason, who=who.username,
                         created_at=datetime.now(UTC))
    with core().db.session() as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
    withheld_changed()  # page caches of every process start afresh, and so does suppressed_blobs()
    core().audit.record("pii.suppress", actor=who.username, target=f"{path}@{full}", reason=reason,
                        files=[f for f, _b in blobs])
    return row


def suppression_json(row: PiiSuppression) -> dict:
    return {"id": row.id, "path": row.path, "revision": row.revision, "reason": row.reason, "by": row.who,
            "date": row.created_at.isoformat(), "files": [f for f, _b in row.blobs]}


@bp.post("/api/v1/admin/pii/suppress")
def suppress_api():
    who = require_officer()
    data = body()
    path, revision, reason = data.get("path"), data.get("revision"), data.get("reason")
    if not all(isinstance(v, str) and v.strip() for v in (path, revision, reason)):
        raise InvalidInput("'path', 'revision' and 'reason' are required.")
    row = suppress(path.strip().strip("/"), revision.strip(), reason.strip()[:2000], who)
    return jsonify(suppression_json(row)), 201


@bp.get("/api/v1/admin/pii/suppressions")
def suppressions_api():
    require_officer()
    with core().db.session() as session:
        rows = session.scalars(select(PiiSuppression).order_by(PiiSuppression.id.desc())).all()
    return jsonify({"items": [suppression_json(r) for r in rows]})


# -- the report ------------------------------------------------------------------------------------------------------
def report_items(kind: str | None = None, prefix: str = "") -> list[dict]:
    scan = scanner()
    scan.update(core().store.head(), allowlist())
    hidden = suppressed_blobs()
    items = []
    for item in reversed(scan.items):  # newest first
        if (kind and item.kind != kind) or not item.path.startswith(prefix):
            continue
        items.append({**item.to_json(), "suppressed": item.blob in hidden})
    return items


def paged(items: list, limit_arg: str | None, cursor: str | None) -> tuple[list, str | None]:
    try:
        limit = max(1, min(MAX_LIMIT, int(limit_arg or DEFAULT_LIMIT)))
        start = int(cursor or 0)
    except ValueError as exc:
        raise InvalidInput("'limit' and 'cursor' must be numbers from this API.") from exc
    start = max(0, start)
    page = items[start:start + limit]
    return page, (str(start + limit) if start + limit < len(items) else None)


@bp.get("/api/v1/admin/pii/report")
def report_api():
    require_officer()
    items = report_items(request.args.get("kind") or None, request.args.get("prefix", ""))
    page, nxt = paged(items, request.args.get("limit"), request.args.get("cursor"))
    return jsonify({"items": page, "next": nxt, "total": len(items)})


@bp.get("/api/v1/admin/pii/report.csv")
def report_csv_api():
    """The whole report (filtered like the JSON one, not paged) as a spreadsheet file."""
    who = require_officer()
    items = report_items(request.args.get("kind") or None, request.args.get("prefix", ""))
    core().audit.record("pii.export", actor=who.username, target=request.args.get("prefix", ""), rows=len(items))
    name = f"pii-report-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return Response(report_csv(items), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# -- the admin page --------------------------------------------------------------------------------------------------
def rules_text(rules: list[dict]) -> str:
    return "\n".join(f"{r['prefix']} {r['mode']}" for r in rules)


def parse_rules(text: str) -> list[dict]:
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        prefix, _, mode = line.rpartition(" ")
        if mode not in MODES or not prefix.strip():
            raise InvalidInput(f"Line {number}: write '<path prefix> off|warn|block'.")
        rules.append({"prefix": prefix.strip(), "mode": mode})
    return rules


@bp.route("/admin/pii", methods=["GET", "POST"])
def admin_page():
    who = require_officer()
    if request.method == "POST":
        action = request.form.get("action")
        if action == "policy":
            require_admin()  # the policy and the allow-list are the administrators' alone
            import json

            default = request.form.get("default", "warn")
            if default not in MODES:
                raise InvalidInput("Choose off, warn or block.")
            document = {"default": default, "rules": parse_rules(request.form.get("rules", ""))}
            commit_plugin_files(NAME, {POLICY_FILE: json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                                       ALLOW_FILE: request.form.get("allowlist", "").replace("\r\n", "\n")},
                                "개인정보 보호 정책 변경", who=who)
            flash("정책을 저장했습니다. / The policy was saved.", "success")
        elif action == "suppress":
            suppress(request.form.get("path", "").strip("/"), request.form.get("revision", ""),
                     request.form.get("reason", "").strip() or "개인정보", who)
            flash("그 판을 감췄습니다. / The revision is withheld.", "success")
        return redirect(url_for("pii.admin_page"), 303)
    rules = policy()
    allow_raw = core().store.read(f"plugins/{NAME}/{ALLOW_FILE}") or b""
    scan = scanner()
    if request.args.get("scan") == "1" and not scan.running:
        # a long scan runs in the background; the page shows its progress and reloads itself until it is done
        scan.thread = threading.Thread(target=scan.update, args=(core().store.head(), allowlist()), daemon=True)
        scan.running = True
        scan.thread.start()
        return redirect(url_for("pii.admin_page"), 303)
    scanned = scan.watermark is not None and not scan.running
    items = report_items() if scanned else []
    with core().db.session() as session:
        rows = session.scalars(select(PiiSuppression).order_by(PiiSuppression.id.desc()).limit(100)).all()
    return render_template("pii/admin.html", policy=rules, rules=rules_text(rules.rules), modes=MODES,
                           allowlist=allow_raw.decode("utf-8", "replace"), items=items[:500], total=len(items),
                           scanned=scanned, labels=LABELS, scanner=scan,
                           suppressions=[suppression_json(r) for r in rows], may_edit_policy=who.is_admin)


@bp.after_app_request
def _warn_header(response):
    """A save that the `warn` policy let through says what it held (kinds only) in a header."""
    warned = g.get("pii_warnings")
    if warned:
        response.headers["X-Madang-Pii-Warning"] = ",".join(sorted({f["kind"] for f in warned}))
    return response
