"""Read and like counters kept beside the marks that move them (state database, not commits)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from wiki.api import core

from .models import Counter

ATTEMPTS = 3


def bump(session, slug: str, post_id: str, field: str, step: int) -> None:
    """Move one counter in the caller's transaction; the first mark of a post makes its row."""
    column = getattr(Counter, field)
    moved = session.execute(update(Counter).where(Counter.board == slug, Counter.post == post_id)
                            .values({field: column + step})).rowcount
    if not moved:
        session.add(Counter(board=slug, post=post_id, **{"reads": 0, "likes": 0, field: max(step, 0)}))


def retrying(work: Callable) -> None:
    """Run `work(session)` in a transaction; when another request made the same mark or the counter's row at the
    same moment (a unique constraint), run it again: it then sees what the other one wrote."""
    for attempt in range(ATTEMPTS):
        try:
            with core().db.session() as session:
                work(session)
            return
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
