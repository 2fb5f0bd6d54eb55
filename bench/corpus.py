"""A synthetic but realistic wiki history for the benchmark, written with `git fast-import`.

One deterministic sequence of commits (seeded): the first commits create the pages (a migration, then new pages
interleaved with edits), every later commit edits one page (sometimes two or three) chosen with a Zipf-like
popularity. Page texts are Korean and English Markdown of 1–8 KB with headings, lists, tables, wiki links and
code blocks. One page (`Spec.history_page`) gets exactly `history_revisions` revisions, all within the first
stage; later stages never touch it, so its history must cost the same however long the repository grows.

The repository follows wiki/store.py: a bare repository, branch `main`, pages at `pages/<path>.md`, author = the
person, committer "Madang <madang@localhost>", dates as `<seconds> +0000`.
"""
from __future__ import annotations

import bisect
import random
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wiki.paths import page_file
from wiki.store import SYSTEM_EMAIL, SYSTEM_NAME

VERSION = 1  # bump when the generated history changes, so cached corpora are regenerated
MIN_BYTES, MAX_BYTES = 1024, 8 * 1024
DIFF_PAGE_MIN_BYTES = 4 * 1024
START = 1_546_300_800  # 2019-01-01T00:00:00Z
MEAN_GAP = 3_000  # seconds between commits on average (100,000 commits ≈ 9.5 years)


@dataclass(frozen=True)
class Spec:
    pages: int
    stages: tuple[int, ...]  # total commit counts after each stage, e.g. (20_000, 100_000)
    authors: int = 200
    history_revisions: int = 200
    seed: int = 20_240_601

    @property
    def history_page(self) -> str:
        return page_path(0)

    @property
    def diff_page(self) -> str:
        return page_path(1)

    def key(self) -> dict:
        return {"version": VERSION, "pages": self.pages, "stages": list(self.stages), "authors": self.authors,
                "history_revisions": self.history_revisions, "seed": self.seed}


# -- names ------------------------------------------------------------------------------------------------------

SECTIONS = {
    "행정포털": ["총무과", "기획예산과", "법무감사과", "홍보담당관"],
    "인사": ["인사과", "교육훈련팀", "복무관리팀"],
    "재무": ["재무과", "회계과", "세정과", "계약심사팀"],
    "정보화": ["정보통신과", "Infra", "보안관제팀", "DataPlatform"],
    "민원": ["민원여권과", "열린민원실", "콜센터"],
    "도시계획": ["도시계획과", "건축과", "주택정책과"],
    "교통": ["교통정책과", "대중교통과", "주차관리팀"],
    "환경": ["환경정책과", "기후대기과", "자원순환과"],
    "복지": ["복지정책과", "노인복지과", "아동청소년과"],
    "문화관광": ["문화예술과", "관광진흥과", "체육진흥과"],
}
DEPARTMENTS = [(section, dept) for section, depts in SECTIONS.items() for dept in depts]
DOC_KINDS_KO = ["문서", "문서", "문서", "업무매뉴얼", "회의록", "지침", "안내", "보고서"]
DOC_KINDS_EN = ["Runbook", "Guide", "Design", "Postmortem"]

SURNAMES = [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
            ("조", "cho"), ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh"),
            ("서", "seo"), ("신", "shin"), ("권", "kwon"), ("황", "hwang"), ("안", "ahn"), ("송", "song"),
            ("류", "ryu"), ("전", "jeon"), ("홍", "hong"), ("고", "ko"), ("문", "moon"), ("양", "yang"),
            ("손", "son"), ("배", "bae"), ("백", "baek"), ("허", "heo"), ("유", "yoo"), ("남", "nam")]
GIVEN = [("민", "min"), ("서", "seo"), ("지", "ji"), ("현", "hyun"), ("준", "jun"), ("우", "woo"), ("수", "su"),
         ("영", "young"), ("은", "eun"), ("하", "ha"), ("윤", "yun"), ("호", "ho"), ("진", "jin"), ("성", "sung"),
         ("혜", "hye"), ("태", "tae"), ("경", "kyung"), ("동", "dong"), ("재", "jae"), ("연", "yeon"),
         ("주", "ju"), ("희", "hee"), ("석", "seok"), ("아", "a"), ("원", "won"), ("상", "sang")]
