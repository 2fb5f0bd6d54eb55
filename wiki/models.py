"""Tables of the core: accounts and tokens, and the views derived from commits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    department: Mapped[str] = mapped_column(String(200), default="")
    groups: Mapped[list] = mapped_column(JSON, default=list)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ViewState(Base):
    """The watermark of a view: the last commit it has applied."""

    __tablename__ = "view_state"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[str] = mapped_column(String(40), default="")


class CommitRow(Base):
    """Site-wide changes, in commit order (seq)."""

    __tablename__ = "commits"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[str] = mapped_column(String(40), unique=True)
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(320))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text)
    paths: Mapped[list] = mapped_column(JSON)


class PageRevision(Base):
    """One change of one page: the per-page history index. status: A M D, R (moved here from other_path),
    X (moved away to other_path)."""

    __tablename__ = "page_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(1000))
    revision: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(1))
    other_path: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    blob: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    size_delta: Mapped[int] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(320))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_page_revisions_path_id", "path", "id"),)


class CurrentPage(Base):
    """Pages that exist at the watermark, with what lists need without touching git."""

    __tablename__ = "current_pages"
    path: Mapped[str] = mapped_column(String(1000), primary_key=True)
    title: Mapped[str] = mapped_column(String(1000))
    blob: Mapped[str] = mapped_column(String(40))
    revision: Mapped[str] = mapped_column(String(40))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(320))
    size: Mapped[int] = mapped_column(Integer)


class PageLink(Base):
    """A wiki link from one current page to another path (which may not exist: a red link)."""

    __tablename__ = "page_links"
    source: Mapped[str] = mapped_column(String(1000), primary_key=True)
    target: Mapped[str] = mapped_column(String(1000), primary_key=True)
    __table_args__ = (Index("ix_page_links_target", "target"),)


class SignInFailure(Base):
    """Failed sign-ins per key ('user:NAME' or 'ip:ADDRESS') in the current window, for throttling."""

    __tablename__ = "sign_in_failures"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEntry(Base):
    """Who did what, when, from where: sign-ins, failures, tokens, rule changes, admin actions."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(1000), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# -- accounts: profiles, roles, tokens' use, preferences, local groups (issue 4) ------------------------------
# New tables rather than new columns of `users` and `api_tokens`: `create_all` adds tables to an existing
# database but never columns, and there are no migrations yet.

class AccountProfile(Base):
    """What an account has besides its password: role, where it comes from, and directory attributes.

    role: admin | editor | reader (a reader never edits, whatever the rules say). source: local | ldap.
    department_id: the org chart's department id (LDAP departmentNumber), when known."""

    __tablename__ = "account_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="editor")
    source: Mapped[str] = mapped_column(String(16), default="local")
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    department_id: Mapped[str] = mapped_column(String(200), default="")
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApiTokenUse(Base):
    """When an API token was last used (updated at most every few minutes, so reads stay reads)."""

    __tablename__ = "api_token_use"
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserPreference(Base):
    """A person's preferences: interface language (empty: follow the browser), time zone, editor options."""

    __tablename__ = "user_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    editor_preview: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LocalGroup(Base):
    """A group Madang itself manages (admins, /admin/groups). Members are in `users.groups`; on an LDAP sign-in
    the directory's groups replace the others, but a local group's membership stays."""

    __tablename__ = "local_groups"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# A person's recent edits (/people/<username>) read the commits table by author: an index on the new databases.
Index("ix_commits_author_email_seq", CommitRow.author_email, CommitRow.seq)


# -- notifications ---------------------------------------------------------------------------------------------
class NotificationRow(Base):
    """Something a person should see: a mention, a reply, a message. Written by plugins through
    `wiki.api.notify`, read at /notifications and the header's badge."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64), default="")  # the plugin (or "wiki")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(1000), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    actor: Mapped[str] = mapped_column(String(64), default="")
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)  # once per (person, key): no repeats
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (Index("ix_notifications_user_id", "username", "id"),
                      Index("ix_notifications_user_unread", "username", "read_at"),
                      Index("ux_notifications_user_key", "username", "key", unique=True))
