"""State-database tables of the boards: what is not a document (votes, reads, likes, last visits) and the
view of the documents (boards, posts, comments) that list pages query."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
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


class Answer(Base):
    """One person's text answer to a poll's free-text question, written with their ballot (same transaction)."""

    __tablename__ = "boards_answers"
    __table_args__ = (UniqueConstraint("board", "post", "username", "question", name="uq_boards_answer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(200))
    question: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


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


class Counter(Base):
    """A post's read and like counts, moved in the same transaction as the read mark or like that changes them,
    so that a list page reads them with the posts (one query) instead of counting marks."""

    __tablename__ = "boards_counters"
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(64), primary_key=True)
    reads: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)


class Visit(Base):
    __tablename__ = "boards_visits"
    __table_args__ = (UniqueConstraint("board", "username", name="uq_boards_visit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(200))
    seen: Mapped[datetime] = mapped_column(UTCDateTime)


# -- the index of the documents (rebuilt from commits: python -m wiki.cli rebuild-views --view boards_index) -----
# List pages, counts and histories read these tables only: never `git log`, never a count over a board's posts.
class BoardRow(Base):
    __tablename__ = "boards_index_boards"
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[str] = mapped_column(Text)  # the board.json document
    position: Mapped[int] = mapped_column(Integer, default=100)
    posts: Mapped[int] = mapped_column(Integer, default=0)  # kept by the view as posts come and go


class PostRow(Base):
    """One post as the list shows it; (board, created, id) is the order of the list, read by seeking."""

    __tablename__ = "boards_index_posts"
    __table_args__ = (Index("ix_boards_index_posts_order", "board", "created", "id"),
                      Index("ix_boards_index_posts_pinned", "board", "pinned_until"))
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200))  # username
    author_name: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    pinned_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    has_poll: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[str] = mapped_column(String(40), default="")  # the last commit that changed the post
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comments: Mapped[int] = mapped_column(Integer, default=0)  # kept by the view


class TagRow(Base):
    """A post under one of its tags, in the list's order, so a tag's list is read by seeking like the board's."""

    __tablename__ = "boards_index_tags"
    __table_args__ = (Index("ix_boards_index_tags_order", "board", "tag", "created", "post"),)
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class CommentRow(Base):
    __tablename__ = "boards_index_comments"
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)


class PostRevision(Base):
    """One commit that changed a post's text: the post's history and diff choices, without `git log`."""

    __tablename__ = "boards_index_revisions"
    __table_args__ = (Index("ix_boards_index_revisions_post", "board", "post", "seq"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(64))
    revision: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(1))  # A, M, D
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(200))
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)


class Mention(Base):
    """@username in a post or comment: one row per person and document, dated by the first commit that named
    them (an edit that keeps the mention does not mention them again)."""

    __tablename__ = "boards_index_mentions"
    __table_args__ = (Index("ix_boards_index_mentions_who", "username", "date"),
                      Index("ix_boards_index_mentions_doc", "board", "post", "comment"))
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    board: Mapped[str] = mapped_column(String(64), primary_key=True)
    post: Mapped[str] = mapped_column(String(64), primary_key=True)
    comment: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for the post itself
    author: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200))
    date: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[str] = mapped_column(String(40))
