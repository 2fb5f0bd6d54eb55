"""The benchmark: `.venv/bin/python -m bench` (see bench/README.md). Prints a Markdown table; not a test.

Steps: make (or reuse) the corpus, build the views with the real `build_core()`, copy both into a scratch folder,
serve them with gunicorn, measure, and compare with a Flask hello-world under the same gunicorn settings.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from . import corpus
from .load import Client, get_request, percentile, run_load, timed_series
from .progress import Bar
from .server import THREADS, WORKERS, Server, machine_busy, wait_for_quiet

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
ADMIN_PASSWORD = "bench-관리자-password-2024"
SECRET_KEY = "madang-bench-secret"
# what the derived data depends on: when one of these changes, the cached views are rebuilt
VIEW_FINGERPRINT_FILES = ("wiki/views.py", "wiki/models.py", "wiki/app.py", "wiki/db.py", "wiki/store.py",
                          "wiki/plugins.py", "wiki/markup.py")
VIEW_FINGERPRINT_GLOBS = ("plugins/*/*.py",)


@dataclass
class Preset:
    name: str
    spec: corpus.Spec
    duration: float  # seconds per throughput measurement
    warmup: float
    sequential: int  # requests per history / diff measurement
    saves: int
    view_pages: int = 100
    quiet_wait: float = 60.0  # seconds to wait for other processes to calm down before a throughput run


PRESETS = {
    "full": Preset("full", corpus.Spec(pages=2_000, stages=(20_000, 100_000), authors=200), duration=15.0,
                   warmup=3.0, sequential=100, saves=100),
    "quick": Preset("quick", corpus.Spec(pages=200, stages=(2_000, 10_000), authors=50), duration=3.0,
                    warmup=1.0, sequential=25, saves=20, quiet_wait=5.0),
}


def say(text: str = "") -> None:
    print(text, flush=True)


# -- the machine ------------------------------------------------------------------------------------------------

def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    mem_kib = first("/proc/meminfo", "MemTotal").split()[0]
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    gunicorn = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--version"], capture_output=True,
                              text=True).stdout.strip().split()[-1].strip("()")
    return {"nproc": nproc, "cpu": first("/proc/cpuinfo", "model name"),
            "memory_gib": round(int(mem_kib) / 1024 / 1024, 1) if mem_kib.isdigit() else "?",
            "kernel": platform.release(), "python": platform.python_version(),
            "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip().split()[-1],
            "gunicorn": gunicorn}


# -- corpus and views (cached under bench/out/<preset>/) ----------------------------------------------------------

@dataclass
class Stage:
    commits: int
    repo: Path
    marks: Path
    views: Path  # the instance folder holding the state database with the views caught up
    head: str = ""
    import_seconds: float = 0.0
    catch_up_seconds: float = 0.0  # build_core(): the views of the ViewRunner
    app_seconds: float = 0.0  # then create_app(): plugins bind their own views (the search index) and catch up
    caught_up: int = 0  # commits the catch-up applied
    view_names: list[str] = field(default_factory=list)
    cached_views: bool = False


def prepare_corpus(preset: Preset, fresh: bool) -> tuple[list[Stage], dict]:
    folder = OUT / preset.name
    spec = preset.spec
    stages = [Stage(n, folder / f"repo-{n}.git", folder / f"marks-{n}.txt", folder / f"views-{n}")
              for n in spec.stages]
    meta_file = folder / "corpus.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() and not fresh else {}
    usable = meta.get("key") == spec.key() and all(s.repo.is_dir() and s.marks.exists() for s in stages)
    if usable:
        say(f"Corpus: reusing {folder.relative_to(ROOT)} (--fresh regenerates).")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        say(f"Corpus: generating {spec.pages:,} pages and {spec.stages[-1]:,} commits with git fast-import …")
        bars: dict[str, Bar] = {}

        def bar(label: str, done: int, total: int) -> None:
            if label not in bars:
                bars[label] = Bar(label, total)
            bars[label].update(done)

        times = corpus.generate(spec, [s.repo for s in stages], [s.marks for s in stages], say, bar)
        meta = {"key": spec.key(), "import_seconds": times, "created": datetime.now().isoformat(timespec="seconds"),
                "heads": [corpus.head_of(s.repo) for s in stages]}
        meta_file.write_text(json.dumps(meta, indent=2))
    for stage, seconds, head in zip(stages, meta["import_seconds"], meta["heads"], strict=True):
        stage.import_seconds, stage.head = seconds, head
    meta["sizes"] = page_sizes(stages[0].repo)
    return stages, meta


def page_sizes(repo: Path) -> dict:
    out = subprocess.run(["git", "--git-dir", str(repo), "ls-tree", "-r", "-l", "-z", "refs/heads/main", "pages/"],
                         capture_output=True, check=True).stdout
    sizes = sorted(int(entry.split(b"\t")[0].split()[3]) for entry in out.split(b"\0") if entry)
    return {"count": len(sizes), "min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1]}


def fingerprint(spec: corpus.Spec, head: str) -> str:
    digest = hashlib.sha256(json.dumps(spec.key()).encode() + head.encode())
    paths = [ROOT / name for name in VIEW_FINGERPRINT_FILES]
    paths += sorted(p for pattern in VIEW_FINGERPRINT_GLOBS for p in ROOT.glob(pattern))
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


def bench_config(repo: Path, instance: Path):
    from wiki.config import Config

    return Config(content_repo=repo, instance_dir=instance, search_index=instance / "search_index",
                  admin_password=ADMIN_PASSWORD, secret_key=SECRET_KEY)


def prepare_views(preset: Preset, stages: list[Stage], fresh: bool) -> None:
    """Catch the views up with the real build_core(): from nothing for the first stage, incrementally after."""
    for k, stage in enumerate(stages):
        stamp = stage.views / "bench-views.json"
        mark = fingerprint(preset.spec, stage.head)
        info = json.loads(stamp.read_text()) if stamp.exists() and not fresh else {}
        if info.get("fingerprint") == mark:
            stage.catch_up_seconds, stage.app_seconds = info["seconds"], info["app_seconds"]
            stage.caught_up, stage.view_names, stage.cached_views = info["commits"], info["views"], True
            say(f"Views @ {stage.commits:,} commits: reusing {stage.views.relative_to(ROOT)} "
                f"(caught up {stage.caught_up:,} commits in {stage.catch_up_seconds:.1f} + "
                f"{stage.app_seconds:.1f} s when made).")
            continue
        shutil.rmtree(stage.views, ignore_errors=True)
        previous = stages[k - 1] if k else None
        if previous is not None:
            shutil.copytree(previous.views, stage.views)
            (stage.views / "bench-views.json").unlink(missing_ok=True)
        else:
            stage.views.mkdir(parents=True)
        start = previous.commits if previous else 0
        marks: dict[str, int] = {}
        for s in stages[: k + 1]:
            marks.update(corpus.read_marks(s.marks))
        say(f"Views @ {stage.commits:,} commits: build_core() catches up {stage.commits - start:,} commits …")
        stage.catch_up_seconds, stage.app_seconds, stage.view_names = catch_up(stage, marks, start)
        stage.caught_up = stage.commits - start
        stamp.write_text(json.dumps({"fingerprint": mark, "seconds": stage.catch_up_seconds,
                                     "app_seconds": stage.app_seconds, "commits": stage.caught_up,
                                     "views": stage.view_names}))


def catch_up(stage: Stage, marks: dict[str, int], start: int) -> tuple[float, float, list[str]]:
    """build_core() catches the ViewRunner's views up (a thread draws their watermarks as a bar); then
    create_app() lets plugins bind their own views (the search index) and catch those up. Returns both times
    and the views' names."""
    from wiki.app import build_core, create_app

    config = bench_config(stage.repo, stage.views)
    db_file = stage.views / "madang.sqlite3"
    total = stage.commits - start
    bar = Bar("views", total)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            try:
                with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=1) as conn:
                    rows = conn.execute("SELECT name, revision FROM view_state").fetchall()
            except sqlite3.Error:
                continue
            done = {name: marks.get(rev, start) - start for name, rev in rows}
            if done:  # the views catch up one after the other: the bar shows their mean
                bar.update(sum(done.values()) // len(done), " · ".join(f"{n} {d:,}" for n, d in sorted(done.items())))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    core = build_core(config)
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    bar.finish(f"{total / seconds:,.0f} commits/s" if seconds else "")
    names = [view.name for view in core.views.views]
    core.store.close()
    core.db.engine.dispose()

    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(15):
            say(f"  create_app(): plugins catching up their views … {time.perf_counter() - begun:.0f} s")

    begun = time.perf_counter()
    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    app = create_app(config)
    app_seconds = time.perf_counter() - begun
    done.set()
    beat.join()
    say(f"  create_app(): {app_seconds:.1f} s (views: {', '.join(names)})")
    madang = app.extensions["madang"]
    madang.store.close()
    madang.db.engine.dispose()
    return seconds, app_seconds, names


def scratch_copy(stage: Stage, preset: Preset) -> tuple[Path, Path]:
    """A working copy the server may write to (saves add commits): objects hard-linked, everything else copied."""
    run = OUT / preset.name / "run" / str(stage.commits)
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)

    def copy(src: str, dst: str) -> None:
        if f"{os.sep}objects{os.sep}" in src:
            try:
                os.link(src, dst)
                return
            except OSError:
                pass
        shutil.copy2(src, dst)

    shutil.copytree(stage.repo, run / "repo.git", copy_function=copy)
    shutil.copytree(stage.views, run / "instance", ignore=shutil.ignore_patterns("bench-views.json"))
    return run / "repo.git", run / "instance"


