"""Parsing helpers for tests that check the HTML the app serves."""
from __future__ import annotations

from html.parser import HTMLParser


class FieldCollector(HTMLParser):
    """Form fields and label targets of a page, for the 'every field has a label' checks."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag in ("input", "textarea", "select") and attributes.get("type") not in ("hidden", "submit"):
            self.fields.append(attributes)
