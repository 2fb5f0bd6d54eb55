"""State-database tables of the boards: what is not a document (votes, reads, likes, last visits) and the
view of the documents (boards, posts, comments) that list pages query."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import Base, UTCDateTime


class Ballot(Base):
    """One person's vote in a post's poll; the unique constraint is what enforces one vote per person."""

    __tablename__ = "boards_ballots"
    __table_args__ = (UniqueConstraint("board", "post", "username", name="uq_boards_ballot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(200))
    choices: Mapped[str] = mapped_column(String(500))  # "0,2"
    date: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadMark(Base):
    __tablename__ = "boards_reads"
    __table_args__ = (UniqueConstraint("board", "post", "username", name="uq_boards_read"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(200))


class Like(Base):
    __tablename__ = "boards_likes"
    __table_args__ = (UniqueConstraint("board", "post", "username", name="uq_boards_like"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(200))


class Visit(Base):
    __tablename__ = "boards_visits"
    __table_args__ = (UniqueConstraint("board", "username", name="uq_boards_visit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(200))
    seen: Mapped[datetime] = mapped_column(UTCDateTime)


# -- the view of the documents (rebuilt from commits: python -m wiki.cli rebuild-views --view boards) -----------
class BoardRow(Base):
    __tablename__ = "boards_boards"
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[str] = mapped_column(Text)  # the board.json document
    position: Mapped[int] = mapped_column(Integer, default=100)


class PostRow(Base):
    __tablename__ = "boards_posts"
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200))  # username
    author_name: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    pinned_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    has_poll: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[str] = mapped_column(String(40), default="")  # the last commit that changed the post
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CommentRow(Base):
    __tablename__ = "boards_comments"
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