MAIL_DOMAIN = "city.example.kr"


def page_path(index: int) -> str:
    """The page path of page `index` (stable: the same index always gives the same path)."""
    section, dept = DEPARTMENTS[(index * 7) % len(DEPARTMENTS)]
    number = index + 1
    if dept.isascii():
        return f"{section}/{dept}/{DOC_KINDS_EN[index % len(DOC_KINDS_EN)]}-{number:04d}"
    return f"{section}/{dept}/{DOC_KINDS_KO[index % len(DOC_KINDS_KO)]}-{number:04d}"


def make_authors(count: int, rng: random.Random) -> list[tuple[str, str]]:
    seen: set[str] = set()
    authors = []
    while len(authors) < count:
        (sur, sur_r), (g1, g1_r), (g2, g2_r) = rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(GIVEN)
        name = sur + g1 + g2
        if name in seen:
            continue
        seen.add(name)
        authors.append((name, f"{g1_r}{g2_r}.{sur_r}{len(authors) + 1:03d}@{MAIL_DOMAIN}"))
    return authors


# -- text -------------------------------------------------------------------------------------------------------

KO_WHEN = ["", "", "2024년부터 ", "필요한 경우 ", "긴급 상황에서는 ", "분기별로 ", "원칙적으로 ", "매주 월요일에 ",
           "사업 착수 전에 ", "감사 기간에는 "]
KO_WHO = ["본 문서는", "각 부서는", "담당자는", "시스템 관리자는", "민원 담당 공무원은", "정보화담당관실은",
          "모든 직원은", "팀장은", "주무관은", "위원회는", "사업 담당자는"]
KO_WHAT = ["민원 처리 절차를", "예산 집행 내역을", "개인정보 보호 지침을", "보안 점검 결과를", "업무 인수인계 사항을",
           "출장 신청 방법을", "회의록을", "시스템 장애 대응 절차를", "전자결재 양식을", "홈페이지 게시물 관리 기준을",
           "계약 검토 의견을", "시민 의견 수렴 결과를", "교육 이수 현황을", "청사 시설 점검 일정을",
           "재난 대응 매뉴얼을"]
KO_HOW = ["매월 말일까지 보고해야 합니다.", "정리하여 공유합니다.", "아래 표와 같이 관리합니다.",
          "사전에 검토하여야 한다.", "주기적으로 갱신한다.", "담당 부서와 협의하여 결정합니다.",
          "포털 게시판에 공지합니다.", "관련 법령에 따라 처리한다.", "전자결재로 상신합니다.",
          "변경 즉시 이 문서에 반영합니다."]
EN_SENTENCES = [
    "Restart the service only after the health check has failed three times in a row.",
    "All changes to production must be reviewed by a second engineer.",
    "Backups run nightly at 02:00 KST and are kept for 35 days.",
    "The portal uses single sign-on; local accounts exist only for emergencies.",
    "Record every incident in the postmortem template within two working days.",
    "Certificates are renewed automatically thirty days before they expire.",
    "Escalate to the on-call manager if the outage lasts longer than 30 minutes.",
    "Logs older than one year are archived to cold storage.",
]
KO_HEADINGS = ["개요", "목적", "적용 범위", "처리 절차", "담당 및 연락처", "관련 규정", "자주 묻는 질문", "변경 이력",
               "참고 자료", "점검 항목", "일정", "예산", "유의 사항"]
