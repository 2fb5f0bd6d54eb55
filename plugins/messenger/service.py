"""The messenger's rules, without HTTP or sockets: who may see what, and how a message is stored exactly once.

Ordering: a send first bumps its conversation's `last_seq` (an UPDATE: the row stays locked until commit), then
inserts the message. Two sends to one conversation are therefore serialised, and a message's id and seq are
given while the lock is held: within a conversation, a larger id is always committed after a smaller one. A
client that has seen message N and asks for `after=N` can never miss one committed later with a smaller id.

Idempotency: `(sender, client_id)` is unique. A repeated send finds the first message and returns it; two sends
racing with the same client_id both try to insert, the loser's unique violation rolls its transaction back
(its seq bump included) and it returns the winner's message.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy import delete as delete_rows
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from wiki.api import (
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    core,
    department_members,
    display_names,
    notify,
    person,
)

from . import flood, thumbnails
from .models import Conversation, Member, Message, SharedFile

MAX_TEXT = 10_000
MAX_CLIENT_ID = 100
MAX_TITLE = 200
MAX_MEMBERS = 1_000
MENTION = re.compile(r"(?<![\w.@-])@([\w.-]{1,100})")
WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]{1,500})(?:\|[^\[\]\n]*)?\]\]|(?<![\w/])/wiki/([^\s<>\"')\]]{1,500})")


def now() -> datetime:
    return datetime.now(UTC)


def db():
    return core().db


# -- shapes -------------------------------------------------------------------------------------------------------
def message_json(row: Message) -> dict:
    return {"id": row.id, "conversation": row.conversation_id, "seq": row.seq, "sender": row.sender,
            "text": "" if row.deleted else row.text, "date": row.date.isoformat(), "client_id": row.client_id,
            "edited": row.edited_at is not None, "deleted": bool(row.deleted),
            "edited_at": row.edited_at.isoformat() if row.edited_at else None,
            "mentions": [] if row.deleted else [m for m in (row.mentions or "").split("\n") if m],
            "links": [] if row.deleted else wiki_links(row.text), "kind": row.kind,
            "file": None if row.deleted or row.kind != "file" else file_json(row), "change": row.change}


def file_json(row: Message) -> dict | None:
    """The shared file of a `file` message: `{id, name, size, type, image, url, preview, width, height}`."""
    from . import files

    session = object_session(row)
    found = session.scalar(select(SharedFile).where(SharedFile.message_id == row.id)) if session else None
    if found is None:
        return None
    image = found.content_type.startswith("image/")
    return {"id": found.id, "name": found.name, "size": found.size, "type": found.content_type, "image": image,
            "url": files.url(found.id), "preview": files.url(found.id) + "?preview" if image else None,
            "width": found.width, "height": found.height}


def wiki_links(text: str) -> list[str]:
    """Wiki page paths the text links to (`[[경로]]` or `/wiki/경로`); the page asks for titles it may read."""
    from urllib.parse import unquote

    found = []
    for match in WIKI_LINK.finditer(text or ""):
        path = (match.group(1) or unquote(match.group(2) or "")).strip().strip("/")
        if path and path not in found:
            found.append(path)
    return found[:20]


def conversation_json(session, conv: Conversation, me: str) -> dict:
    members = session.scalars(select(Member).where(Member.conversation_id == conv.id)
                              .order_by(Member.joined_at, Member.username)).all()
    mine = next((m for m in members if m.username == me), None)
    last = session.scalar(select(Message).where(Message.conversation_id == conv.id)
                          .order_by(Message.id.desc()).limit(1))
    names = display_names([m.username for m in members] + [me])
    title = conv.title
    if not title:
        others = [m.username for m in members if m.username != me]
        title = ", ".join(names[u] for u in others[:4]) + (" 외" if len(others) > 4 else "") or names[me]
    return {"id": conv.id, "title": title, "custom_title": conv.title, "kind": conv.kind,
            "created_by": conv.created_by, "created_at": conv.created_at.isoformat(),
            "members": [{"username": m.username, "name": names[m.username], "last_read_id": m.last_read_id}
                        for m in members],
            "last_read_id": mine.last_read_id if mine else 0,
            "unread": _unread(session, conv.id, me, mine.last_read_id if mine else 0),
            "last_message": message_json(last) if last else None}


def _unread(session, conversation_id: int, me: str, last_read: int) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation_id, Message.id > last_read, Message.sender != me,
        Message.deleted.is_(False))) or 0


# -- membership ---------------------------------------------------------------------------------------------------
def member_of(session, conversation_id: int, me: str) -> Conversation:
    """The conversation, when `me` is a member; otherwise NotFound (its existence is not revealed)."""
    conv = session.get(Conversation, conversation_id) if isinstance(conversation_id, int) else None
    if conv is None or session.get(Member, (conversation_id, me)) is None:
        raise NotFound("No such conversation, or you are not a member of it.")
    return conv


def is_member(conversation_id: int, me: str) -> bool:
    with db().session() as session:
        return session.get(Member, (conversation_id, me)) is not None


def members(conversation_id: int) -> list[str]:
    with db().session() as session:
        return list(session.scalars(select(Member.username).where(Member.conversation_id == conversation_id)))


def contacts(me: str) -> list[str]:
    """Everyone who shares a conversation with `me` (who sees their presence)."""
    with db().session() as session:
        mine = select(Member.conversation_id).where(Member.username == me)
        return sorted(set(session.scalars(select(Member.username).where(Member.conversation_id.in_(mine)))))


def _people(usernames: object, department: object) -> tuple[list[str], str]:
    """Validated user names (each a known person) plus a department's people; and the department's name."""
    if usernames is None:
        usernames = []
    if not isinstance(usernames, list) or not all(isinstance(u, str) for u in usernames):
        raise InvalidInput("'members' must be a list of user names.")
    chosen: list[str] = []
    for username in (u.strip() for u in usernames):
        if username and username not in chosen:
            if person(username) is None:
                raise InvalidInput(f"There is no colleague with the user name '{username}'.", username=username)
            chosen.append(username)
    department_name = ""
    if department not in (None, ""):
        if not isinstance(department, str):
            raise InvalidInput("'department' must be a department id of the org chart.")
        found = department_members(department)
        if found is None:
            raise InvalidInput(f"The org chart has no department '{department}'.")
        department_name = found[0]
        chosen += [u for u in found[1] if u not in chosen]
    if len(chosen) > MAX_MEMBERS:
        raise InvalidInput(f"A conversation has at most {MAX_MEMBERS} members.")
    return chosen, department_name


def _title(title: object) -> str:
    if title is None:
        return ""
    if not isinstance(title, str) or len(title.strip()) > MAX_TITLE:
        raise InvalidInput(f"'title' must be text of at most {MAX_TITLE} characters.")
    return title.strip()


# -- conversations ------------------------------------------------------------------------------------------------
def create_conversation(me: str, usernames: object, title: object = None, department: object = None,
                        ) -> tuple[dict, bool]:
    """A new conversation with `me` and the people named (or a department's); a one-to-one conversation with
    the same person is reused. Answers (conversation, created)."""
    chosen, department_name = _people(usernames, department)
    others = [u for u in chosen if u != me]
    if not others:
        raise InvalidInput("Name at least one colleague other than yourself in 'members' or 'department'.")
    title = _title(title) or department_name
    direct = len(others) == 1 and not title and not department
    key = "\n".join(sorted([me, others[0]])) if direct else None
    moment = now()
    with db().writing() as session:
        if key is not None:
            existing = session.scalar(select(Conversation).where(Conversation.direct_key == key))
            if existing is not None:
                for username in (me, others[0]):
                    if session.get(Member, (existing.id, username)) is None:
                        session.add(Member(conversation_id=existing.id, username=username, joined_at=moment,
                                           last_read_id=0))
                session.flush()
                return conversation_json(session, existing, me), False
        conv = Conversation(title=title, kind="direct" if direct else "group", direct_key=key, created_by=me,
                            created_at=moment, last_seq=0)
        session.add(conv)
        try:
            session.flush()
        except IntegrityError:  # the same one-to-one conversation was created at the same moment
            session.rollback()
            return create_conversation(me, usernames, title, department)
        for username in [me, *others]:
            session.add(Member(conversation_id=conv.id, username=username, joined_at=moment, last_read_id=0))
        session.flush()
        return conversation_json(session, conv, me), True


def list_conversations(me: str) -> list[dict]:
    with db().session() as session:
        ids = select(Member.conversation_id).where(Member.username == me)
        convs = session.scalars(select(Conversation).where(Conversation.id.in_(ids))).all()
        items = [conversation_json(session, c, me) for c in convs]
    items.sort(key=lambda c: (c["last_message"]["id"] if c["last_message"] else 0, c["id"]), reverse=True)
    return items


def get_conversation(me: str, conversation_id: int) -> dict:
    with db().session() as session:
        return conversation_json(session, member_of(session, conversation_id, me), me)


def rename(me: str, conversation_id: int, title: object) -> dict:
    with db().writing() as session:
        conv = member_of(session, conversation_id, me)
        if conv.kind == "direct":
            raise InvalidInput("A one-to-one conversation has no title of its own.")
        conv.title = _title(title)
        session.flush()
        return conversation_json(session, conv, me)


def add_members(me: str, conversation_id: int, usernames: object, department: object = None) -> dict:
    chosen, _ = _people(usernames, department)
    with db().writing() as session:
        conv = member_of(session, conversation_id, me)
        if conv.kind == "direct":
            raise InvalidInput("Start a group conversation to talk with more people.")
        current = set(session.scalars(select(Member.username).where(Member.conversation_id == conv.id)))
        if len(current | set(chosen)) > MAX_MEMBERS:
            raise InvalidInput(f"A conversation has at most {MAX_MEMBERS} members.")
        # newcomers start with everything before they joined marked as read
        newest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conv.id)) or 0
        for username in chosen:
            if username not in current:
                session.add(Member(conversation_id=conv.id, username=username, joined_at=now(),
                                   last_read_id=newest))
        session.flush()
        return conversation_json(session, conv, me)


def leave(me: str, conversation_id: int) -> list[str]:
    """Leave; answers the members who remain."""
    with db().writing() as session:
        conv = member_of(session, conversation_id, me)
        session.delete(session.get(Member, (conv.id, me)))
        session.flush()
        return list(session.scalars(select(Member.username).where(Member.conversation_id == conv.id)))


# -- messages -----------------------------------------------------------------------------------------------------
def _limit(limit: object, default: int = 50) -> int:
    try:
        value = int(limit) if limit not in (None, "") else default
    except (TypeError, ValueError):
        raise InvalidInput("'limit' must be a whole number.") from None
    return max(1, min(value, 500))


def _message_id(value: object, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{name}' must be a message id.") from None
    if number < 0:
        raise InvalidInput(f"'{name}' must be a message id.")
    return number


def messages(me: str, conversation_id: int, after: object = None, before: object = None,
             limit: object = None, changed_after: object = None) -> dict:
    """`after=N` (0: from the start; the default): the next messages in order, `next` the cursor to go on
    with (None at the end: catch up again later with the last id seen). `before=N` (or `before=latest`): the
    `limit` messages before N, in order, with `previous` the cursor to page further back. `changed_after=C`:
    the messages stored, edited or deleted since change C, in the order of those changes (a reconnect's
    catch-up: new ones and edits alike), `next` to go on with. Every answer carries `last_change`: catching up
    from it later misses nothing that happened after this answer."""
    count = _limit(limit)
    with db().session() as session:
        # read first: every change up to it is committed, so whatever the queries below see, the cursor is safe
        last_change = member_of(session, conversation_id, me).last_change
        query = select(Message).where(Message.conversation_id == conversation_id)
        if changed_after not in (None, ""):
            since = _message_id(changed_after, "changed_after")
            rows = session.scalars(query.where(Message.change > since).order_by(Message.change)
                                   .limit(count + 1)).all()
            more = len(rows) > count
            rows = rows[:count]
            return {"items": [message_json(r) for r in rows], "next": str(rows[-1].change) if more else None,
                    "last_change": rows[-1].change if more else max([since, last_change, *(r.change for r in rows)])}
        if before not in (None, ""):
            if before != "latest":
                query = query.where(Message.id < _message_id(before, "before"))
            rows = list(reversed(session.scalars(query.order_by(Message.id.desc()).limit(count + 1)).all()))
            more = len(rows) > count
            rows = rows[1:] if more else rows
            return {"items": [message_json(r) for r in rows], "last_change": last_change,
                    "previous": str(rows[0].id) if more and rows else None, "next": None}
        start = _message_id(after, "after") if after not in (None, "") else 0
        rows = session.scalars(query.where(Message.id > start).order_by(Message.id).limit(count + 1)).all()
        more = len(rows) > count
        rows = rows[:count]
        return {"items": [message_json(r) for r in rows], "next": str(rows[-1].id) if more else None,
                "last_change": last_change}


def _text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("'text' must be non-empty text.")
    if len(text) > MAX_TEXT:
        raise TooLarge(f"A message is at most {MAX_TEXT:,} characters.")
    # NFC: Hangul typed on a system that sends it decomposed (NFD, macOS) must be found by a search typed NFC
    return unicodedata.normalize("NFC", text)


def _mentions(text: str, member_names: list[str]) -> str:
    named = [m for m in dict.fromkeys(MENTION.findall(text)) if m in member_names or m in ("all", "모두")]
    return "\n".join(named)


def _existing(session, me: str, client_id: str) -> Message | None:
    return session.scalar(select(Message).where(Message.sender == me, Message.client_id == client_id))


def send(me: str, conversation_id: object, client_id: object, text: object) -> tuple[dict, bool, list[str]]:
    """Store a message once: (message, stored now, members to tell). The message is committed when this
    returns: the acknowledgement may be sent."""
    return _store(me, conversation_id, client_id, _text(text))


def share_file(me: str, conversation_id: object, client_id: object, name: object, data: bytes,
               caption: object = None) -> tuple[dict, bool, list[str]]:
    """Store a file with its message (kind `file`, the caption as its text), once per client_id, like send."""
    from . import files

    name = files.clean_name(name)
    content_type = files.check(name, data)
    if caption not in (None, "") and not isinstance(caption, str):
        raise InvalidInput("'text' (the caption) must be text.")
    text = unicodedata.normalize("NFC", (caption or "").strip())
    if len(text) > MAX_TEXT:
        raise TooLarge(f"A message is at most {MAX_TEXT:,} characters.")
    preview = thumbnails.make(data, content_type)  # before the transaction: decoding takes tens of ms
    return _store(me, conversation_id, client_id, text, (name, content_type, data, preview))


# a send's statements, built once (Core, on the tables: no ORM bookkeeping on the hot path)
_conversations, _members, _messages = Conversation.__table__, Member.__table__, Message.__table__
_BUMP = (update(_conversations).where(_conversations.c.id == bindparam("conversation"))
         .values(last_seq=_conversations.c.last_seq + 1, last_change=_conversations.c.last_change + 1)
         .returning(_conversations.c.last_seq, _conversations.c.last_change))
_NEXT_CHANGE = (update(_conversations).where(_conversations.c.id == bindparam("conversation"))
                .values(last_change=_conversations.c.last_change + 1).returning(_conversations.c.last_change))
_REPEAT = select(_messages.c.id).where(_messages.c.sender == bindparam("sender"),
                                       _messages.c.client_id == bindparam("client_id"))
_MEMBERS = select(_members.c.username).where(_members.c.conversation_id == bindparam("conversation"))
_READ_OWN = (update(_members).where(_members.c.conversation_id == bindparam("conversation"),
                                    _members.c.username == bindparam("who"),
                                    _members.c.last_read_id < bindparam("message"))
             .values(last_read_id=bindparam("message")))


Attached = tuple[str, str, bytes, "thumbnails.Preview | None"]  # name, type, bytes, preview


def _store(me: str, conversation_id: object, client_id: object, text: str, attached: Attached | None = None,
           again: bool = True) -> tuple[dict, bool, list[str]]:
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        raise InvalidInput("'conversation' must be a conversation id.")
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > MAX_CLIENT_ID:
        raise InvalidInput(f"'client_id' must be text of 1 to {MAX_CLIENT_ID} characters, unique per message.")
    try:
        with db().writing() as session:
            # the write comes first: it takes the conversation's lock (SQLite: the database's) before any read
            seq, change = session.execute(_BUMP, {"conversation": conversation_id}).first() or (None, None)
            if session.execute(_REPEAT, {"sender": me, "client_id": client_id}).first() is not None:
                stored = message_json(_existing(session, me, client_id))  # a repeat: the stored message, nothing
                session.rollback()  # stored (the bump is rolled back)
                return stored, False, []
            names = list(session.execute(_MEMBERS, {"conversation": conversation_id}).scalars())
            if seq is None or me not in names:
                raise NotFound("No such conversation, or you are not a member of it.")
            flood.take_send(session, me)  # after the repeat check: a retry of a stored message is never refused
            row = Message(conversation_id=conversation_id, seq=seq, sender=me, client_id=client_id, text=text,
                          mentions=_mentions(text, names), kind="file" if attached else "text", date=now(),
                          deleted=False, change=change)
            session.add(row)
            session.flush()
            if attached:
                name, content_type, data, preview = attached
                session.add(SharedFile(message_id=row.id, conversation_id=conversation_id, uploader=me, name=name,
                                       content_type=content_type, size=len(data), created_at=row.date, data=data,
                                       sha256=hashlib.sha256(data).hexdigest(),
                                       width=preview.width if preview else None,
                                       height=preview.height if preview else None,
                                       preview=preview.data if preview else None))
                session.flush()
            stored = message_json(row)
            session.execute(_READ_OWN, {"conversation": conversation_id, "who": me, "message": row.id})
    except IntegrityError:
        with db().session() as session:  # lost the race to the same client_id: the winner's is the message
            first = _existing(session, me, client_id)
            winner = message_json(first) if first is not None else None
        if winner is not None:
            return winner, False, []
        if again:  # another race (a person's first send from two processes at once): once more
            return _store(me, conversation_id, client_id, text, attached, again=False)
        raise
    _notify_mentions(me, stored, names)
    return stored, True, names


def _notify_mentions(me: str, message: dict, members: list[str]) -> None:
    """Mentioned members (everyone for @all/@모두) get a notification in the header's bell, once a message; the
    conversation's own unread count already tells the rest."""
    named = set(message.get("mentions") or ())
    told = members if named & {"all", "모두"} else [m for m in members if m in named]
    if not told:
        return
    sender = display_names([me]).get(me, me)
    preview = (message.get("text") or "")[:120]
    notify(told, "mention", f"{sender}님이 메신저에서 언급했습니다 ({sender} mentioned you)",
           url=f"/messenger#{message['conversation']}", body=preview, actor=me, source="messenger",
           key=f"messenger:mention:{message['id']}")


def _own(session, me: str, message_id: object) -> Message:
    row = session.get(Message, message_id) if isinstance(message_id, int) else None
    if row is None or session.get(Member, (row.conversation_id, me)) is None:
        raise NotFound("No such message.")
    if row.sender != me:
        raise Forbidden("Only the sender may change or delete a message.")
    if row.deleted:
        raise InvalidInput("The message was deleted.")
    return row


def edit(me: str, message_id: object, text: object) -> tuple[dict, list[str]]:
    text = _text(text)
    with db().writing() as session:
        row = _own(session, me, message_id)
        names = list(session.scalars(select(Member.username).where(Member.conversation_id == row.conversation_id)))
        row.text, row.mentions, row.edited_at = text, _mentions(text, names), now()
        row.change = session.execute(_NEXT_CHANGE, {"conversation": row.conversation_id}).scalar()
        session.flush()
        return message_json(row), names


def delete(me: str, message_id: object) -> tuple[dict, list[str]]:
    with db().writing() as session:
        row = _own(session, me, message_id)
        row.deleted, row.edited_at = True, now()
        row.change = session.execute(_NEXT_CHANGE, {"conversation": row.conversation_id}).scalar()
        session.execute(delete_rows(SharedFile).where(SharedFile.message_id == row.id))  # no longer fetchable
        session.flush()
        names = list(session.scalars(select(Member.username).where(Member.conversation_id == row.conversation_id)))
        return message_json(row), names


def mark_read(me: str, conversation_id: object, message_id: object) -> tuple[int, list[str]]:
    """Move the read marker forward (never back) to message_id (or the newest); answers it and the members."""
    if not isinstance(conversation_id, int):
        raise InvalidInput("'conversation' must be a conversation id.")
    with db().writing() as session:
        member_of(session, conversation_id, me)
        newest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id)) or 0
        upto = newest if message_id in (None, "") else min(_message_id(message_id, "message"), newest)
        mine = session.get(Member, (conversation_id, me))
        mine.last_read_id = max(mine.last_read_id, upto)
        names = list(session.scalars(select(Member.username).where(Member.conversation_id == conversation_id)))
        return mine.last_read_id, names


