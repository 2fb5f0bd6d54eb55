"""Markdown → safe HTML for wiki pages.

One mistune parser (with a wiki-link inline rule) is shared by `render` and
`extract_links`, so the links a page shows and the backlinks computed from it
always agree.  Everything `render` returns has passed through bleach with an
explicit allow-list: mistune's escaping is the first line of defence, the
sanitiser the last.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any, ClassVar
from urllib.parse import unquote

import mistune
from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from mistune.plugins.footnotes import footnotes
from mistune.plugins.formatting import strikethrough
from mistune.plugins.table import table
from mistune.plugins.task_lists import task_lists
from mistune.plugins.url import url
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["Rendered", "extract_links", "pygments_css", "render"]

Token = dict[str, Any]


@dataclass
class Rendered:
    html: str  # sanitized HTML, safe to insert into a page
    toc: list[dict]  # [{"level": 2, "id": "h-...", "text": "..."}], in order
    links: list[str]  # wiki-link targets, deduplicated, in order of appearance
    title: str | None  # text of the first level-1 heading, if any


# --- per-render context ----------------------------------------------------

_CTX = "madang_ctx"  # key in mistune's per-parse env: never shared between renders
_LINKS = "madang_links"
_TOC_MARK = "<!--madang:toc-->"  # user text can't produce "<": raw HTML is escaped
_EXTERNAL_REL = "nofollow noopener noreferrer"


@dataclass
class _Context:
    """Callbacks and mutable state of one render, carried in mistune's env."""

    page_exists: Callable[[str], bool]
    page_url: Callable[[str], str]
    edit_url: Callable[[str], str]
    attachment_url: Callable[[str], str]
    toc: list[dict] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    exists_cache: dict[str, bool] = field(default_factory=dict)

    def exists(self, target: str) -> bool:
        """Ask the store once per target, however often a page links to it."""
        if target not in self.exists_cache:
            self.exists_cache[target] = bool(self.page_exists(target))
        return self.exists_cache[target]

    def unique_id(self, text: str) -> str:
        """Heading id, suffixed -2, -3… so anchors in one page never collide."""
        base = _slug(text)
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate


_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s-]+")


