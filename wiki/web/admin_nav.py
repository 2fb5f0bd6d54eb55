"""The admin console's sections: each admin module adds its own, and `admin/base.html` lists them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

from .i18n import t


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


def sections() -> list[dict]:
    """The console's sections for the admin asking: the core's, then enabled plugins' (hook
    `madang_admin_sections`), each `{"url", "label", "current"}`, by order. A failing plugin loses its entries."""
    from .context import core, user
    from .ui import localized

    entries = [{"url": url_for(s.endpoint), "label": t(s.label_key), "order": s.order,
                "current": request.endpoint == s.endpoint}
               for s in SECTIONS if s.endpoint in current_app.view_functions]
    host = getattr(core(), "plugins", None)
    if host is not None:
        try:
            for result in host.hook("madang_admin_sections")(user=user()):
                for item in result or []:
                    url = str(item["url"])
                    if url.startswith("/") and not url.startswith("//"):
                        entries.append({"url": url, "label": localized(item["label"]), "order": item.get("order", 80),
                                        "current": request.path == url})
        except Exception:  # any plugin bug: see the docstring
            current_app.logger.exception("a plugin's madang_admin_sections failed")
    return sorted(entries, key=lambda entry: entry["order"])


def register(app: Flask) -> None:
    @app.context_processor
    def _sections() -> dict:
        return {"admin_sections": sections}