EN_HEADINGS = ["Overview", "Procedure", "Rollback", "Contacts", "Monitoring", "Known issues", "References"]
TABLE_HEAD = ["항목", "담당", "기한", "비고"]
TABLE_ITEMS = ["예산 편성", "시스템 점검", "민원 회신", "교육 실시", "계약 체결", "현장 점검", "결과 보고", "자료 제출"]
TABLE_NOTES = ["완료", "진행 중", "검토 필요", "보류", "-", "매월", "분기별", "연 1회"]
CODE_BLOCKS = [
    ("bash", "systemctl status madang-portal\njournalctl -u madang-portal --since \"1 hour ago\" | tail -n 50\n"),
    ("python", "import requests\n\nresp = requests.get(\"https://portal.example.kr/api/health\", timeout=5)\n"
               "resp.raise_for_status()\nprint(resp.json()[\"status\"])\n"),
    ("sql", "SELECT dept, COUNT(*) AS cnt\n  FROM civil_requests\n WHERE created_at >= DATE '2024-01-01'\n"
            " GROUP BY dept\n ORDER BY cnt DESC;\n"),
    ("json", "{\n  \"system\": \"전자결재\",\n  \"owner\": \"정보통신과\",\n  \"sla\": \"99.9%\"\n}\n"),
    ("yaml", "service: portal\nreplicas: 3\nresources:\n  cpu: \"2\"\n  memory: 4Gi\n"),
]
MESSAGES = ["오타 수정", "담당자 변경 반영", "2024년 기준으로 갱신", "표 정리", "링크 추가", "절차 보완",
            "회의 결과 반영", "연락처 갱신", "Update runbook", "Fix typo", "규정 개정 반영", "예산 항목 수정"]


class Page:
    """A page's text as sections (lists of Markdown blocks); the first section is the title and introduction."""

    __slots__ = ("index", "path", "sections", "size", "floor", "target", "english")

    def __init__(self, index: int, path: str, floor: int, target: int) -> None:
        self.index, self.path, self.floor, self.target = index, path, floor, target
        self.sections: list[list[str]] = []
        self.size = 0
        self.english = path.split("/")[1].isascii()

    def text(self) -> bytes:
        return ("\n\n".join(block for section in self.sections for block in section) + "\n").encode("utf-8")

    def resize(self) -> None:
        self.size = len(self.text())