def _slug(text: str) -> str:
    """`h-` + text with Hangul etc. kept; the prefix stops DOM clobbering."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _SLUG_SPACE.sub("-", _SLUG_DROP.sub("", text)).strip("-")
    return "h-" + (text or "section")


def _plain_text(tokens: list[Token]) -> str:
    """Visible text of inline tokens, for heading ids, toc entries and alt."""
    parts = []
    for tok in tokens:
        kind = tok["type"]
        if kind in ("softbreak", "linebreak"):
            parts.append(" ")
        elif kind == "footnote_ref":
            continue
        elif "children" in tok:
            parts.append(_plain_text(tok["children"]))
        elif "raw" in tok:
            parts.append(tok["raw"])
    return "".join(parts).strip()


# --- wiki links ------------------------------------------------------------

_WIKILINK = r"\[\[(?P<wikilink_body>[^\[\]\n]+?)\]\]"
_LABEL_PIPE = re.compile(r"\\?\|")  # `\|` too, as needed inside table cells


def _split_wikilink(body: str) -> tuple[str, str, str]:
    """`Page#section|label` → (target, section, label); target NFC, trimmed per `/` part."""
    ref, label = (_LABEL_PIPE.split(body, maxsplit=1) + [""])[:2]
    target, _, section = ref.partition("#")
    parts = unicodedata.normalize("NFC", target).split("/")
    target = "/".join(part.strip() for part in parts if part.strip())
    section = section.strip()
    return target, section, label.strip() or ref.strip()


def _parse_wikilink(inline: Any, m: re.Match[str], state: Any) -> int | None:
    """Inline rule: emit a `wikilink` token and record its target."""
    target, section, label = _split_wikilink(m.group("wikilink_body"))
    if not target and not section:
        return None
    if target:
        state.env.setdefault(_LINKS, {})[target] = None
    attrs = {"target": target, "section": section}
    state.append_token({"type": "wikilink", "raw": label, "attrs": attrs})
    return m.end()


def _parse_toc(block: Any, m: re.Match[str], state: Any) -> int:
    """Block rule for a `[TOC]` line; filled in once all headings are known."""
    state.append_token({"type": "toc_marker"})
    return m.end() + 1


def _wiki_plugin(md: mistune.Markdown) -> None:
    """Register wiki links and [TOC]; table cells use `align`, not `style`."""
    md.inline.register("wikilink", _WIKILINK, _parse_wikilink, before="link", start_chars="[")
    md.block.register("toc_marker", r"^ {0,3}\[TOC\][ \t]*$", _parse_toc, before="ref_link")
    if md.renderer is not None:
        md.renderer.register("table_cell", _render_table_cell)


def _render_table_cell(
    renderer: Any, text: str, align: str | None = None, head: bool = False
) -> str:
    tag = "th" if head else "td"
    attr = f' align="{align}"' if align in ("left", "center", "right") else ""
    return f"<{tag}{attr}>{text}</{tag}>\n"


# --- code highlighting -----------------------------------------------------

_FORMATTER = HtmlFormatter(nowrap=True)
_LANG_CLASS = re.compile(r"^[\w.+#-]{1,40}$")


@lru_cache(maxsize=128)
def _lexer(lang: str) -> Lexer | None:
    """Cached lexer lookup (instances are stateless); None for unknown names."""
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def pygments_css() -> str:
    """Stylesheet for `.highlight` code blocks, served by the theme."""
    return HtmlFormatter(style="default").get_style_defs(".highlight")


# --- renderer --------------------------------------------------------------


class _WikiRenderer(mistune.HTMLRenderer):
    """HTML renderer whose per-render state lives in the parse env, not on self."""

    def render_token(self, token: Token, state: Any) -> str:
        handler = self._CONTEXT_HANDLERS.get(token["type"])
        if handler is None:
            return super().render_token(token, state)
        return handler(self, token, state, state.env[_CTX])

    def _heading(self, token: Token, state: Any, ctx: _Context) -> str:
        level = token["attrs"]["level"]
        text = _plain_text(token["children"])
        hid = ctx.unique_id(text)
        ctx.toc.append({"level": level, "id": hid, "text": text})
        inner = self.render_tokens(token["children"], state)
        anchor = '<a class="anchor" href="#' + escape(hid) + '" aria-hidden="true">#</a>'
        return f'<h{level} id="{escape(hid)}">{inner} {anchor}</h{level}>\n'

    def _wikilink(self, token: Token, state: Any, ctx: _Context) -> str:
        target, section = token["attrs"]["target"], token["attrs"]["section"]
        fragment = "#" + _slug(section) if section else ""
        attrs: dict[str, object] = {"class": "wikilink"}
        if not target:
            attrs["href"] = fragment
        elif ctx.exists(target):
            attrs["href"] = ctx.page_url(target) + fragment
        else:
            attrs["class"] = "wikilink new"
            attrs["href"] = ctx.edit_url(target)
            attrs["title"] = f"{target} (새 문서)"
        return "<a" + self.render_attrs(attrs) + ">" + escape(token["raw"]) + "</a>"

    def _link(self, token: Token, state: Any, ctx: _Context) -> str:
        href = _resolve_url(token["attrs"]["url"], ctx)
        attrs: dict[str, object] = {
            "href": self.sanitize_url(href),
            "title": token["attrs"].get("title"),
            "rel": _EXTERNAL_REL if _is_external(href) else None,
        }
        inner = self.render_tokens(token["children"], state)
        return "<a" + self.render_attrs(attrs) + ">" + inner + "</a>"

    def _image(self, token: Token, state: Any, ctx: _Context) -> str:
        src = _resolve_url(token["attrs"]["url"], ctx)
        attrs: dict[str, object] = {
            "src": self.sanitize_url(src),
            "alt": _plain_text(token["children"]),
            "title": token["attrs"].get("title"),
        }
        return "<img" + self.render_attrs(attrs) + " />"

    def _toc_marker(self, token: Token, state: Any, ctx: _Context) -> str:
        return _TOC_MARK + "\n"

    _CONTEXT_HANDLERS: ClassVar[dict[str, Callable[..., str]]] = {
        "heading": _heading,
        "wikilink": _wikilink,
        "link": _link,
        "image": _image,
        "toc_marker": _toc_marker,
    }

    def block_code(self, code: str, info: str | None = None) -> str:
        lang = info.split(None, 1)[0] if info and info.strip() else ""
        lexer = _lexer(lang.lower()) if lang else None
        body = highlight(code, lexer, _FORMATTER) if lexer else escape(code)
        cls = f' class="language-{lang}"' if _LANG_CLASS.match(lang) else ""
        return f'<pre class="highlight"><code{cls}>{body}</code></pre>\n'


def _resolve_url(href: str, ctx: _Context) -> str:
    """Turn `attachment:NAME` into the attachment's real URL."""
    if href[:11].lower() == "attachment:":
        return ctx.attachment_url(unquote(href[11:]))
    return href


