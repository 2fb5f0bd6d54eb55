"""Co-editing benchmark (issue 10): 20 editors on one page, each typing 5 characters a second (Korean and
English, at random places, one in ten a backspace) for a minute (`--quick`: 15 s), against a real
`python app.py` process.

    .venv/bin/python -m bench.coedit_bench [--quick] [--editors 20] [--seconds 60]

Measured: the convergence delay of every keystroke — from the key press to the moment *every other* editor has
applied the version that holds it (the slowest of them) — p50/p95/p99/max; the server process's CPU (user+system
seconds per wall second, of one core); and divergence: once typing stops, every editor's text and the text a
newcomer gets from the server must be identical. Editors are python-socketio clients (plugins/coedit/remote.py)
spread over 4 client processes, so the clients' own Python is not the bottleneck; timestamps are wall-clock
(one machine). The reference measured in the same run is a bare Socket.IO round trip (a `cursor` event and its
acknowledgement, nobody else in the page), so delays are also given as multiples of it.

Then the same with two server processes sharing one content repository and state database, joined by a real
redis-server (Socket.IO's message queue and the home of the sessions): editors alternate between the processes,
and the server CPU is the sum of both.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from .load import percentile
from .progress import Bar
from .run import machine
from .server import Redis, free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "벤치마크-비밀번호-2026"
PAGE = "벤치/공동편집"
CHARS = "가나다라마바사아자차카타파하서울시청민원abcdefghijklmnopqrstuvwxyz ,."
CLIENT_PROCESSES = 4


def prepare(folder: Path) -> None:
    """A fresh content repository with co-editing the only plugin on."""
    from wiki.plugins import PLUGINS_FILE
    from wiki.store import Author, ContentStore

    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    store = ContentStore(folder / "content_repo", "main")
    plugins = {name: {"enabled": name == "coedit"} for name in names}
    plugins["coedit"]["settings"] = {"max_edits_per_second": 100}
    store.commit({PLUGINS_FILE: json.dumps(plugins).encode()}, Author("벤치", "bench@localhost"), "벤치 준비")
    store.close()


class Server:
    """`python app.py` on the prepared folder (`extra_env`: what several processes share)."""

    def __init__(self, folder: Path, name: str = "server", extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MADANG_PORT": str(self.port), "MADANG_HOST": "127.0.0.1",
               "MADANG_CONTENT_REPO": str(folder / "content_repo"), "MADANG_SEARCH_INDEX": str(folder / "index"),
               "MADANG_INSTANCE_DIR": str(folder / "instance"), "MADANG_ADMIN_PASSWORD": PASSWORD,
               **(extra_env or {})}
        self.log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/api/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within 60 s")

    def token(self, username: str, password: str = PASSWORD) -> str:
        answer = requests.post(self.url + "/api/v1/auth/token", json={"username": username, "password": password},
                               timeout=30)
        answer.raise_for_status()
        return answer.json()["token"]

    def cpu_seconds(self) -> float:
        return self.cpu_of(self.process.pid)

    @staticmethod
    def cpu_of(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def client_process(urls: list[str], tokens: list[str], start_at: float, seconds: float, seed: int, out) -> None:
    """Editors of one client process: type until `start_at + seconds`, then report what they measured."""
    from plugins.coedit.remote import Editor

    class Measured(Editor):
        def __init__(self, *args, **kwargs) -> None:
            self.keys: list[float] = []  # press times not yet in an edit
            self.edit_keys: dict[str, list[float]] = {}
            self.key_versions: list[tuple[float, int]] = []  # (press time, the version that holds it)
            self.applied: dict[int, float] = {}  # version -> when this editor had it
            self.last = None
            super().__init__(*args, on_version=self.seen, **kwargs)

        def seen(self, _editor, version: int) -> None:
            now = time.time()
            first = version if self.last is None else self.last + 1
            for number in range(first, version + 1):
                self.applied[number] = now
            self.last = version

        def flush(self) -> None:
            with self.lock:
                out = self.doc.outgoing() if self.doc else None
                if out is not None:
                    self.edit_keys[out["id"]], self.keys = self.keys, []
            if out is not None:
                self._send(out)

        def _receive(self, entry: dict) -> None:
            keys = self.edit_keys.pop(entry.get("id"), None)
            if keys is not None:
                self.key_versions += [(t, entry["version"]) for t in keys]
            super()._receive(entry)

    editors = [Measured(urls[i % len(urls)], token, PAGE) for i, token in enumerate(tokens)]
    for editor in editors:
        editor.last = editor.doc.version

    def typist(editor: Measured, rng: random.Random) -> None:
        time.sleep(max(0.0, start_at - time.time()) + rng.random() * 0.2)
        next_at = time.time()
        while time.time() < start_at + seconds:
            def change(text: str) -> str:
                at = rng.randint(0, len(text))
                if rng.random() < 0.1 and at > 0:
                    return text[:at - 1] + text[at:]
                return text[:at] + rng.choice(CHARS) + text[at:]
            with editor.lock:
                editor.keys.append(time.time())
                editor.doc.edit(change(editor.doc.local))
            editor.flush()
            next_at += 0.2
            time.sleep(max(0.0, next_at - time.time()))

    threads = [threading.Thread(target=typist, args=(e, random.Random(seed * 100 + i))) for i, e in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.time() + 30  # let everything arrive: settled, and no new version for a second
    while time.time() < deadline:
        time.sleep(0.25)
        if all(e.settled() for e in editors) and time.time() - max(max(e.applied.values(), default=0)
                                                                 for e in editors) > 1.0:
            break
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put({"cpu": usage.ru_utime + usage.ru_stime,
             "editors": [{"keys": e.key_versions, "applied": e.applied, "text": e.text, "version": e.doc.version,
                          "errors": e.errors} for e in editors]})
    for editor in editors:
        editor.disconnect()


def reference_round_trip(url: str, token: str, count: int = 200) -> list[float]:
    from plugins.coedit.remote import Editor

    editor = Editor(url, token, "벤치/기준")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        editor.call("cursor", {"path": "벤치/기준", "version": 0, "anchor": 0, "head": 0})
        times.append(time.perf_counter() - started)
    editor.disconnect()
    return times


def run(editors: int, seconds: float, processes: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="madang-coedit-bench-") as tmp:
        folder = Path(tmp)
        prepare(folder)
        redis = Redis(folder) if processes > 1 else None
        shared = {"MADANG_REDIS_URL": redis.url} if redis else {}
        servers: list[Server] = []
        try:
            for number in range(processes):  # one after the other: the first start creates the database
                servers.append(Server(folder, f"server{number}", shared))
            server = servers[0]
            admin = {"Authorization": f"Bearer {server.token('admin')}"}
            requests.put(f"{server.url}/api/v1/pages/{PAGE}", headers=admin, timeout=30,
                         json={"markdown": "# 공동 편집 벤치마크\n\n"}).raise_for_status()
            requests.put(f"{server.url}/api/v1/pages/벤치/기준", headers=admin, timeout=30,
                         json={"markdown": "# 기준\n"}).raise_for_status()
            tokens = []
            for index in range(editors):
                username = f"editor{index:02d}"
                requests.post(server.url + "/api/v1/admin/users", headers=admin, timeout=30, json={
                    "username": username, "password": PASSWORD, "name": f"편집자 {index}",
                    "email": f"{username}@seoul.go.kr"}).raise_for_status()
                tokens.append(server.token(username))
            reference = reference_round_trip(server.url, tokens[0])
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            start_at = time.time() + 5 + editors * 0.15  # time to connect and join
            urls = [s.url for s in servers]
            groups = [tokens[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
            clients = [context.Process(target=client_process, args=(urls, group, start_at, seconds, i, queue))
                       for i, group in enumerate(groups) if group]
            for process in clients:
                process.start()
            while time.time() < start_at:
                time.sleep(0.05)
            meters = servers + ([redis] if redis else [])
            cpu_before, wall_before = [m.cpu_seconds() for m in meters], time.time()
            bar = Bar(f"typing ({processes} process{'es' if processes > 1 else ''})", int(seconds))
            while time.time() < start_at + seconds:
                time.sleep(1)
                bar.update(int(time.time() - start_at))
            wall = time.time() - wall_before
            cpu = [(m.cpu_seconds() - before) / wall for m, before in zip(meters, cpu_before, strict=True)]
            load = os.getloadavg()[0]
            bar.finish()
            results = [queue.get(timeout=120) for _ in clients]
            for process in clients:
                process.join(30)
            from plugins.coedit.remote import Editor

            texts = set()
            for url in urls:  # a newcomer on every process gets the same text
                newcomer = Editor(url, tokens[0], PAGE)
                server_text, server_version = newcomer.joined["text"], newcomer.joined["version"]
                texts.add((server_text, server_version))
                newcomer.disconnect()
        finally:
            for server in servers:
                server.stop()
            if redis:
                redis.stop()
    everyone = [e for r in results for e in r["editors"]]
    delays, pair = [], []
    for author, e in enumerate(everyone):
        others = [o for i, o in enumerate(everyone) if i != author]
        for pressed, version in e["keys"]:
            seen = [o["applied"].get(version) for o in others]
            if all(s is not None for s in seen):
                delays.append(max(seen) - pressed)
                pair += [s - pressed for s in seen]
    keys = sum(len(e["keys"]) for e in everyone)
    divergent = sum(1 for e in everyone if e["text"] != server_text or e["version"] != server_version)
    divergent += len(texts) - 1
    return {"editors": editors, "seconds": seconds, "processes": processes, "keys": keys, "measured": len(delays),
            "versions": server_version, "p50": percentile(delays, 50), "p95": percentile(delays, 95),
            "p99": percentile(delays, 99), "max": max(delays, default=0.0), "pair_p50": percentile(pair, 50),
            "cpu": sum(cpu[:processes]), "redis_cpu": cpu[processes] if redis else 0.0,
            "reference": statistics.median(reference), "divergent": divergent,
            "errors": sum(len(e["errors"]) for e in everyone), "length": len(server_text), "load": load,
            "client_cpu": sum(r["cpu"] for r in results) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="15 s of typing instead of 60 s")
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (15.0 if args.quick else 60.0)
    info = machine()
    print(f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, {info['cpu']}; other work may be running")
    runs = [run(args.editors, seconds, 1), run(args.editors, seconds, 2)]
    ms = 1000.0
    print()
    print(f"{args.editors} editors × 5 keys/s for {seconds:.0f} s; delays also as multiples of a bare Socket.IO "
          "round trip measured in the same run")
    print()
    print("| | one process | × round trip | 2 processes + Redis | × round trip |")
    print("| --- | ---: | ---: | ---: | ---: |")

    def row(label: str, values: list[str], ratios: list[str] | None = None) -> None:
        ratios = ratios or ["", ""]
        print(f"| {label} | {values[0]} | {ratios[0]} | {values[1]} | {ratios[1]} |")

    row("keystrokes (measured at every other editor)", [f"{r['keys']:,} ({r['measured']:,})" for r in runs])
    row("versions (edits accepted)", [f"{r['versions']:,}" for r in runs])
    for label, key in (("convergence p50", "p50"), ("convergence p95", "p95"), ("convergence p99", "p99"),
                       ("convergence max", "max"), ("one other editor, p50", "pair_p50")):
        row(label, [f"{r[key] * ms:.1f} ms" for r in runs], [f"{r[key] / r['reference']:.1f}" for r in runs])
    row("reference: Socket.IO round trip p50", [f"{r['reference'] * ms:.2f} ms" for r in runs], ["1.0", "1.0"])
    row("server CPU (of one core; both processes)", [f"{100 * r['cpu']:.0f} %" for r in runs])
    row("redis-server CPU", ["–", f"{100 * runs[1]['redis_cpu']:.0f} %"])
    row("server CPU per version", [f"{r['cpu'] * r['seconds'] / max(r['versions'], 1) * ms:.2f} ms" for r in runs])
    row("the 4 client processes' CPU (of one core)", [f"{100 * r['client_cpu']:.0f} %" for r in runs])
    row("machine load average (1 min) at the end", [f"{r['load']:.1f}" for r in runs])
    row("final text (characters)", [f"{r['length']:,}" for r in runs])
    row("divergent editors at the end", [f"{r['divergent']} of {r['editors']}" for r in runs])
    row("refused edits", [str(r["errors"]) for r in runs])
    if any(r["divergent"] for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