class Writer:
    def __init__(self, rng: random.Random, page_count: int) -> None:
        self.rng, self.page_count = rng, page_count

    def sentence(self, english: bool) -> str:
        rng = self.rng
        if english and rng.random() < 0.7:
            return rng.choice(EN_SENTENCES)
        return f"{rng.choice(KO_WHEN)}{rng.choice(KO_WHO)} {rng.choice(KO_WHAT)} {rng.choice(KO_HOW)}"

    def link(self, english: bool) -> str:
        rng = self.rng
        if rng.random() < 0.08:  # a red link: a page nobody wrote yet
            section, dept = rng.choice(DEPARTMENTS)
            return f"[[{section}/{dept}/새 문서 {rng.randint(1, 500)}]]"
        target = page_path(rng.randrange(self.page_count))
        roll = rng.random()
        if roll < 0.3:
            return f"[[{target}|{target.rsplit('/', 1)[-1]} 참고]]"
        if roll < 0.4:
            return f"[[{target}#{rng.choice(EN_HEADINGS if english else KO_HEADINGS)}]]"
        return f"[[{target}]]"

    def paragraph(self, english: bool) -> str:
        parts = [self.sentence(english) for _ in range(self.rng.randint(2, 5))]
        if self.rng.random() < 0.5:
            parts.insert(self.rng.randrange(len(parts) + 1), f"자세한 내용은 {self.link(english)} 문서를 봅니다.")
        if self.rng.random() < 0.2:
            parts.append("**주의:** 개인정보가 포함된 자료는 `보안USB`로만 옮깁니다.")
        return " ".join(parts)

    def bullet_list(self, english: bool) -> str:
        rng = self.rng
        ordered = rng.random() < 0.4
        task = not ordered and rng.random() < 0.2
        lines = []
        for n in range(1, rng.randint(3, 7) + 1):
            body = self.link(english) if rng.random() < 0.3 else self.sentence(english)
            if ordered:
                lines.append(f"{n}. {body}")
            elif task:
                lines.append(f"- [{'x' if rng.random() < 0.5 else ' '}] {body}")
            else:
                lines.append(f"- {body}")
        return "\n".join(lines)

    def table(self) -> str:
        rng = self.rng
        rows = ["| " + " | ".join(TABLE_HEAD) + " |", "| --- | --- | :---: | --- |"]
        for _ in range(rng.randint(3, 8)):
            rows.append(self.table_row())
        return "\n".join(rows)

    def table_row(self) -> str:
        rng = self.rng
        sur, _ = rng.choice(SURNAMES)
        return (f"| {rng.choice(TABLE_ITEMS)} | {sur}{rng.choice(GIVEN)[0]}{rng.choice(GIVEN)[0]} 주무관 | "
                f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} | {rng.choice(TABLE_NOTES)} |")

    def code(self) -> str:
        lang, body = self.rng.choice(CODE_BLOCKS)
        return f"```{lang}\n{body}```"

    def section(self, english: bool) -> list[str]:
        rng = self.rng
        heading = rng.choice(EN_HEADINGS if english else KO_HEADINGS)
        blocks = [f"{'##' if rng.random() < 0.8 else '###'} {heading}", self.paragraph(english)]
        roll = rng.random()
        if roll < 0.35:
            blocks.append(self.bullet_list(english))
        elif roll < 0.6:
            blocks.append(self.table())
        elif roll < 0.75 or english and roll < 0.9:
            blocks.append(self.code())
        elif roll < 0.85:
            blocks.append("> " + self.sentence(english))
        return blocks

    def new_page(self, page: Page) -> None:
        title = page.path.rsplit("/", 1)[-1]
        section, dept = page.path.split("/")[:2]
        intro = [f"# {dept} {title}", f"{section} › {dept} 부서의 문서입니다. " + self.paragraph(page.english)]
        if self.rng.random() < 0.3:
            intro.append("[TOC]")
        page.sections = [intro]
        page.resize()
        while page.size < page.target:
            page.sections.append(self.section(page.english))
            page.resize()
        self._fit(page)

    def edit(self, page: Page) -> None:
        """One realistic change: rewrite or add a paragraph, fix a table row, add or drop a section, fix a word."""
        before = [list(section) for section in page.sections]
        self._edit(page)
        if page.sections == before:  # a commit must change the page
            page.sections[-1].append(self.paragraph(page.english))
        page.resize()
        self._fit(page)

    def _edit(self, page: Page) -> None:
        rng = self.rng
        sections = page.sections
        # (section, block) of every paragraph-like block (not a heading, [TOC], table or code)
        prose = [(s, b) for s, sec in enumerate(sections) for b, block in enumerate(sec)
                 if not block.startswith(("#", "[TOC]", "| ", "```"))]
        roll = rng.random()
        if roll < 0.3 and prose:
            s, b = rng.choice(prose)
            sections[s][b] = self.paragraph(page.english)
        elif roll < 0.5 and page.size < page.target:
            sections.insert(rng.randint(1, len(sections)), self.section(page.english))
        elif roll < 0.65:
            tables = [(s, b) for s, sec in enumerate(sections) for b, block in enumerate(sec)
                      if block.startswith("| ")]
            if tables:
                s, b = rng.choice(tables)
                rows = sections[s][b].split("\n")
                rows[rng.randrange(2, len(rows))] = self.table_row()
                sections[s][b] = "\n".join(rows)
            else:
                sections[-1].append(self.table())
        elif roll < 0.75 and len(sections) > 2 and page.size > max(page.target, page.floor + 1500):
            del sections[rng.randrange(1, len(sections))]
        elif prose:
            s, b = rng.choice(prose)
            block = sections[s][b]
            if "합니다." in block and rng.random() < 0.5:
                sections[s][b] = block.replace("합니다.", "합니다(개정).", 1)
            else:
                sections[s][b] = block + " " + self.sentence(page.english)
        else:
            sections[-1].append(self.paragraph(page.english))

    def _fit(self, page: Page) -> None:
        """Keep the page between its floor and MAX_BYTES by dropping or adding whole sections."""
        page.resize()
        while page.size > MAX_BYTES and len(page.sections) > 1:
            del page.sections[self.rng.randrange(1, len(page.sections))]
            page.resize()
        while page.size < page.floor:
            page.sections.append(self.section(page.english))
            page.resize()
        while page.size > MAX_BYTES:  # only the introduction is left and it is too long: shorten it
            page.sections[0][-1] = page.sections[0][-1][: len(page.sections[0][-1]) // 2]
            page.resize()


@dataclass
class Commit:
    index: int
    author: tuple[str, str]
    when: int
    message: str
    changes: list[tuple[str, bytes]] = field(default_factory=list)


class History:
    """The deterministic commit sequence of a Spec: iterate `commits(start, stop)`."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        rng = random.Random(spec.seed)
        self.rng = rng
        self.writer = Writer(random.Random(spec.seed + 1), spec.pages)
        self.authors = make_authors(spec.authors, random.Random(spec.seed + 2))
        self.author_cum = _cumulative([1 / (rank + 1) ** 0.9 for rank in range(spec.authors)])
        base = spec.stages[0]
        if spec.history_revisions - 1 > base - spec.pages:
            raise ValueError("The first stage is too short for the history page's revisions.")
        # commits 0..migrated-1 create pages 0..migrated-1; the other pages appear later, mixed with edits
        self.migrated = max(2, spec.pages // 4)
        later = rng.sample(range(self.migrated, base), spec.pages - self.migrated)
        self.creations = dict(zip(sorted(later), range(self.migrated, spec.pages), strict=True))
        slots = [i for i in range(spec.pages, base) if i not in self.creations]
        self.history_edits = set(rng.sample(slots, spec.history_revisions - 1))
        order = list(range(2, spec.pages))
        rng.shuffle(order)
        order.insert(0, 1)  # the diff page is the most popular one, so it has many revisions
        weights = [0.0] * spec.pages
        for rank, index in enumerate(order):
            weights[index] = 1 / (rank + 1) ** 0.8
        self.page_cum = _cumulative(weights)  # page 0 (the history page) has weight 0
        self.pages: list[Page | None] = [None] * spec.pages
        self.when = START
        self.next_index = 0

    def _author(self) -> tuple[str, str]:
        return self.authors[bisect.bisect(self.author_cum, self.rng.random() * self.author_cum[-1])]

    def _pick(self) -> Page:
        for _ in range(50):
            index = bisect.bisect(self.page_cum, self.rng.random() * self.page_cum[-1])
            page = self.pages[index]
            if page is not None:
                return page
        return self.pages[1]  # type: ignore[return-value]

    def _create(self, index: int) -> Page:
        floor = DIFF_PAGE_MIN_BYTES if index == 1 else MIN_BYTES
        target = self.writer.rng.randint(5 * 1024, 7 * 1024) if index == 1 \
            else int(self.writer.rng.triangular(MIN_BYTES, MAX_BYTES - 1024, 2000))
        page = Page(index, page_path(index), floor, target)
        self.writer.new_page(page)
        self.pages[index] = page
        return page

    def commits(self, stop: int) -> Iterator[Commit]:
        """The commits from where the last call stopped up to `stop` (exclusive)."""
        while self.next_index < stop:
            i = self.next_index
            self.next_index += 1
            self.when += max(1, int(self.rng.expovariate(1 / MEAN_GAP)))
            author = self._author()
            if i < self.migrated or i in self.creations:
                page = self._create(i if i < self.migrated else self.creations[i])
                yield Commit(i, author, self.when, f"새 문서: {page.path}", [(page_file(page.path), page.text())])
                continue
            if i in self.history_edits:
                targets = [self.pages[0]]
            else:
                targets = [self._pick()]
                if self.rng.random() < 0.03:
                    targets += [self._pick() for _ in range(self.rng.randint(1, 2))]
            changes, seen = [], set()
            for page in targets:
                if page.index in seen:
                    continue
                seen.add(page.index)
                self.writer.edit(page)
                changes.append((page_file(page.path), page.text()))
            if len(changes) > 1:
                message = "일괄 수정: 담당자 변경"
            elif self.rng.random() < 0.6:
                message = f"수정: {targets[0].path}"
            else:
                message = self.rng.choice(MESSAGES)
            yield Commit(i, author, self.when, message, changes)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# -- git --------------------------------------------------------------------------------------------------------

def init_repo(path: Path) -> None:
    subprocess.run(["git", "init", "--bare", "--quiet", "--initial-branch=main", str(path)], check=True)


def head_of(repo: Path) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), "rev-parse", "refs/heads/main"], check=True,
                          capture_output=True, text=True).stdout.strip()


def fast_import(repo: Path, commits: Iterator[Commit], parent: str | None, marks: Path,
                progress: Callable[[int], None] | None = None) -> str:
    """Stream commits into `repo` with git fast-import; returns the new head."""
    cmd = ["git", "--git-dir", str(repo), "fast-import", "--quiet", "--date-format=raw", "--done",
           f"--export-marks={marks}"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    out = proc.stdin
    assert out is not None
    committer = f"{SYSTEM_NAME} <{SYSTEM_EMAIL}>".encode()
    first = True
    count = 0
    try:
        for commit in commits:
            message = commit.message.encode("utf-8")
            name, email = commit.author
            stamp = f"{commit.when} +0000".encode()
            chunks = [b"commit refs/heads/main\nmark :%d\n" % (commit.index + 1),
                      b"author " + f"{name} <{email}> ".encode() + stamp + b"\n",
                      b"committer " + committer + b" " + stamp + b"\n",
                      b"data %d\n" % len(message), message, b"\n"]
            if first and parent:
                chunks.append(f"from {parent}\n".encode())
            first = False
            for path, data in commit.changes:
                chunks += [b"M 100644 inline " + path.encode("utf-8") + b"\n", b"data %d\n" % len(data), data,
                           b"\n"]
            chunks.append(b"\n")
            out.write(b"".join(chunks))
            count += 1
            if progress and count % 500 == 0:
                progress(count)
        out.write(b"done\n")
        out.close()
    except BrokenPipeError:
        pass
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed with exit code {proc.returncode}")
    if progress:
        progress(count)
    return head_of(repo)


def read_marks(path: Path) -> dict[str, int]:
    """commit id -> number of commits up to and including it (marks are commit index + 1)."""
    result = {}
    for line in path.read_text().splitlines():
        mark, _, sha = line.partition(" ")
        result[sha] = int(mark[1:])
    return result


def generate(spec: Spec, repos: list[Path], marks: list[Path], say: Callable[[str], None],
             bar: Callable[[str, int, int], None]) -> list[float]:
    """Write each stage's repository (repos[k] holds stages[0..k]); returns seconds spent per stage."""
    history = History(spec)
    times = []
    previous: Path | None = None
    parent: str | None = None
    done = 0
    for stage, (repo, mark_file) in enumerate(zip(repos, marks, strict=True)):
        stop = spec.stages[stage]
        started = time.perf_counter()
        if previous is None:
            init_repo(repo)
        else:
            subprocess.run(["git", "clone", "--quiet", "--bare", "--no-hardlinks", str(previous), str(repo)],
                           check=True)
        label = f"fast-import {done:,}→{stop:,} commits"
        base = done
        head = fast_import(repo, history.commits(stop), parent, mark_file,
                           lambda n, b=base, s=stop, lbl=label: bar(lbl, b + n, s))
        subprocess.run(["git", "--git-dir", str(repo), "repack", "-a", "-d", "-q"], check=True)
        times.append(time.perf_counter() - started)
        say(f"  {label}: {times[-1]:.1f} s, head {head[:10]}")
        previous, parent, done = repo, head, stop
    return times