def _is_external(href: str) -> bool:
    return href.lower().startswith(("http://", "https://", "//"))


def _toc_html(toc: list[dict]) -> str:
    """Nested <ul> inside <nav class="toc">, following heading levels."""
    if not toc:
        return '<nav class="toc"></nav>'
    base = min(entry["level"] for entry in toc)
    out, depth = ['<nav class="toc">'], 0
    for entry in toc:
        level = entry["level"] - base + 1
        if level > depth:
            out.append("<ul><li>" * (level - depth))
        else:
            out.append("</li></ul>" * (depth - level) + "</li><li>")
        depth = level
        out.append(f'<a href="#{escape(entry["id"])}">{escape(entry["text"])}</a>')
    out.append("</li></ul>" * depth + "</nav>")
    return "".join(out)


# --- sanitiser -------------------------------------------------------------

_TAGS = frozenset({
    "a", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "img", "input", "li", "nav", "ol", "p", "pre", "section", "span", "strong", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
})
_HEADING_ATTRS = ["id"]
_ATTRIBUTES: dict[str, Any] = {
    "a": ["href", "title", "class", "rel", "aria-hidden"],
    "img": ["src", "alt", "title", "width", "height"],
    "input": lambda tag, name, value: (
        name in ("class", "checked", "disabled") or (name, value) == ("type", "checkbox")
    ),
    **{f"h{n}": _HEADING_ATTRS for n in range(1, 7)},
    **{tag: ["class"] for tag in ("code", "span", "div", "pre", "nav", "section")},
    "li": ["id", "class"],
    "sup": ["id", "class"],
    "ol": ["start"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align"],
}
_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_local = threading.local()


class _OnlyDisabledCheckboxes(Filter):
    """Drop any <input> but a disabled checkbox: only task lists may make one."""

    def __iter__(self) -> Any:
        for token in super().__iter__():
            if token.get("name") == "input" and token["type"] in ("StartTag", "EmptyTag"):
                data = token.get("data") or {}
                if data.get((None, "type")) != "checkbox" or (None, "disabled") not in data:
                    continue
            yield token


def _cleaner() -> Cleaner:
    """One bleach Cleaner per thread: Cleaner's parser is not thread-safe."""
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = Cleaner(
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            protocols=_PROTOCOLS,
            filters=[_OnlyDisabledCheckboxes],
        )
    return cleaner


# --- public API ------------------------------------------------------------


def _build(renderer: mistune.HTMLRenderer | None) -> mistune.Markdown:
    """Same grammar for HTML and AST output, so render and extract_links agree."""
    plugins = [strikethrough, footnotes, table, task_lists, url, _wiki_plugin]
    return mistune.Markdown(renderer=renderer, plugins=plugins)


_HTML_MD = _build(_WikiRenderer(escape=True))
_AST_MD = _build(None)


def extract_links(markdown: str) -> list[str]:
    """Wiki-link targets only (no HTML); used to compute backlinks on save."""
    state = _AST_MD.block.state_cls()
    _AST_MD.parse(markdown, state)
    return list(state.env.get(_LINKS, {}))


def render(
    markdown: str,
    *,
    page_exists: Callable[[str], bool],
    page_url: Callable[[str], str],
    edit_url: Callable[[str], str],
    attachment_url: Callable[[str], str],
) -> Rendered:
    """Render a page's markdown to sanitized HTML plus its toc, links and title."""
    ctx = _Context(page_exists, page_url, edit_url, attachment_url)
    state = _HTML_MD.block.state_cls()
    state.env[_CTX] = ctx
    html, state = _HTML_MD.parse(markdown, state)
    assert isinstance(html, str)
    html = html.replace(_TOC_MARK, _toc_html(ctx.toc))
    h1s = (entry["text"] for entry in ctx.toc if entry["level"] == 1 and entry["text"])
    title = next(h1s, None)
    links = list(state.env.get(_LINKS, {}))
    return Rendered(html=_cleaner().clean(html), toc=ctx.toc, links=links, title=title)
