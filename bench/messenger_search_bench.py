"""Messenger search benchmark: `.venv/bin/python -m bench.messenger_search_bench [--quick]`.

A state database of 1,000,000 messages in 5,000 conversations (200 each; `--quick`: 100,000 in 500), one person a
member of 1 in 100 of them. Timed: the messenger's own search (`service.search`, as `GET /api/v1/messenger/search`
calls it: the person's conversations only, every word, newest first, 50 at most) for common words, two words, a
rare word and a word that is nowhere. Reference in the same run: raw sqlite3 running the query the search sends,
on the same file, without the service around it (so the ratio is what Madang adds).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

WORDS = ["회의", "자료", "공유", "민원", "처리", "예산", "검토", "보고서", "일정", "확인", "부탁", "드립니다", "오늘",
         "내일", "다음주", "결재", "요청", "현장", "점검", "결과", "도로", "보수", "공사", "안내"]
QUERIES = (("common word", "회의"), ("two words", "결재 요청"), ("rare word", "청렴서약"), ("nowhere", "없는단어"))
RAW = ("SELECT id FROM messenger_messages WHERE conversation_id IN (SELECT conversation_id FROM messenger_members "
       "WHERE username = ?) AND deleted = 0 AND text LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT 50")


def fill(app, conversations: int, per: int) -> int:
    """Messages written straight into the tables (the store path is the messenger benchmark's business)."""
    from sqlalchemy import insert

    from plugins.messenger.models import Conversation, Member, Message

    from .progress import Bar

    core = app.extensions["madang"]
    rnd, moment = random.Random(7), datetime.now(UTC)
    bar = Bar(f"writing {conversations * per:,} messages", per)
    with core.db.engine.begin() as db:
        db.execute(insert(Conversation), [{"id": c + 1, "title": f"대화방 {c}", "kind": "group", "created_by": "u0",
                                           "created_at": moment, "last_seq": per, "last_change": per}
                                          for c in range(conversations)])
        db.execute(insert(Member), [{"conversation_id": c + 1, "username": "me" if c % 100 == 0 else f"u{c}",
                                     "joined_at": moment, "last_read_id": 0} for c in range(conversations)])
        number = 0
        for seq in range(1, per + 1):
            rows = []
            for c in range(conversations):
                number += 1
                text = " ".join(rnd.choice(WORDS) for _ in range(8))
                if seq == per // 2 and c % 500 == 0:  # in 1 of 5 of the person's conversations, once
                    text += " 청렴서약"
                rows.append({"id": number, "conversation_id": c + 1, "seq": seq, "change": seq, "sender": f"u{c}",
                             "client_id": f"m{number}", "text": text, "mentions": "", "kind": "text",
                             "date": moment, "deleted": False})
            db.execute(insert(Message), rows)
            bar.update(seq)
    bar.finish()
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 messages instead of 1,000,000")
    args = parser.parse_args(argv)
    conversations, per, repeat = (500, 200, 20) if args.quick else (5000, 200, 20)
    folder = Path(tempfile.mkdtemp(prefix="madang-messenger-search-"))
    try:
        from wiki.app import create_app
        from wiki.config import Config

        from .load import percentile, timed
        from .run import machine

        app = create_app(Config(content_repo=folder / "content_repo", search_index=folder / "search_index",
                                instance_dir=folder / "instance", admin_password="벤치마크-비밀번호-2026",
                                secret_key="bench", argon2_time_cost=1, argon2_memory_kib=8192))
        total = fill(app, conversations, per)
        database = folder / "instance" / "madang.sqlite3"
        from plugins.messenger import service

        raw = sqlite3.connect(database)
        lines = ["| query | hits | search p50 ms | p95 ms | raw SQLite p50 ms | × raw |", "| --- |" + " ---: |" * 5]
        with app.app_context():
            for label, query in QUERIES:
                hits = len(service.search("me", query))
                ours = timed(lambda q=query: service.search("me", q), repeat)
                first = query.split()[0]
                theirs = timed(lambda w=first: raw.execute(RAW, ("me", f"%{w}%")).fetchall(), repeat)
                p50, reference = percentile(ours, 50), percentile(theirs, 50)
                lines.append(f"| {label} (`{query}`) | {hits} | {p50:.1f} | {percentile(ours, 95):.1f} | "
                             f"{reference:.1f} | {p50 / reference:.2f} |")
        raw.close()
        facts = machine()
        print(f"\n### Messenger search — {total:,} messages in {conversations:,} conversations, the person in "
              f"{conversations // 100} ({total // 100:,} messages); {facts['nproc']} cores, {facts['cpu']}, "
              f"Python {facts['python']}\n")
        print("\n".join(lines))
        app.extensions["madang"].db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
