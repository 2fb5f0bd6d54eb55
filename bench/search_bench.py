"""Search benchmark: index rebuild, save-to-searchable delay, query latency (plugin vs raw Whoosh).

    .venv/bin/python -m bench.search_bench            # 2,000 pages / 20,000 commits and 20,000 pages / 25,000
    .venv/bin/python -m bench.search_bench --quick    # 300 pages / 1,000 commits and 500 pages / 2,000
    .venv/bin/python -m bench.search_bench --only 2000 --queries 20

The corpora come from bench/corpus.py (git fast-import), cached under bench/out/search/<pages>-<commits>/ with
their state database and search index (reused when the corpus and plugins/search/*.py are unchanged; `--fresh`
rebuilds). Everything runs in this process with the real `create_app()`: saves are PUTs through Flask's test
client, queries go through the plugin's SearchService (permission check, snippets) in a request context, and the
reference is Whoosh running the plan the plugin ran (backend.reference_query: the same terms, fields, weights and
phrase bonus) on a searcher of the same index (no ACL, no snippets). Each query's first search is reported apart
("first search"): the plugin keeps decoded posting lists, so repeats are cheaper.
Prints a Markdown table and writes it to bench/out/search-<full|quick>.md. Every loop is bounded.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ADMIN_PASSWORD = "bench-admin-password-1"
SECRET_KEY = "bench-secret-key-not-for-production"
QUERY_P95_MS = 50.0
SAVE_P95_S = 2.0
OVERHEAD = 0.30
POLL_LIMIT_S = 15.0  # a save not searchable after this long counts as this long (and is reported)

QUERIES = {
    "one word": ["예산", "회의록", "계약", "시스템", "backups"],
    "two words": ["보안 점검", "민원 회신", "예산 집행", "출장 신청", "장애 대응"],
    "phrase": ['"민원 처리 절차"', '"보안 점검 결과"', '"업무 인수인계 사항"', '"health check"', '"전자결재 양식"'],
    "Korean (particles, 초성, typo)": ["민원을 처리하는 절차는", "개인정보를 보호하는 지침", "전자결제", "ㅈㅈㄱㅈ",
                                       "홈페이지에 게시물"],
}


@dataclass
class Corpus:
    pages: int
    commits: int
    authors: int = 200

    @property
    def spec(self) -> corpus.Spec:
        return corpus.Spec(pages=self.pages, stages=(self.commits,), authors=self.authors)

    @property
    def folder(self) -> Path:
        return OUT / "search" / f"{self.pages}-{self.commits}"


@dataclass
class Figures:
    name: str
    docs: int = 0
    rebuild_s: float = 0.0
    index_mb: float = 0.0
    saves_api: list[float] = field(default_factory=list)
    saves_background: list[float] = field(default_factory=list)
    save_timeouts: int = 0
    plugin: dict[str, list[float]] = field(default_factory=dict)
    raw: dict[str, list[float]] = field(default_factory=dict)
    cold: dict[str, list[float]] = field(default_factory=dict)  # each query's first search (postings decoded)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # the plugin's CPU time (this process) per search
    load: list[float] = field(default_factory=list)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def code_stamp() -> str:
    """What the index's contents depend on: the analysis, the extraction, the view and the schema version (query
    code may change without a rebuild)."""
    from plugins.search.whoosh_backend import SCHEMA_VERSION

    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}".encode())
    for name in ("analysis.py", "extract.py", "view.py"):
        digest.update(name.encode() + (ROOT / "plugins" / "search" / name).read_bytes())
    return digest.hexdigest()[:16]


def config_of(c: Corpus):
    from wiki.config import Config

    instance = c.folder / "instance"
    return Config(content_repo=c.folder / "repo.git", instance_dir=instance, search_index=instance / "search_index",
                  admin_password=ADMIN_PASSWORD, secret_key=SECRET_KEY)


def prepare(c: Corpus, fresh: bool) -> None:
    """The corpus (fast-import), the core's views, then the search index rebuilt from nothing (timed)."""
    folder, meta_file = c.folder, c.folder / "meta.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() and not fresh else {}
    if meta.get("key") != c.spec.key() or not (folder / "repo.git").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        say(f"[{c.pages}] fast-import {c.commits:,} commits …")
        corpus.generate(c.spec, [folder / "repo.git"], [folder / "marks.txt"], say, lambda *_a: None)
        meta = {"key": c.spec.key()}
        meta_file.write_text(json.dumps(meta))
    if meta.get("index_stamp") == code_stamp() and (folder / "instance" / "search_index").is_dir():
        return
    shutil.rmtree(folder / "instance", ignore_errors=True)
    from wiki.app import build_core
    from wiki.config import Config

    config = config_of(c)
    # first an empty repository: the state database and `admin` exist before the search view is bound (a first
    # start on a long history can meet "database is locked" while the background thread indexes)
    build_core(Config(content_repo=folder / "empty.git", instance_dir=config.instance_dir,
                      search_index=folder / "empty-index", admin_password=ADMIN_PASSWORD, secret_key=SECRET_KEY))
    from plugins.search.view import SearchIndexView
    from plugins.search.whoosh_backend import WhooshBackend
    from wiki.store import ContentStore

    # the full rebuild, timed: what the view does on an empty index (one pass over the log, each file once)
    say(f"[{c.pages}] rebuilding the search index from nothing ({load_note()}) …")
    view, backend = SearchIndexView(), WhooshBackend(config.search_index)
    started = time.perf_counter()
    view.bind(backend, ContentStore(config.content_repo, config.branch))
    seconds = time.perf_counter() - started
    meta.update(index_stamp=code_stamp(), rebuild_s=seconds, docs=backend.count(), rebuild_load=os.getloadavg())
    backend.close()
    say(f"[{c.pages}] {meta['docs']:,} documents in {seconds:.1f} s; build_core() catches the other views up …")
    build_core(config).views.catch_up(everything=True)  # the runner's watermarks (the search index is at head)
    meta_file.write_text(json.dumps(meta))

