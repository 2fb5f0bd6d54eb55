"""Messenger benchmark (issue 7): `.venv/bin/python -m bench.messenger_bench [--quick]`.

500 Socket.IO clients (real python-socketio clients over websockets, one person each) in 50 conversations of 10,
against real `python app.py` processes: one process alone, then two processes joined by a real redis-server
(Flask-SocketIO's message queue). Messages are sent at a fixed offered rate, spread over every client; each one
carries its send time, and every member's socket records when it arrived. Reported: the rate the server kept up
with (acknowledged messages/s, deliveries/s), the delivery latency from send to receipt by every member (p50, p99,
max, over all member×message pairs), the acknowledgement latency, and the counts: every acknowledged message
must reach each of its 10 members exactly once (lost, duplicated) and be stored once with a gapless `seq`.
Reference measured in the same run: a nearly idle server (20 clients in 2 conversations, 10 msg/s).
Also reported: the CPU time the server processes and the client processes spent per message (from /proc), which
says what the machine's other work hides: how many messages a second one core could carry.

The clients are python-socketio's AsyncClient (over aiohttp, a test dependency): each client process holds its
sockets on one event loop, so the load generator, which shares the machine's cores with the server, spends as
little of them as it can (the threaded client held two threads per socket and cost twice the CPU per message).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .server import Redis, free_port

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PASSWORD = "벤치마크-비밀번호-2026"
CLIENTS, CONVERSATIONS = 500, 50
CLIENT_PROCS = 4
SETTLE = 15.0  # seconds to wait for the last deliveries after the last send


# -- the client side (runs in CLIENT_PROCS spawned processes) ----------------------------------------------------
def client_worker(clients: list[tuple[int, str, str, int]], pipe) -> None:
    """Hold some clients on one asyncio loop (python-socketio's AsyncClient over aiohttp): connect them, then send
    at the rate asked and record every message received. An event loop, not a thread per socket: the load
    generator shares the server's 2 cores, and what it spends is taken from the server."""
    import asyncio

    asyncio.run(_client_main(clients, pipe))


async def _client_main(clients: list[tuple[int, str, str, int]], pipe) -> None:
    import asyncio

    import socketio

    receipts: list[tuple[int, int, int, float]] = []  # (client, message id, conversation, latency ms)
    acks: list[tuple[int, int, int, float, str]] = []  # (client, message id or 0, conversation, ms, error)
    sockets: list[tuple[int, socketio.AsyncClient, int]] = []

    def on_message(index: int):
        async def handler(data: dict) -> None:
            arrived = time.time()
            try:
                sent = float(data["text"].split(" ", 1)[0])
            except (KeyError, ValueError):
                return
            receipts.append((index, data["id"], data["conversation"], (arrived - sent) * 1000))
        return handler

    async def connect(index: int, url: str, token: str, conversation: int) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        client.on("message", on_message(index), namespace="/messenger")
        for attempt in range(5):
            try:
                await client.connect(url, namespaces=["/messenger"], auth={"token": token},
                                     transports=["websocket"], wait_timeout=30)
                sockets.append((index, client, conversation))
                return True
            except socketio.exceptions.ConnectionError:
                await asyncio.sleep(0.5 * (attempt + 1))
        return False

    failed = 0
    for chunk in range(0, len(clients), 25):  # 25 at a time: the server's listen backlog is not a benchmark
        done = await asyncio.gather(*(connect(*c) for c in clients[chunk:chunk + 25]))
        failed += done.count(False)
    sockets.sort(key=lambda s: s[0])
    pipe.send({"connected": len(sockets), "failed": failed})

    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command["do"] == "run":
            await _send_at_rate(sockets, command, acks)
            pipe.send({"sent": True})
        elif command["do"] == "collect":
            pipe.send({"receipts": list(receipts), "acks": list(acks)})
            receipts.clear()
            acks.clear()
        elif command["do"] == "stop":
            await asyncio.gather(*(client.disconnect() for _, client, _ in sockets), return_exceptions=True)
            pipe.send({"stopped": True})
            return


async def _send_at_rate(sockets: list, command: dict, acks: list) -> None:
    """Open loop: message k leaves at start + k/rate whatever the answers do (a slow server shows as latency)."""
    import asyncio

    rate, duration, start = command["rate"], command["duration"], command["start"]
    count = int(rate * duration)
    offset = command["offset"]
    for k in range(count):
        pause = start + k / rate - time.time()
        if pause > 0:
            await asyncio.sleep(pause)
        index, client, conversation = sockets[(k * 7 + offset) % len(sockets)]
        sent = time.time()

        def answered(answer, index=index, conversation=conversation, sent=sent) -> None:
            took = (time.time() - sent) * 1000
            if isinstance(answer, dict) and "id" in answer:
                acks.append((index, answer["id"], conversation, took, ""))
            else:
                acks.append((index, 0, conversation, took, str(answer)[:100]))

        try:
            await client.emit("send", {"conversation": conversation, "client_id": uuid.uuid4().hex,
                                       "text": f"{sent:.6f} 벤치마크 메시지 {k}번 — 회의 자료 공유드립니다"},
                              namespace="/messenger", callback=answered)
        except Exception as exc:  # noqa: BLE001 - a dropped connection is counted, not fatal
            acks.append((index, 0, conversation, 0.0, f"emit failed: {exc}"[:100]))


# -- the servers -------------------------------------------------------------------------------------------------
class AppServer:
    """`python app.py` (Werkzeug's threaded server, Flask-SocketIO's threading mode with simple-websocket), as
    the README starts Madang."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT,
                                        env={**os.environ, **env, "MADANG_PORT": str(self.port),
                                             "MADANG_HOST": "127.0.0.1"})
        _wait_port(self.port, self.process, timeout=120)

    def stop(self) -> None:
        _stop(self.process)
        self.log.close()


class GunicornServer(AppServer):
    """gunicorn's threaded worker (`-k gthread`), one worker: each websocket holds one of its threads for as long
    as it is open, so the worker needs more threads than sockets."""

    def __init__(self, folder: Path, env: dict[str, str], threads: int = 1000) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen([str(gunicorn), "-w", "1", "-k", "gthread", "--threads", str(threads),
                                         "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout",
                                         "120", "wiki.wsgi:app"], cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, env={**os.environ, **env})
        _wait_port(self.port, self.process, timeout=120)


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    """Until the app answers over HTTP (built, not only its port bound)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"a server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- the site ----------------------------------------------------------------------------------------------------
@dataclass
class Site:
    folder: Path
    env: dict[str, str]
    tokens: list[str]  # one per client: client i is the person bench{i:03d}
    conversations: list[int]  # client i is a member of conversations[i // 10]
    database: Path


def prepare(folder: Path, clients: int, conversations: int) -> Site:
    """A content repository with only the messenger on (no flood limit: the clients are scripts), and the
    people, their tokens and their conversations made with the real core (a cheap password hash: the benchmark
    measures messages, not sign-in)."""
    from wiki.app import create_app
    from wiki.config import Config
    from wiki.store import Author, ContentStore

    names = sorted(d.name for d in (ROOT / "plugins").iterdir() if (d / "plugin.py").exists())
    plugins = {name: {"enabled": name == "messenger"} for name in names}
    plugins["messenger"]["settings"] = {"flood_burst": 10_000, "flood_per_minute": 100_000}
    store = ContentStore(folder / "content_repo", "main")
    store.commit({"site/plugins.json": (json.dumps(plugins, indent=2, sort_keys=True) + "\n").encode()},
                 Author("벤치마크", "bench@localhost"), "메신저 벤치마크 준비")
    store.close()
    config = Config(content_repo=folder / "content_repo", search_index=folder / "search_index",
                    instance_dir=folder / "instance", admin_password=PASSWORD, secret_key="bench",
                    argon2_time_cost=1, argon2_memory_kib=8192)
    app = create_app(config)
    core = app.extensions["madang"]
    tokens = []
    for i in range(clients):
        who = core.accounts.create(f"bench{i:03d}", PASSWORD, f"직원{i:03d}", f"bench{i:03d}@seoul.go.kr")
        tokens.append(core.accounts.create_token(who, 1, "bench")[0])
    per = clients // conversations
    with app.app_context():
        from plugins.messenger import service

        ids = [service.create_conversation(f"bench{c * per:03d}",
                                           [f"bench{i:03d}" for i in range(c * per, (c + 1) * per)],
                                           title=f"벤치마크 대화방 {c:02d}")[0]["id"] for c in range(conversations)]
    core.db.engine.dispose()
    env = {"MADANG_CONTENT_REPO": str(folder / "content_repo"), "MADANG_SEARCH_INDEX": str(folder / "search_index"),
           "MADANG_INSTANCE_DIR": str(folder / "instance"), "MADANG_ADMIN_PASSWORD": PASSWORD,
           "MADANG_SECRET_KEY": "bench"}
    return Site(folder, env, tokens, [ids[i // per] for i in range(clients)], folder / "instance" / "madang.sqlite3")


# -- one measurement ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    setup: str
    offered: float
    seconds: float
    sent: int = 0
    acked: int = 0
    refused: int = 0
    ack_rate: float = 0.0
    deliveries: int = 0
    delivery_rate: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    worst: float = 0.0
    ack_p99: float = 0.0
    server_cpu_ms: float = 0.0  # the server processes' CPU time per acknowledged message
    client_cpu_ms: float = 0.0  # the client processes' (500 sockets receiving) CPU time per acknowledged message
    lost: int = 0
    duplicated: int = 0
    cores_busy_before: float = 0.0


class Fleet:
    """The client processes: client i connects to urls[i % len(urls)]."""

    def __init__(self, site: Site, urls: list[str], count: int, procs: int, server_pids: list[int]) -> None:
        self.server_pids = server_pids
        ctx = mp.get_context("spawn")
        self.members: dict[int, list[int]] = {}
        for i in range(count):
            self.members.setdefault(site.conversations[i], []).append(i)
        shares: list[list] = [[] for _ in range(procs)]
        for i in range(count):
            shares[i % procs].append((i, urls[i % len(urls)], site.tokens[i], site.conversations[i]))
        self.pipes, self.procs = [], []
        for share in shares:
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=client_worker, args=(share, theirs), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        answers = [pipe.recv() for pipe in self.pipes]
        self.connected = sum(a["connected"] for a in answers)
        if self.connected != count:
            raise RuntimeError(f"only {self.connected} of {count} clients connected")

    def measure(self, setup: str, rate: float, seconds: float) -> Row:
        from .load import percentile
        from .server import machine_busy

        busy, wall = machine_busy(1.0)
        row = Row(setup, rate, seconds, cores_busy_before=busy / wall)
        cpu_before = sum(cpu_seconds(pid) for pid in self.server_pids)
        clients_before = sum(cpu_seconds(proc.pid) for proc in self.procs)
        start = time.time() + 0.5
        for n, pipe in enumerate(self.pipes):
            pipe.send({"do": "run", "rate": rate / len(self.pipes), "duration": seconds, "start": start,
                       "offset": n})
        for pipe in self.pipes:
            pipe.recv()
        expected_sends = sum(int(rate / len(self.pipes) * seconds) for _ in self.pipes)
        receipts, acks = self._collect_until(expected_sends)
        server_cpu = sum(cpu_seconds(pid) for pid in self.server_pids) - cpu_before
        client_cpu = sum(cpu_seconds(proc.pid) for proc in self.procs) - clients_before
        row.sent = expected_sends
        good = [a for a in acks if a[1]]
        row.acked, row.refused = len(good), expected_sends - len(good)
        last_ack = max((a[3] for a in acks), default=0.0) / 1000
        row.ack_rate = len(good) / max(seconds, seconds + last_ack - 1 / rate) if good else 0.0
        stored = {a[1]: a[2] for a in good}
        seen = Counter((r[0], r[1]) for r in receipts)
        row.deliveries = sum(seen.values())
        latencies = [r[3] for r in receipts if r[1] in stored]
        row.delivery_rate = row.deliveries / (seconds + (max(latencies) / 1000 if latencies else 0))
        row.p50, row.p99 = percentile(latencies, 50), percentile(latencies, 99)
        row.worst = max(latencies, default=0.0)
        row.ack_p99 = percentile([a[3] for a in good], 99)
        row.server_cpu_ms = server_cpu * 1000 / max(1, len(good))
        row.client_cpu_ms = client_cpu * 1000 / max(1, len(good))
        for message, conversation in stored.items():
            for member in self.members[conversation]:
                times = seen.get((member, message), 0)
                row.lost += times == 0
                row.duplicated += max(0, times - 1)
        row.duplicated += sum(n for (member, message), n in seen.items() if message not in stored)  # never acked
        return row

    def _collect_until(self, expected_sends: int) -> tuple[list, list]:
        """Gather receipts until every acknowledged message reached all its members, or nothing more arrived for
        SETTLE seconds (a late message is late, not lost: the wait goes on while they keep coming)."""
        receipts: list = []
        acks: list = []
        quiet_since = time.monotonic()
        while True:
            before = len(receipts) + len(acks)
            for pipe in self.pipes:
                pipe.send({"do": "collect"})
            for pipe in self.pipes:
                got = pipe.recv()
                receipts += got["receipts"]
                acks += got["acks"]
            want = sum(len(self.members[a[2]]) for a in acks if a[1])
            if len(acks) >= expected_sends and len(receipts) >= want:
                return receipts, acks
            if len(receipts) + len(acks) > before:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > SETTLE:
                return receipts, acks
            time.sleep(0.25)

    def stop(self) -> None:
        """End the client processes: their sockets close with them (a polite disconnect of each waits for a
        close frame that Werkzeug's server never answers)."""
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.join(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process and its children (gunicorn's worker) have used so far."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def check_store(database: Path) -> tuple[int, int]:
    """(messages stored, conversations whose seq has a hole or a repeat) in the state database."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        total = db.execute("SELECT count(*) FROM messenger_messages").fetchone()[0]
        broken = db.execute("SELECT count(*) FROM (SELECT conversation_id, count(*) n, count(DISTINCT seq) d, "
                            "max(seq) m FROM messenger_messages GROUP BY conversation_id) "
                            "WHERE n != d OR n != m").fetchone()[0]
    return total, broken


# -- the run -----------------------------------------------------------------------------------------------------
def scenario(site: Site, setup: str, servers: list, count: int, rates: list[float], seconds: float,
             rows: list[Row]) -> None:
    from .progress import Bar

    bar = Bar(f"{setup}: connecting {count} clients", 1)
    fleet = Fleet(site, [s.url for s in servers], count, min(CLIENT_PROCS, count), [s.process.pid for s in servers])
    bar.finish(f"{fleet.connected} connected")
    try:
        for rate in rates:
            bar = Bar(f"{setup}: {rate:.0f} msg/s for {seconds:.0f} s", 1)
            row = fleet.measure(setup, rate, seconds)
            rows.append(row)
            bar.finish(f"p99 {row.p99:.1f} ms, lost {row.lost}, duplicated {row.duplicated}")
    finally:
        fleet.stop()


def table(rows: list[Row], reference: Row, stored: tuple[int, int], acked: int) -> str:
    lines = ["| setup | offered msg/s | acked msg/s | deliveries/s | p50 ms | p99 ms | max ms | p99 ÷ ref p50 | "
             "ack p99 ms | server CPU ms/msg | clients CPU ms/msg | sent | acked | unanswered | lost | dup | "
             "busy cores before |",
             "| --- |" + " ---: |" * 16]
    for row in [reference, *rows]:
        ratio = row.p99 / reference.p50 if reference.p50 else 0.0
        lines.append(f"| {row.setup} | {row.offered:.0f} | {row.ack_rate:.0f} | {row.delivery_rate:.0f} | "
                     f"{row.p50:.1f} | {row.p99:.1f} | {row.worst:.0f} | {ratio:.1f} | {row.ack_p99:.1f} | "
                     f"{row.server_cpu_ms:.1f} | {row.client_cpu_ms:.1f} | {row.sent} | {row.acked} | {row.refused} | "
                     f"{row.lost} | {row.duplicated} | {row.cores_busy_before:.1f} |")
    lines.append("")
    lines.append(f"Stored in the state database: {stored[0]} messages for {acked} acknowledged sends; "
                 f"conversations with a hole or a repeat in seq: {stored[1]}.")
    return "\n".join(lines)


def two_processes(site: Site, folder: Path, rates: list[float], seconds: float, rows: list[Row]) -> None:
    """Two `python app.py` joined by a real redis-server; client i talks to process i % 2."""
    redis = Redis(folder)
    servers: list[AppServer] = []
    try:
        env = {**site.env, "MADANG_REDIS_URL": redis.url}
        servers = [AppServer(folder / name, env) for name in ("two-a", "two-b")]
        scenario(site, f"{CLIENTS} clients, 2 processes + Redis", servers, CLIENTS, rates, seconds, rows)
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer rates (a minute or two)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--only", default="one,gunicorn,redis",
                        help="which setups, comma-separated: one (python app.py), gunicorn, redis (2 processes)")
    parser.add_argument("--rates", help="offered msg/s, comma-separated (default 50,100,200; --quick 200)")
    parser.add_argument("--seconds", type=float, help="seconds per rate (default 15; --quick 5)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    seconds = args.seconds or (5.0 if args.quick else 15.0)
    single_rates = [200.0] if args.quick else [50.0, 100.0, 200.0]
    cluster_rates = [200.0] if args.quick else [100.0, 200.0]
    if args.rates:
        single_rates = cluster_rates = [float(r) for r in args.rates.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="madang-messenger-bench-"))
    rows: list[Row] = []
    started = time.strftime("%Y-%m-%d %H:%M")
    try:
        site = prepare(folder, CLIENTS, CONVERSATIONS)
        one = AppServer(folder / "one", site.env)
        try:
            reference_rows: list[Row] = []
            scenario(site, "reference: 20 clients, 1 process", [one], 20, [10.0], seconds, reference_rows)
            if "one" in only:
                scenario(site, f"{CLIENTS} clients, 1 process", [one], CLIENTS, single_rates, seconds, rows)
        finally:
            one.stop()
        if "gunicorn" in only:
            gunicorn = GunicornServer(folder / "gunicorn", site.env)
            try:
                scenario(site, f"{CLIENTS} clients, 1 gunicorn gthread worker", [gunicorn], CLIENTS,
                         single_rates[-2:], seconds, rows)
            finally:
                gunicorn.stop()
        if "redis" in only:
            two_processes(site, folder, cluster_rates, seconds, rows)
        acked = sum(r.acked for r in [*reference_rows, *rows])
        text = table(rows, reference_rows[0], check_store(site.database), acked)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    from .run import machine

    facts = machine()
    header = (f"### Madang messenger benchmark — {started}{' (quick)' if args.quick else ''}\n\n"
              f"{CLIENTS} clients (one person each) in {CONVERSATIONS} conversations of "
              f"{CLIENTS // CONVERSATIONS}, {seconds:.0f} s per rate, clients in {CLIENT_PROCS} processes on the "
              f"same machine ({facts['nproc']} cores, {facts['cpu']}, {facts['memory_gib']} GiB, Python "
              f"{facts['python']}), shared with other work: 'busy cores before' is what the machine used in the "
              f"second before each rate, clients and servers idle.\n")
    print("\n" + header + "\n" + text)
    OUT.mkdir(exist_ok=True)
    name = "messenger-quick" if args.quick else "messenger-full"
    (OUT / f"{name}.md").write_text(header + "\n" + text + "\n")
    (OUT / f"{name}.json").write_text(json.dumps([r.__dict__ for r in [*reference_rows, *rows]], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
