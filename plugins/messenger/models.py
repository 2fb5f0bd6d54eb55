"""The messenger's tables in the state database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from wiki.api import Base, UTCDateTime


class Conversation(Base):
    __tablename__ = "messenger_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10), default="group")  # "direct" | "group"
    direct_key: Mapped[str | None] = mapped_column(String(300), unique=True, nullable=True)  # "a\nb" for 1:1
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # the counter that orders its messages
    last_change: Mapped[int] = mapped_column(Integer, default=0)  # the counter of its messages' changes


class Member(Base):
    __tablename__ = "messenger_members"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("messenger_conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)  # the newest message id the member has read
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_messenger_members_username", "username"),)


class Message(Base):
    __tablename__ = "messenger_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("messenger_conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... within the conversation, in commit order
    sender: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    mentions: Mapped[str] = mapped_column(Text, default="")  # user names, one a line
    kind: Mapped[str] = mapped_column(String(10), default="text")  # "text" | "file" | "system"
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # the conversation's change counter when the message was stored, edited or deleted last: a client that was
    # away asks for everything changed after the highest it saw (`?changed_after=`) and misses no edit either
    change: Mapped[int] = mapped_column("change_no", Integer, default=0)

    __table_args__ = (UniqueConstraint("sender", "client_id", name="uq_messenger_sender_client_id"),
                      UniqueConstraint("conversation_id", "seq", name="uq_messenger_conversation_seq"),
                      Index("ix_messenger_messages_change", "conversation_id", "change_no"))


class SharedFile(Base):
    """A file or image shared in a conversation, kept in the state database beside its message (README.md says
    why): written in the message's transaction, fetched only by the conversation's members, gone with the
    message when it is deleted."""

    __tablename__ = "messenger_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messenger_messages.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("messenger_conversations.id", ondelete="CASCADE"),
                                                 index=True)
    uploader: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # what it is served as (images only: their own type)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # loaded only when the file is fetched
    # images: the upright size, and a small WebP preview unless the image is small enough itself (thumbnails.py)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    preview: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))


class Presence(Base):
    """One row per open socket: a person is online while one of theirs says so, away while all say away."""

    __tablename__ = "messenger_presence"

    sid: Mapped[str] = mapped_column(String(100), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(10), default="online")
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class SendBudget(Base):
    """A person's flood bucket for sends (flood.py): in the database, so every process takes from the same one."""

    __tablename__ = "messenger_send_budget"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)  # Unix time of the last send (a wall clock: processes share it)
