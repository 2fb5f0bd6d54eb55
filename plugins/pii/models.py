"""The suppression list: which revisions a privacy officer withheld, by whom, when and why (state database, not
git: history cannot be rewritten here, so suppression hides instead)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.api import Base, UTCDateTime


class PiiSuppression(Base):
    __tablename__ = "pii_suppressions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)  # the page path (attachments: their page)
    revision: Mapped[str] = mapped_column(String(40))
    blobs: Mapped[list] = mapped_column(JSON, default=list)  # [[repository file, blob id], ...] withheld
    reason: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