# -- measurements -----------------------------------------------------------------------------------------------

def url(path: str) -> str:
    return quote(path, safe="/")


@dataclass
class Measured:
    view_route: str = ""
    view: dict = field(default_factory=dict)  # "anonymous" / "signed-in" -> concurrency -> throughput figures
    hello: dict = field(default_factory=dict)  # the reference, measured right before each view run
    history: list[float] = field(default_factory=list)
    history_html: list[float] | None = None
    history_items: int = 0
    diff: list[float] = field(default_factory=list)
    diff_info: str = ""
    saves: list[float] = field(default_factory=list)
    save_errors: int = 0
    notes: list[str] = field(default_factory=list)


def throughput(server: Server, make_request, concurrency: int, preset: Preset) -> dict:
    """Warm up, wait for a quiet machine, then one closed-loop run with the CPU time of everyone involved."""
    run_load(server.port, make_request, concurrency=concurrency, duration=preset.warmup)
    background = wait_for_quiet(preset.quiet_wait)
    cpu0, (busy0, wall0) = server.cpu_seconds(), machine_busy()
    result = run_load(server.port, make_request, concurrency=concurrency, duration=preset.duration)
    cpu1, (busy1, wall1) = server.cpu_seconds(), machine_busy()
    server_cpu = cpu1 - cpu0
    others = (busy1 - busy0) - server_cpu - result.client_cpu * result.seconds
    return {"rps": result.rps, "p50_ms": result.pct(50) * 1000, "p95_ms": result.pct(95) * 1000,
            "requests": result.requests, "errors": result.errors, "client_cpu": result.client_cpu,
            "statuses": result.statuses, "server_cpu_ms": 1000 * server_cpu / max(result.requests, 1),
            "server_cores": server_cpu / (wall1 - wall0), "others_cores": max(others, 0.0) / (wall1 - wall0),
            "background_before": background}


