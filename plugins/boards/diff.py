"""A post's text between two revisions (diff-match-patch, like the wiki's page diff)."""
from __future__ import annotations

from diff_match_patch import diff_match_patch
from markupsafe import escape

from wiki.api import InvalidInput

from . import service as s


def diff_revisions(board: dict, post_id: str, rev_from: str | None, rev_to: str | None) -> dict:
    history = [h for h in s.post_history(board, post_id) if h["status"] != "D"]
    if not history:
        s.load_post(board, post_id)  # NotFound
    known = {h["revision"] for h in history}
    rev_to = rev_to or history[0]["revision"]
    if rev_to not in known:
        raise InvalidInput("'to' is not a revision of this post.", field="to")
    if rev_from is None:
        index = next(i for i, h in enumerate(history) if h["revision"] == rev_to)
        rev_from = history[index + 1]["revision"] if index + 1 < len(history) else None
    elif rev_from not in known:
        raise InvalidInput("'from' is not a revision of this post.", field="from")
    old = text_at(board, post_id, rev_from) if rev_from else ""
    new = text_at(board, post_id, rev_to)
    engine = diff_match_patch()
    ops = engine.diff_main(old, new)
    engine.diff_cleanupSemantic(ops)
    html = "".join(f"<del>{escape(t)}</del>" if op < 0 else f"<ins>{escape(t)}</ins>" if op > 0 else str(escape(t))
                   for op, t in ops)
    return {"from": rev_from, "to": rev_to, "ops": [[op, t] for op, t in ops], "html": html}


def text_at(board: dict, post_id: str, rev: str) -> str:
    meta, markdown = s.load_post(board, post_id, rev)
    return f"# {meta.get('title', '')}\n\n{markdown}"
