"""A tile's HTML, built once per (system, language, starred, movable) and kept: with 160 systems the page would
otherwise spend most of its time in a template macro. Every tile's buttons submit the page's one form (the CSRF
token is written once), each with its own `formaction`."""
from __future__ import annotations

import functools

from markupsafe import Markup, escape

from wiki.api import current_language, t

from .registry import System


def icon_html(icon: str, name: str) -> Markup:
    if icon.startswith("/") or icon.startswith("data:image/"):
        return Markup('<img src="{}" alt="" width="40" height="40">').format(icon)
    return escape(icon or name[:1])


@functools.lru_cache(maxsize=4096)
def _tile(system: System, lang: str, starred: bool, movable: bool) -> Markup:
    del lang  # part of the key: t() below answers in the reader's language
    star_label = t("launcher.unstar") if starred else t("launcher.star")
    parts = [Markup('<li class="launcher-tile" data-search="{}">'
                    '<a class="launcher-open" href="/launcher/open/{}">'
                    '<span class="launcher-icon" aria-hidden="true">{}</span>'
                    '<span class="launcher-name">{}</span>').format(
        system.search_text, system.id, icon_html(system.icon, system.name), system.name)]
    if system.description:
        parts.append(Markup('<span class="launcher-desc">{}</span>').format(system.description))
    if system.category:
        parts.append(Markup('<span class="launcher-cat">{}</span>').format(system.category))
    parts.append(Markup('</a><button type="submit" form="launcher-actions" formaction="/launcher/favourite/{}" '
                        'class="launcher-star{}" aria-pressed="{}" title="{}">{}'
                        '<span class="visually-hidden">{}: {}</span></button>').format(
        system.id, " is-on" if starred else "", "true" if starred else "false", star_label,
        "★" if starred else "☆", star_label, system.name))
    if movable:
        parts.append(Markup(
            '<span class="launcher-move">'
            '<button type="submit" form="launcher-actions" formaction="/launcher/move/{id}" name="step" value="up" '
            'title="{up}">‹<span class="visually-hidden">{up}: {name}</span></button>'
            '<button type="submit" form="launcher-actions" formaction="/launcher/move/{id}" name="step" '
            'value="down" title="{down}">›<span class="visually-hidden">{down}: {name}</span></button>'
            '</span>').format(id=system.id, up=t("launcher.up"), down=t("launcher.down"), name=system.name))
    parts.append(Markup("</li>"))
    return Markup("").join(parts)


def tile(system: System, starred: bool, movable: bool = False) -> Markup:
    return _tile(system, current_language(), starred, movable)
