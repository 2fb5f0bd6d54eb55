"""What a serving process does once its app is built, before the first request (never in tests: it is
process-wide)."""
from __future__ import annotations

import gc


def settle() -> None:
    """Move everything start-up made out of the garbage collector's reach (`gc.freeze`).

    Why: a full collection walks every tracked object and holds the GIL while it does. Start-up leaves about
    170,000 objects (modules, the app, the plugins' tables) that live as long as the process; with them frozen, a
    full collection under 500 open sockets took ~30 ms instead of ~110 ms, and those pauses were the messenger's
    p99 (plugins/messenger/README.md). Objects made later are collected as before.
    """
    gc.collect()
    gc.freeze()
