"""Tests for wiki.markup: GFM features, headings/TOC, wiki links, attachments, XSS."""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from wiki import markup
from wiki.markup import Rendered, extract_links, pygments_css, render

EXISTING = {"행정포털/사용법", "대문", "Page"}


def page_url(path: str) -> str:
    return "/wiki/" + quote(path)


def edit_url(path: str) -> str:
    return "/edit/" + quote(path)


def attachment_url(name: str) -> str:
    return "/files/" + quote(name)


def md(text: str, existing: set[str] = EXISTING) -> Rendered:
    return render(
        text,
        page_exists=existing.__contains__,
        page_url=page_url,
        edit_url=edit_url,
        attachment_url=attachment_url,
    )


class Tags(HTMLParser):
    """Every start tag with its (entity-decoded) attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def find(self, tag: str, **want: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k.rstrip("_")) == v for k, v in want.items())
        ]


# --- GFM features -----------------------------------------------------------


def test_paragraph_and_korean_text() -> None:
    out = md("안녕하세요, **마당** 위키입니다.")
    assert "<p>안녕하세요, <strong>마당</strong> 위키입니다.</p>" in out.html


def test_table_with_alignment() -> None:
    out = md("| 부서 | 인원 |\n|:----|----:|\n| 총무과 | 12 |\n")
    tags = Tags(out.html)
    assert [t for t, _ in tags.tags if t in ("table", "thead", "tbody")] == [
        "table",
        "thead",
        "tbody",
    ]
    assert tags.find("th", align="left") and tags.find("td", align="right")
    assert "<td align=\"left\">총무과</td>" in out.html
    assert "style" not in out.html


def test_footnotes() -> None:
    out = md("본문에 각주[^1]가 있습니다.\n\n[^1]: 각주 내용입니다.\n")
    tags = Tags(out.html)
    assert tags.find("sup", id="fnref-1")
    assert tags.find("a", href="#fn-1")
    assert tags.find("section", class_="footnotes")
    assert tags.find("li", id="fn-1")
    assert "각주 내용입니다." in out.html


def test_task_list_disabled_checkboxes() -> None:
    out = md("- [ ] 보고서 작성\n- [x] 회의 준비\n")
    boxes = Tags(out.html).find("input")
    assert len(boxes) == 2
    assert all(b["type"] == "checkbox" and "disabled" in b for b in boxes)
    assert "checked" not in boxes[0] and "checked" in boxes[1]
    assert "보고서 작성" in out.html


def test_strikethrough() -> None:
    assert "<del>취소된 일정</del>" in md("~~취소된 일정~~").html


def test_autolink_gets_external_rel() -> None:
    out = md("참고: https://example.com/안내?a=1&b=2 입니다")
    (link,) = Tags(out.html).find("a")
    assert link["href"] is not None and link["href"].startswith("https://example.com/")
    assert link["rel"] == "nofollow noopener noreferrer"


def test_relative_link_has_no_rel() -> None:
    (link,) = Tags(md("[내부](/wiki/대문)").html).find("a")
    assert link["href"] == "/wiki/" + quote("대문") and "rel" not in link


def test_python_code_is_highlighted() -> None:
    out = md("```python\ndef 인사(이름):\n    return f'안녕 {이름}'\n```\n")
    tags = Tags(out.html)
    assert tags.find("pre", class_="highlight")
    assert tags.find("code", class_="language-python")
    assert tags.find("span", class_="k")  # `def`/`return` keyword spans
    assert '<span class="k">def</span>' in out.html


def test_unknown_language_is_plain_escaped_code() -> None:
    out = md("```없는언어\n<b>굵게</b> & 기타\n```\n")
    assert "&lt;b&gt;굵게&lt;/b&gt; &amp; 기타" in out.html
    assert "<span" not in out.html


def test_pygments_css() -> None:
    css = pygments_css()
    assert ".highlight" in css and ".highlight .k" in css


# --- headings and TOC -------------------------------------------------------


def test_heading_id_keeps_korean() -> None:
    out = md("## 행정포털 사용법\n")
    assert Tags(out.html).find("h2", id="h-행정포털-사용법")
    assert Tags(out.html).find("a", class_="anchor", href="#h-행정포털-사용법")
    assert out.toc == [{"level": 2, "id": "h-행정포털-사용법", "text": "행정포털 사용법"}]


def test_heading_ids_are_unique() -> None:
    out = md("## 개요\n\n## 개요\n\n## 개요\n\n## 개요 2\n")
    assert [e["id"] for e in out.toc] == ["h-개요", "h-개요-2", "h-개요-3", "h-개요-2-2"]
    ids = [a["id"] for _, a in Tags(out.html).tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_heading_id_prefix_prevents_clobbering() -> None:
    out = md("# location\n\n## Document!\n")
    assert [e["id"] for e in out.toc] == ["h-location", "h-document"]


def test_heading_ids_not_shared_between_renders() -> None:
    assert md("## 개요\n").toc[0]["id"] == md("## 개요\n").toc[0]["id"] == "h-개요"


def test_title_is_first_level_one_heading() -> None:
    assert md("## 소제목\n\n# 마당 *위키*\n\n# 둘째\n").title == "마당 위키"
    assert md("## 소제목만\n").title is None


def test_toc_marker_becomes_nested_nav() -> None:
    text = "# 제목\n\n[TOC]\n\n## 하나\n\n### 하나-가\n\n## 둘\n"
    out = md(text)
    nav = out.html[out.html.index('<nav class="toc">') :]
    nav = nav[: nav.index("</nav>")]
    assert "[TOC]" not in out.html
    assert re.sub(r"\s", "", nav).count("<ul>") == 3
    assert '<a href="#h-하나-가">하나-가</a>' in nav
    assert nav.index("#h-하나") < nav.index("#h-둘")
    assert [e["level"] for e in out.toc] == [1, 2, 3, 2]


def test_toc_text_inside_paragraph_is_literal() -> None:
    assert '<nav class="toc">' not in md("목차는 [TOC] 처럼 씁니다").html


# --- wiki links -------------------------------------------------------------


def test_wikilink_to_existing_page() -> None:
    out = md("[[행정포털/사용법]]을 보세요")
    (link,) = Tags(out.html).find("a", class_="wikilink")
    assert link["href"] == page_url("행정포털/사용법")
    assert ">행정포털/사용법</a>" in out.html
    assert out.links == ["행정포털/사용법"]


def test_wikilink_to_missing_page_is_red_edit_link() -> None:
    out = md("[[새 문서]]")
    (link,) = Tags(out.html).find("a", class_="wikilink new")
    assert link["href"] == edit_url("새 문서")
    assert link["title"]


def test_wikilink_label_and_section_forms() -> None:
    out = md("[[대문|첫 화면]] [[행정포털/사용법#로그인 방법]] [[대문#연락처|연락처 보기]]")
    hrefs = [a["href"] for a in Tags(out.html).find("a", class_="wikilink")]
    assert hrefs == [
        page_url("대문"),
        page_url("행정포털/사용법") + "#h-로그인-방법",
        page_url("대문") + "#h-연락처",
    ]
    assert ">첫 화면</a>" in out.html and ">연락처 보기</a>" in out.html
    assert out.links == ["대문", "행정포털/사용법"]


def test_wikilink_target_normalised() -> None:
    nfd = unicodedata.normalize("NFD", "대문")
    out = md(f"[[ {nfd} ]] [[ 행정포털 / 사용법 ]] [[대문]]")
    assert out.links == ["대문", "행정포털/사용법"]
    assert not Tags(out.html).find("a", class_="wikilink new")


def test_wikilink_with_escaped_pipe_in_table() -> None:
    out = md("| 문서 |\n|---|\n| [[대문\\|처음]] |\n")
    assert out.links == ["대문"]
    assert ">처음</a>" in out.html


def test_wikilinks_ignored_in_code() -> None:
    text = "`[[코드 안]]`\n\n```\n[[펜스 안]]\n```\n\n    [[들여쓰기 안]]\n\n[[밖]]\n"
    out = md(text)
    assert out.links == ["밖"] == extract_links(text)
    assert "<code>[[코드 안]]</code>" in out.html


def test_page_exists_called_once_per_target() -> None:
    calls: list[str] = []

    def exists(path: str) -> bool:
        calls.append(path)
        return True

    render(
        "[[대문]] [[대문|다시]] [[대문#절]]",
        page_exists=exists,
        page_url=page_url,
        edit_url=edit_url,
        attachment_url=attachment_url,
    )
    assert calls == ["대문"]


@pytest.mark.parametrize(
    "text",
    [
        "# 제목\n\n[[가]] [[나|라벨]] [[가]] [[다#절]]\n",
        "- [[목록/항목]]\n> [[인용]]\n\n| 표 |\n|---|\n| [[표 안]] |\n",
        "본문[^1] `[[아님]]`\n\n[^1]: [[각주 안]]\n\n[^2]: [[참조 안 된 각주]]\n",
        "```\n[[코드]]\n```\n[[ 공백 ]] [[|라벨만]] [[#절만]] [[끝\n줄]]\n",
        "## [[제목 안]]\n\n![그림 [[그림 안]]](x.png) [링크 [[링크 안]]](/a)\n",
    ],
)
def test_extract_links_matches_render(text: str) -> None:
    assert extract_links(text) == md(text).links


# --- attachments ------------------------------------------------------------


def test_attachment_image_and_link() -> None:
    out = md("![청사 사진](attachment:청사.png) [보고서](attachment:보고서.pdf)")
    tags = Tags(out.html)
    (img,) = tags.find("img")
    assert img["src"] == attachment_url("청사.png") and img["alt"] == "청사 사진"
    assert tags.find("a", href=attachment_url("보고서.pdf"))


def test_attachment_name_with_space_in_angle_brackets() -> None:
    out = md("[회의록](<attachment:회의 록.hwp>)")
    assert Tags(out.html).find("a", href=attachment_url("회의 록.hwp"))


# --- threads ----------------------------------------------------------------


def test_concurrent_renders_do_not_share_state() -> None:
    docs = [f"# 문서 {i}\n\n## 개요\n\n## 개요\n\n[[링크{i}]]\n" * 3 for i in range(8)]
    expected = [md(d) for d in docs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(md, docs * 5))
    assert results == expected * 5


# --- XSS --------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](%6Aavascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](vbscript:msgbox(1))",
    "[x]: javascript:alert(1)\n\n[참조][x]",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<form action=//evil><input name=q></form>",
    "<object data=x></object><embed src=x>",
    "<base href=//evil.example/><meta http-equiv=refresh content=0;url=//evil>",
    "<div>\n<script>alert(1)</script>\n</div>\n",
    '[["><script>alert(1)</script>]]',
    '[[대문|<img src=x onerror=alert(1)>]]',
    '[[대문#"><svg onload=alert(1)>|x]]',
    "<javascript:alert(1)>",
    '![a" onerror="alert(1)](x.png "t\\" onload=\\"alert(1)")',
    '[x](/a "t\\" onmouseover=\\"alert(1)")',
    "![x](attachment:javascript:alert(1))",
    '# 제목 <img src=x onerror=alert(1)>\n\n[TOC]\n',
    "```html\n<script>alert(1)</script>\n```\n",
    "`<script>alert(1)</script>`",
    "- [ ] <input onfocus=alert(1) autofocus>",
]
BAD_TAGS = {"script", "iframe", "svg", "style", "form", "object", "embed", "base", "meta", "math"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background"}


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in Tags(html).tags:
        assert tag not in BAD_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, html)
            assert name != "style", (tag, html)
            if name in URL_ATTRS and value:
                squeezed = re.sub(r"[\s\x00-\x20]", "", value).lower()
                assert not squeezed.startswith(BAD_SCHEMES), (tag, name, value)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_neutralised(payload: str) -> None:
    assert_safe(md(payload).html)
    assert_safe(md(f"## 제목\n\n문단 {payload} 끝\n\n- {payload}\n\n> {payload}\n").html)


@pytest.mark.parametrize(
    "raw",
    [
        '<a href="javascript:alert(1)" onclick="x()">x</a>',
        '<a href="&#106;ava&#x09;script:alert(1)">x</a>',
        '<img src="data:image/png;base64,AAAA" onerror="x()">',
        "<script>alert(1)</script><style>*{}</style><iframe src=//evil></iframe>",
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<input type="text" autofocus onfocus="x()"><form action="//evil"></form>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_sanitiser_alone_blocks_raw_html(raw: str) -> None:
    """Defence in depth: the bleach layer is safe even if markdown escaping failed."""
    cleaned = markup._cleaner().clean(raw)
    assert_safe(cleaned)
    assert "<input" not in cleaned


def test_sanitiser_keeps_only_disabled_checkboxes() -> None:
    raw = '<input type="checkbox" disabled checked><input type="checkbox"><input>'
    boxes = Tags(markup._cleaner().clean(raw)).find("input")
    assert boxes == [{"type": "checkbox", "disabled": None, "checked": None}]