def show(name: str, f: dict) -> None:
    say(f"  {name}: {f['rps']:,.0f} req/s, p50 {f['p50_ms']:.2f} ms, p95 {f['p95_ms']:.2f} ms, "
        f"server CPU {f['server_cpu_ms']:.2f} ms/request ({f['server_cores']:.2f} cores), client "
        f"{f['client_cpu']:.2f} cores, other processes {f['others_cores']:.2f} cores, errors {f['errors']}")


def signed_in_reader(client: Client, admin: dict) -> dict:
    """Headers of a signed-in staff member (not an admin): an account made through the API, and its token."""
    password = "bench-독자-password-2024"
    client.json("POST", "/api/v1/admin/users", {"username": "bench.reader", "password": password,
                                                "name": "벤치 독자", "email": "reader@city.example.kr",
                                                "department": "총무과"}, admin)
    status, body = client.json("POST", "/api/v1/auth/token", {"username": "bench.reader", "password": password})
    if status != 201:
        raise SystemExit(f"Could not sign the reader in ({status}): {body}")
    return {"Authorization": f"Bearer {body['token']}"}


def choose_route(client: Client, wanted: str, page: str) -> tuple[str, str]:
    """The page view's address template ('/wiki/{}' or '/api/v1/pages/{}?render=html') and why it was chosen."""
    html = "/wiki/{}"
    api = "/api/v1/pages/{}?render=html"
    if wanted == "api":
        return api, "chosen with --route api"
    status, body, _ = client.call("GET", html.format(url(page)))
    if status == 200 and b"<html" in body[:2000].lower():
        return html, "the HTML page view"
    if wanted == "html":
        raise SystemExit(f"--route html: GET /wiki/<path> answered {status}; the HTML view is not there yet.")
    return api, f"`GET /wiki/<path>` answered {status}, so the JSON API with rendered HTML stands in"