def measure(c: Corpus, saves: int, repeats: int) -> Figures:
    from plugins.search import routes
    from plugins.search.query import parse
    from plugins.search.whoosh_backend import RecentFirst
    from wiki.app import create_app

    meta = json.loads((c.folder / "meta.json").read_text())
    f = Figures(f"{c.pages:,} pages / {c.commits:,} commits", docs=meta["docs"], rebuild_s=meta["rebuild_s"])
    f.load.append(meta.get("rebuild_load", [0])[0])
    run = c.folder / "run"  # the saves write here: a copy, so the cached corpus stays as built
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(c.folder / "repo.git", run / "repo.git")
    shutil.copytree(c.folder / "instance", run / "instance")
    from wiki.config import Config

    config = Config(content_repo=run / "repo.git", instance_dir=run / "instance",
                    search_index=run / "instance" / "search_index", admin_password=ADMIN_PASSWORD,
                    secret_key=SECRET_KEY)
    app = create_app(config)
    f.index_mb = sum(p.stat().st_size for p in config.search_index.rglob("*") if p.is_file()) / 2**20
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).get_json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    service = app.extensions[routes.EXTENSION]
    backend = service.backend

    # -- save → searchable ------------------------------------------------------------------------------------------
    f.load.append(os.getloadavg()[0])
    say(f"[{c.pages}] saves ({load_note()}) …")
    for i in range(saves + 2):
        path = corpus.page_path(c.pages - 1 - i)
        page = client.get(f"/api/v1/pages/{quote(path)}").get_json()
        word = "srch" + "".join(chr(ord("a") + (i // 26 ** k) % 26) for k in range(4)) + "zq"  # unique letters
        text = page["markdown"].rstrip("\n") + f"\n\n확인용 단어 {word} 를 추가했습니다.\n"
        for background in (True, False):  # first the deferred thread alone, then a search forcing catch-up
            if not background:
                text += "\n추가 수정.\n"
            started = time.perf_counter()
            answer = client.put(f"/api/v1/pages/{quote(path)}", headers=auth,
                                json={"markdown": text, "base_revision": page["revision"], "message": "bench"})
            revision = answer.get_json()["revision"]
            page["revision"] = revision
            found = False
            while time.perf_counter() - started < POLL_LIMIT_S:
                if background:  # the service alone: no catch-up, so only the background thread indexes it
                    with app.test_request_context("/"):
                        hits = service.search(parse(word), routes.request_reader(), None, 1, suggest=False).results
                    found = bool(hits) and hits[0].hit.document.revision == revision
                    if not found:
                        time.sleep(0.02)
                else:  # what a reader sees: GET /api/v1/search (which catches the views up first)
                    hits = client.get("/api/v1/search", query_string={"q": word, "limit": 1}).get_json()["hits"]
                    found = bool(hits) and hits[0]["revision"] == revision
                if found:
                    break
            elapsed = time.perf_counter() - started
            f.save_timeouts += not found
            if i >= 2:  # the first two warm up
                (f.saves_background if background else f.saves_api).append(elapsed)

    # -- queries ----------------------------------------------------------------------------------------------------
    f.load.append(os.getloadavg()[0])
    say(f"[{c.pages}] queries ({load_note()}) …")
    raw_searcher = backend.ix.searcher(weighting=RecentFirst())
    for kind, texts in QUERIES.items():
        plugin_times, raw_times, cold_times, cpu_times = [], [], [], []
        for text in texts:
            query = parse(text)
            backend.forget_postings()  # the first search of this query decodes its posting lists (timed: "cold")
            for r in range(repeats + 1):
                with app.test_request_context("/"):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    service.search(query, routes.request_reader(), None, 10)
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
                if r == 0:  # the reference: Whoosh running the plan the plugin ended with (same terms, fields,
                    # weights, phrase bonus; the same filter), ranked by the same BM25F with the recency factor
                    compiled, flt = backend.reference_query(backend.last_plan), backend.reference_filter(query)
                    raw_searcher.search(compiled, filter=flt, limit=10)  # its warm-up
                started_raw = time.perf_counter()
                hits = raw_searcher.search(compiled, filter=flt, limit=10)
                [hit["id"] for hit in hits]
                elapsed_raw = time.perf_counter() - started_raw
                if r:
                    plugin_times.append(elapsed)
                    raw_times.append(elapsed_raw)
                    cpu_times.append(cpu)
                else:
                    cold_times.append(elapsed)
        f.plugin[kind], f.raw[kind], f.cold[kind], f.cpu[kind] = plugin_times, raw_times, cold_times, cpu_times
    raw_searcher.close()
    f.load.append(os.getloadavg()[0])
    shutil.rmtree(run, ignore_errors=True)
    return f


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        mem = 0
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    whoosh = f"whoosh-reloaded {v('whoosh-reloaded')}" if v("whoosh-reloaded") != "-" else f"Whoosh {v('Whoosh')}"
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, CPython {platform.python_version()}, {whoosh}, "
            f"kiwipiepy {v('kiwipiepy')}")


def ms(x: float) -> str:
    return f"{x * 1000:.1f}"


def table(results: list[Figures], big: Figures) -> str:
    lines = ["| measure | " + " | ".join(f.name for f in results) + " | target |",
             "| --- | " + " | ".join("---" for _ in results) + " | --- |"]

    def row(label: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("documents indexed", [f"{f.docs:,}" for f in results])
    row("full rebuild (from nothing)", [f"{f.rebuild_s:.0f} s, **{f.docs / f.rebuild_s:.0f} docs/s**"
                                        for f in results])
    row("index size", [f"{f.index_mb:.0f} MB" for f in results])
    ok_save = all(pct(f.saves_api, 95) < SAVE_P95_S and pct(f.saves_background, 95) < SAVE_P95_S and
                  not f.save_timeouts for f in results)
    row("save → searchable, reader's search (p50 / p95)",
        [f"{ms(pct(f.saves_api, 50))} / {ms(pct(f.saves_api, 95))} ms ({len(f.saves_api)} saves)"
         for f in results], f"p95 < {SAVE_P95_S:.0f} s: **{'PASS' if ok_save else 'FAIL'}**")
    row("save → searchable, background thread only (p50 / p95)",
        [f"{ms(pct(f.saves_background, 50))} / {ms(pct(f.saves_background, 95))} ms"
         + (f", {f.save_timeouts} not found in {POLL_LIMIT_S:.0f} s" if f.save_timeouts else "")
         for f in results], "(same)")
    all_plugin, all_raw = {}, {}
    for kind in QUERIES:
        cells = []
        for f in results:
            p, r = f.plugin[kind], f.raw[kind]
            cells.append(f"{ms(pct(p, 50))} / **{ms(pct(p, 95))}** ms · raw {ms(pct(r, 50))} / {ms(pct(r, 95))} · "
                         f"×{statistics.mean(p) / statistics.mean(r):.2f}")
            all_plugin.setdefault(f.name, []).extend(p)
            all_raw.setdefault(f.name, []).extend(r)
        row(f"query: {kind} (plugin p50 / p95 · raw Whoosh · mean ratio)", cells)
    for kind in QUERIES:
        row(f"query: {kind}, first search of each (nothing decoded yet: p50 / max)",
            [f"{ms(pct(f.cold[kind], 50))} / {ms(max(f.cold[kind]))} ms" for f in results])
    row("query CPU time of this process, p95 over all kinds (what other processes' load does not inflate)",
        [f"{ms(pct([x for k in QUERIES for x in f.cpu[k]], 95))} ms" for f in results])
    q95 = max(pct(big.plugin[k], 95) for k in QUERIES)
    row("query p95, worst kind", [f"{ms(max(pct(f.plugin[k], 95) for k in QUERIES))} ms" for f in results],
        f"< {QUERY_P95_MS:.0f} ms at the largest: **{'PASS' if q95 * 1000 < QUERY_P95_MS else 'FAIL'}**")
    ratios = {f.name: statistics.mean(all_plugin[f.name]) / statistics.mean(all_raw[f.name]) - 1 for f in results}
    row("plugin's added time over raw Whoosh (all queries, means)", [f"{ratios[f.name] * 100:+.0f} %"
                                                                    for f in results],
        f"< {OVERHEAD * 100:.0f} %: **{'PASS' if max(ratios.values()) < OVERHEAD else 'FAIL'}**")
    row("load average (1 min) at rebuild / saves / queries / end",
        [" / ".join(f"{x:.1f}" for x in f.load) for f in results])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small corpora (300 and 500 pages)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the corpora and rebuild the indexes")
    parser.add_argument("--only", type=int, help="only the corpus of this many pages")
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--queries", type=int, default=10, help="repetitions of each query (5 queries per kind)")
    args = parser.parse_args(argv)
    corpora = [Corpus(300, 1_000, 50), Corpus(500, 2_000, 50)] if args.quick else \
        [Corpus(2_000, 20_000), Corpus(20_000, 25_000)]
    if args.only:
        corpora = [c for c in corpora if c.pages == args.only]
    os.environ.setdefault("MADANG_LOG_LEVEL", "WARNING")
    results = []
    for c in corpora:
        prepare(c, args.fresh)
        results.append(measure(c, args.saves, args.queries))
    lines = [table(results, results[-1]), "",
             f"Machine: {machine()}; {len(QUERIES)} kinds × 5 queries × {args.queries} runs, limit 10; "
             f"{args.saves} saves. The load average is other processes' too (2 shared cores)."]
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"search-{'quick' if args.quick else 'full'}.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
