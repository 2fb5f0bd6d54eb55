"""The boards' index view: boards, posts (with comment counts), each post's revisions and the mentions, derived
from the commits under plugins/boards/. It is what list pages, histories and mention lists read, so their cost
does not grow with the number of posts or commits."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update

from . import NAME, layout
from .mentions import mentioned
from .models import BoardRow, CommentRow, Mention, PostRevision, PostRow, TagRow

PREFIX = f"plugins/{NAME}/"


def parse_doc(data: bytes) -> tuple[dict, str]:
    """A post or comment file: the JSON header between '---' lines, then Markdown."""
    text = data.decode("utf-8", "replace")
    if text.startswith("---\n"):
        header, sep, body = text[4:].partition("\n---\n")
        if sep:
            try:
                meta = json.loads(header)
                return (meta if isinstance(meta, dict) else {}), body
            except ValueError:
                pass
    return {}, text


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class BoardsIndexView:
    """Applied in the core's transaction after every commit (and from nothing on a rebuild)."""

    name = "boards_index"

    def reset(self, session) -> None:
        for table in (BoardRow, PostRow, CommentRow, PostRevision, Mention, TagRow):
            session.execute(delete(table))

    def apply(self, session, store, commits) -> None:
        self._posts_added: dict[str, int] = {}
        for logged in commits:
            for change in logged.changes:
                if change.old_path and change.old_path.startswith(PREFIX) and change.status.startswith("R"):
                    self._one(session, store, change.old_path, None, "D", logged)
                if change.path.startswith(PREFIX):
                    deleted = change.status == "D"
                    self._one(session, store, change.path, None if deleted else change.new_blob,
                              "D" if deleted else ("A" if change.status.startswith(("A", "R")) else "M"), logged)
        session.flush()
        for slug, step in self._posts_added.items():  # one update a board a batch, not one a post
            if step:
                session.execute(update(BoardRow).where(BoardRow.slug == slug).values(posts=BoardRow.posts + step))

    def _one(self, session, store, path: str, blob: str | None, status: str, logged) -> None:
        where = layout.parse(path[len(PREFIX):])
        if where is None:
            return
        if where.kind == "board":
            self._board(session, store, where.slug, blob)
        elif where.kind == "post":
            self._post(session, store, where, blob, status, logged)
        elif where.kind == "comment":
            self._comment(session, store, where, blob, logged)

    def _board(self, session, store, slug: str, blob: str | None) -> None:
        row = session.get(BoardRow, slug)
        if blob is None:
            if row is not None:
                session.delete(row)
            return
        doc = json.loads(store.read_blob(blob))
        settings, position = json.dumps(doc, ensure_ascii=False), int(doc.get("order", 100))
        if row is None:
            session.flush()
            posts = session.scalar(select(func.count()).select_from(PostRow).where(PostRow.board == slug)) or 0
            session.add(BoardRow(slug=slug, settings=settings, position=position,
                                 posts=posts - self._posts_added.pop(slug, 0)))
        else:
            row.settings, row.position = settings, position

    def _post(self, session, store, where, blob: str | None, status: str, logged) -> None:
        slug, post_id, info = where.slug, where.post, logged.info
        row = session.get(PostRow, (slug, post_id))
        session.add(PostRevision(board=slug, post=post_id, revision=info.revision, status=status,
                                 author_name=info.author.name, author_email=info.author.email, date=info.date,
                                 message=info.message.strip()))
        if blob is None:
            if row is not None:
                session.delete(row)
                self._count(session, slug, -1)
                session.execute(delete(TagRow).where(TagRow.board == slug, TagRow.post == post_id))
            self._mentions(session, slug, post_id, "", None, None, info)
            return
        meta, markdown = parse_doc(store.read_blob(blob))
        author = meta.get("author") if isinstance(meta.get("author"), dict) else {}
        fields = dict(title=str(meta.get("title", ""))[:300], author=str(author.get("username", "")),
                      author_name=str(author.get("name", "")),
                      created=_time(meta.get("created")) or info.date,
                      pinned_until=_time(meta.get("pinned_until")), has_poll=bool(meta.get("poll")),
                      revision=info.revision, updated=info.date)
        if row is None:
            comments = session.scalar(select(func.count()).select_from(CommentRow).where(
                CommentRow.board == slug, CommentRow.post == post_id)) or 0
            session.add(PostRow(board=slug, id=post_id, comments=comments, **fields))
            self._count(session, slug, +1)
        else:
            for key, value in fields.items():
                setattr(row, key, value)
            session.execute(delete(TagRow).where(TagRow.board == slug, TagRow.post == post_id))
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        for tag in dict.fromkeys(str(t)[:64] for t in tags if str(t).strip()):
            session.add(TagRow(board=slug, post=post_id, tag=tag, created=fields["created"]))
        self._mentions(session, slug, post_id, "", markdown, author, info, status == "A")

    def _comment(self, session, store, where, blob: str | None, logged) -> None:
        slug, post_id, cid = where.slug, where.post, where.item
        row = session.get(CommentRow, (slug, post_id, cid))
        if blob is None:
            if row is not None:
                session.delete(row)
                self._comments(session, slug, post_id, -1)
            self._mentions(session, slug, post_id, cid, None, None, logged.info)
            return
        if row is None:
            session.add(CommentRow(board=slug, post=post_id, id=cid))
            self._comments(session, slug, post_id, +1)
        meta, markdown = parse_doc(store.read_blob(blob))
        author = meta.get("author") if isinstance(meta.get("author"), dict) else {}
        self._mentions(session, slug, post_id, cid, markdown, author, logged.info, row is None)

    def _count(self, session, slug: str, step: int) -> None:
        self._posts_added[slug] = self._posts_added.get(slug, 0) + step

    @staticmethod
    def _comments(session, slug: str, post_id: str, step: int) -> None:
        session.execute(update(PostRow).where(PostRow.board == slug, PostRow.id == post_id)
                        .values(comments=PostRow.comments + step))

    @staticmethod
    def _mentions(session, slug: str, post_id: str, cid: str, markdown: str | None, author: dict | None,
                  info, new: bool = False) -> None:
        """Rows for the people the document names now; one already mentioned keeps the first date."""
        where = (Mention.board == slug, Mention.post == post_id, Mention.comment == cid)
        names = set(mentioned(markdown)) if markdown is not None else set()
        names.discard(str((author or {}).get("username", "")))
        if new and not names:
            return  # a new document names no one: nothing to look up
        existing = set() if new else set(session.scalars(select(Mention.username).where(*where)))
        gone = existing - names
        if gone:
            session.execute(delete(Mention).where(*where, Mention.username.in_(gone)))
        for username in sorted(names - existing):
            session.add(Mention(username=username, board=slug, post=post_id, comment=cid,
                                author=str((author or {}).get("username", "")),
                                author_name=str((author or {}).get("name", "")), date=info.date,
                                revision=info.revision))