def measure_madang(preset: Preset, stage: Stage, route: str, log: Path, state: dict, hello: Server) -> Measured:
    spec = preset.spec
    repo, instance = scratch_copy(stage, preset)
    env = {"MADANG_CONTENT_REPO": str(repo), "MADANG_INSTANCE_DIR": str(instance),
           "MADANG_SEARCH_INDEX": str(instance / "search_index"), "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "MADANG_SECRET_KEY": SECRET_KEY}
    m = Measured()
    say(f"Madang @ {stage.commits:,} commits under gunicorn …")
    with Server("bench.wsgi:app", env=env, log=log) as server:
        client = Client(server.port)
        status, body = client.json("POST", "/api/v1/auth/token", {"username": "admin", "password": ADMIN_PASSWORD})
        if status != 201:
            raise SystemExit(f"Could not get an API token ({status}): {body}")
        auth = {"Authorization": f"Bearer {body['token']}"}
        reader = signed_in_reader(client, auth)

        # page views: a fixed set of pages of every size, caches warmed by the warm-up; an anonymous reader (whom
        # a page cache may serve) and a signed-in staff member (a bearer token, like a session: never cached)
        template, why = choose_route(client, route, spec.diff_page)
        m.view_route = template.replace("{}", "<path>")
        m.notes.append(f"page view: `GET {m.view_route}` ({why})")
        step = max(1, spec.pages // preset.view_pages)
        view_pages = [corpus.page_path(i) for i in range(3, spec.pages, step)][: preset.view_pages]
        hello_request = get_request("/", hello.port)
        for kind, headers in (("anonymous", None), ("signed-in", reader)):
            requests = [get_request(template.format(url(p)), server.port, headers) for p in view_pages]
            m.view[kind] = {}
            for concurrency in (1, 32):
                if kind == "anonymous":
                    m.hello[concurrency] = throughput(hello, lambda _i: hello_request, concurrency, preset)
                    show(f"hello c={concurrency}", m.hello[concurrency])
                figures = throughput(server, lambda i, r=requests: r[i % len(r)], concurrency, preset)
                m.view[kind][concurrency] = figures
                show(f"view ({kind}) c={concurrency}", figures)

        # history of the page with exactly `history_revisions` revisions
        hist = f"/api/v1/pages/{url(spec.history_page)}/history?limit={spec.history_revisions}"
        status, body = client.json("GET", hist)
        m.history_items = len(body.get("items", [])) if status == 200 else 0
        if m.history_items != spec.history_revisions:
            m.notes.append(f"history answered {status} with {m.history_items} items "
                           f"(expected {spec.history_revisions})")

        def timed(path: str, headers: dict | None = None):
            def one(_i: int) -> float | None:
                code, _, seconds = client.call("GET", path, headers=headers)
                return seconds if code == 200 else None
            return one

        for _ in range(3):
            client.call("GET", hist)
        m.history = timed_series(timed(hist), preset.sequential, 60)
        say(f"  history: p50 {percentile(m.history, 50) * 1000:.1f} ms over {len(m.history)} requests")
        hist_html = f"/wiki/{url(spec.history_page)}/history"
        code, _, _ = client.call("GET", hist_html)
        if code == 200:
            m.history_html = timed_series(timed(hist_html), preset.sequential, 60)
            say(f"  history HTML: p50 {percentile(m.history_html, 50) * 1000:.1f} ms")
        else:
            m.notes.append(f"`GET /wiki/<path>/history` answered {code}: not measured")

        # diff of the multi-KB page between two revisions five changes apart (same pair at every stage)
        if "diff" not in state:
            code, body = client.json("GET", f"/api/v1/pages/{url(spec.diff_page)}/history?limit=20")
            items = body.get("items", []) if code == 200 else []
            if len(items) >= 16:
                state["diff"] = (items[15]["revision"], items[10]["revision"], items[10]["size"])
        if "diff" in state:
            old, new, size = state["diff"]
            diff = f"/api/v1/pages/{url(spec.diff_page)}/diff?from={old}&to={new}"
            for _ in range(3):
                client.call("GET", diff)
            m.diff = timed_series(timed(diff), preset.sequential, 60)
            m.diff_info = f"{size / 1024:.1f} KB page, 5 revisions apart"
            say(f"  diff: p50 {percentile(m.diff, 50) * 1000:.1f} ms")

        # saves: sequential PUTs of different pages (text read first, untimed; base_revision given)
        chosen = set(range(3, spec.pages, step))
        save_pages = [corpus.page_path(i) for i in range(spec.pages - 1, 1, -1) if i not in chosen]
        save_pages = save_pages[: preset.saves + 3]

        def save(i: int) -> float | None:
            path = save_pages[i]
            code, page = client.json("GET", f"/api/v1/pages/{url(path)}")
            if code != 200:
                m.save_errors += 1
                return None
            text = page["markdown"].rstrip("\n") + f"\n\n벤치마크 수정 {i}: 담당자 연락처를 갱신했습니다.\n"
            code, _, seconds = client.call("PUT", f"/api/v1/pages/{url(path)}",
                                           {"markdown": text, "message": f"벤치마크 저장 {i}",
                                            "base_revision": page["revision"]}, auth)
            if code not in (200, 201):
                m.save_errors += 1
                return None
            return seconds

        series = timed_series(save, len(save_pages), 120)
        m.saves = series[3:]  # the first saves of a run start git processes and warm caches
        say(f"  save: p50 {percentile(m.saves, 50) * 1000:.1f} ms over {len(m.saves)} saves, "
            f"errors {m.save_errors}")
        client.close()
    return m


# -- the table --------------------------------------------------------------------------------------------------

def ms(values: list[float] | None) -> str:
    if not values:
        return "n/a"
    return f"{fmt_ms(percentile(values, 50) * 1000)} / {fmt_ms(percentile(values, 95) * 1000)}"


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def rps(f: dict) -> str:
    return f"{f['rps']:,.0f} ({fmt_ms(f['p50_ms'])} / {fmt_ms(f['p95_ms'])})"


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def table(preset: Preset, mach: dict, meta: dict, stages: list[Stage], results: list[Measured],
          started: float) -> str:
    spec = preset.spec
    first, last = results[0], results[-1]
    s0, s1 = stages[0], stages[-1]
    k0, k1 = f"{s0.commits // 1000}k", f"{s1.commits // 1000}k"
    sizes = meta["sizes"]
    lines = [
        f"### Madang benchmark ({preset.name}) — {datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: nproc {mach['nproc']} · {mach['cpu']} · {mach['memory_gib']} GiB RAM · Linux {mach['kernel']} · "
        f"Python {mach['python']} · git {mach['git']} · gunicorn {mach['gunicorn']} "
        f"(`-w {WORKERS} --threads {THREADS}`, gthread) · load generator and server share these cores.",
        "",
        f"Corpus: {spec.pages:,} pages ({sizes['min'] / 1024:.1f}–{sizes['max'] / 1024:.1f} KB, median "
        f"{sizes['median'] / 1024:.1f} KB), {spec.authors} authors, {s0.commits:,} commits then {s1.commits:,}; "
        f"SQLite state database. Throughput: closed loop, {preset.duration:.0f} s after {preset.warmup:.0f} s "
        f"warm-up, {preset.view_pages} pages in turn.",
        "",
        f"| measure | hello world | Madang @ {k0} | Madang @ {k1} | ratio | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for kind in ("anonymous", "signed-in"):
        for c in (1, 32):
            h0_, h1_, v0, v1 = first.hello[c], last.hello[c], first.view[kind][c], last.view[kind][c]
            r0, r1 = v0["rps"] / h0_["rps"], v1["rps"] / h1_["rps"]
            target, result = ("", "")
            if c == 32 and kind == "anonymous":
                target, result = f"view/hello ≥ 0.40 @ {k1}", verdict(r1 >= 0.40)
            err = "".join(f" ({v['errors']} errors)" for v in (v0, v1) if v["errors"])
            lines.append(f"| page view, {kind}, c={c}: req/s (p50 / p95 ms) | {rps(h0_)} · {rps(h1_)} | {rps(v0)} | "
                         f"{rps(v1)}{err} | view/hello {r0:.2f} @ {k0} · {r1:.2f} @ {k1} | {target} | {result} |")
            lines.append(f"| page view, {kind}, c={c}: server CPU ms / request | {h0_['server_cpu_ms']:.2f} · "
                         f"{h1_['server_cpu_ms']:.2f} | {v0['server_cpu_ms']:.2f} | {v1['server_cpu_ms']:.2f} | "
                         f"view/hello {v0['server_cpu_ms'] / h0_['server_cpu_ms']:.1f}× · "
                         f"{v1['server_cpu_ms'] / h1_['server_cpu_ms']:.1f}× | | |")
    h0, h1 = percentile(first.history, 50), percentile(last.history, 50)
    ratio = h1 / h0 if first.history and last.history else float("nan")
    lines.append(f"| history API ({spec.history_revisions} revisions, `limit={spec.history_revisions}`): "
                 f"p50 / p95 ms | — | {ms(first.history)} | {ms(last.history)} | {k1}/{k0} {ratio:.2f} | "
                 f"≤ 1.3 | {verdict(ratio <= 1.3)} |")
    lines.append(f"| history HTML `/wiki/<path>/history` (its first screen): p50 / p95 ms | — | "
                 f"{ms(first.history_html)} | {ms(last.history_html)} | | | |")
    d0, d1 = percentile(first.diff, 50), percentile(last.diff, 50)
    dratio = f"{k1}/{k0} {d1 / d0:.2f}" if first.diff and last.diff else ""
    lines.append(f"| diff API ({first.diff_info or 'n/a'}): p50 / p95 ms | — | {ms(first.diff)} | {ms(last.diff)} | "
                 f"{dratio} | | |")
    s_p50 = percentile(last.saves, 50) * 1000 if last.saves else float("nan")
    errs = "".join(f" ({r.save_errors} errors)" for r in (first, last) if r.save_errors)
    lines.append(f"| save (PUT, sequential, different pages): p50 / p95 ms | — | {ms(first.saves)} | "
                 f"{ms(last.saves)}{errs} | | p50 < 50 ms @ {k1} | {verdict(s_p50 < 50)} |")
    c0 = f"{s0.caught_up:,} commits in {s0.catch_up_seconds:.1f} s ({s0.caught_up / s0.catch_up_seconds:,.0f}/s)"
    c1 = f"+{s1.caught_up:,} in {s1.catch_up_seconds:.1f} s ({s1.caught_up / s1.catch_up_seconds:,.0f}/s)"
    lines.append(f"| views catch-up, `build_core()` ({', '.join(s0.view_names)}) | — | {c0} | {c1} | | | |")
    lines.append(f"| then `create_app()` (plugins bind and catch up their views) | — | {s0.app_seconds:.1f} s | "
                 f"{s1.app_seconds:.1f} s | | | |")
    lines.append(f"| corpus: git fast-import + repack | — | {s0.import_seconds:.1f} s | "
                 f"+{s1.commits - s0.commits:,} commits: {s1.import_seconds:.1f} s | | | |")
    lines.append("")
    runs = [f for r in results for f in (*r.hello.values(), *(f for v in r.view.values() for f in v.values()))]
    notes = list(dict.fromkeys(first.notes + last.notes))
    notes.append(f"hello world is measured right before each Madang run (first figure: next to {k0}, second: next to "
                 f"{k1}); each ratio uses the hello figure measured next to it")
    notes.append(f"while measuring throughput the load generator used {min(f['client_cpu'] for f in runs):.2f}–"
                 f"{max(f['client_cpu'] for f in runs):.2f} cores and other processes on the machine "
                 f"{min(f['others_cores'] for f in runs):.2f}–{max(f['others_cores'] for f in runs):.2f} cores")
    notes.append(f"whole run: {(time.perf_counter() - started) / 60:.1f} min"
                 + (" (corpus and views reused from bench/out)" if all(s.cached_views for s in stages) else ""))
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus and short runs (a smoke check)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the corpus and views under bench/out")
    parser.add_argument("--route", choices=("auto", "html", "api"), default="auto",
                        help="page view: /wiki/<path> (html), /api/v1/pages/<path>?render=html (api), or html when "
                             "it answers 200 (auto, the default)")
    parser.add_argument("--duration", type=float, help="seconds per throughput measurement")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each throughput measurement")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    preset = PRESETS["quick" if args.quick else "full"]
    if args.duration:
        preset.duration = args.duration
    if args.warmup is not None:
        preset.warmup = args.warmup
    OUT.mkdir(exist_ok=True)
    mach = machine()
    say(f"Machine: nproc {mach['nproc']}, {mach['cpu']}, {mach['memory_gib']} GiB, Python {mach['python']}, "
        f"git {mach['git']}")
    stages, meta = prepare_corpus(preset, args.fresh)
    prepare_views(preset, stages, args.fresh)
    log = OUT / preset.name / "server.log"
    log.write_bytes(b"")
    state: dict = {}
    say("Reference: Flask hello-world (bench/hello.py) under the same gunicorn settings, measured next to each "
        "Madang run.")
    with Server("bench.hello:app", log=log) as hello:
        results = [measure_madang(preset, stage, args.route, log, state, hello) for stage in stages]
    text = table(preset, mach, meta, stages, results, started)
    (OUT / f"results-{preset.name}.md").write_text(text + "\n")
    raw = {"machine": mach, "corpus": meta,
           "stages": [{"commits": s.commits, "catch_up_seconds": s.catch_up_seconds, "caught_up": s.caught_up,
                       "app_seconds": s.app_seconds, "views": s.view_names,
                       "import_seconds": s.import_seconds, "hello": r.hello, "view": r.view, "history": r.history,
                       "history_html": r.history_html, "diff": r.diff, "saves": r.saves, "notes": r.notes}
                      for s, r in zip(stages, results, strict=True)]}
    (OUT / f"results-{preset.name}.json").write_text(json.dumps(raw, indent=1, default=str))
    say("")
    say(text)
    return 0
