"""The admin console's sections: each admin module adds its own, and `admin/base.html` lists them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class AdminSection:
    endpoint: str
    label_key: str  # an i18n key
    order: int


SECTIONS: list[AdminSection] = []


def admin_section(endpoint: str, label_key: str, order: int) -> None:
    """Register a section of the admin console (idempotent: a module may be imported twice in tests)."""
    section = AdminSection(endpoint, label_key, order)
    if section not in SECTIONS:
        SECTIONS.append(section)
        SECTIONS.sort(key=lambda s: s.order)


def register(app: Flask) -> None:
    @app.context_processor
    def _sections() -> dict:
        return {"admin_sections": SECTIONS}
