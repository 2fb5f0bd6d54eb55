"""The co-editing plugin's table in the state database: unsaved live text, kept as drafts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import Base, UTCDateTime


class Draft(Base):
    """The live text of one editing session that was not saved yet (written a moment after the typing stops),
    so that a server restart loses nothing: the next session of the page offers it back."""

    __tablename__ = "coedit_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)
    epoch: Mapped[str] = mapped_column(String(40), unique=True)  # the editing session that wrote it
    text: Mapped[str] = mapped_column(Text, default="")
    base_revision: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the commit it started from
    authors: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{username, name, email}] of its editors
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