def unread(me: str) -> dict:
    with db().session() as session:
        rows = session.execute(
            select(Member.conversation_id, func.count(Message.id))
            .join(Message, and_(Message.conversation_id == Member.conversation_id, Message.id > Member.last_read_id,
                                Message.sender != me, Message.deleted.is_(False)))
            .where(Member.username == me).group_by(Member.conversation_id)).all()
    by_conversation = {str(conv): count for conv, count in rows if count}
    return {"total": sum(by_conversation.values()), "conversations": by_conversation}


def search(me: str, query: object, conversation_id: object = None, limit: object = None) -> list[dict]:
    """Messages containing the words of `query`, newest first, in the caller's conversations only."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("'q' must be the text to look for.")
    words = unicodedata.normalize("NFC", query).split()[:10]
    with db().session() as session:
        mine = select(Member.conversation_id).where(Member.username == me)
        stmt = select(Message).where(Message.conversation_id.in_(mine), Message.deleted.is_(False))
        if conversation_id not in (None, ""):
            stmt = stmt.where(Message.conversation_id == _message_id(conversation_id, "conversation"))
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(or_(Message.text.like(f"%{escaped}%", escape="\\")))
        rows = session.scalars(stmt.order_by(Message.id.desc()).limit(_limit(limit))).all()
        return [message_json(r) for r in rows]


def get_file(me: str, file_id: int, preview: bool = False) -> tuple[str, str, bytes]:
    """(name, type, bytes) of a shared file, for members of its conversation only (404 for anyone else). With
    `preview`, an image's small preview (WebP) when it has one, else the image itself."""
    with db().session() as session:
        membership = and_(Member.conversation_id == SharedFile.conversation_id, Member.username == me)
        found = session.scalar(select(SharedFile).join(Member, membership).where(SharedFile.id == file_id))
        if found is None:
            raise NotFound("No such file, or you are not a member of its conversation.")
        if preview and found.content_type.startswith("image/") and found.preview:
            return found.name, "image/webp", found.preview
        return found.name, found.content_type, found.data
