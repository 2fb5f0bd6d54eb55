"""Helpers of the co-editing tests: waiting (bounded, never timed assertions) until editors agree."""
from __future__ import annotations

import contextlib
import threading
import time

WAIT = 20.0


def close_all(editors: list) -> None:
    def close(editor) -> None:
        with contextlib.suppress(Exception):  # already gone
            editor.disconnect()

    threads = [threading.Thread(target=close, args=(e,)) for e in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wait_until(condition, wait: float = WAIT, what: str = "the condition") -> None:
    deadline = time.monotonic() + wait
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {wait} s")
        time.sleep(0.02)


def settle(editors: list, wait: float = WAIT) -> str:
    """Wait until every editor has nothing in flight and all hold the same text; answers that text."""
    def agreed() -> bool:
        return all(e.settled() for e in editors) and len({e.text for e in editors}) == 1
    wait_until(agreed, wait, "convergence of every editor")
    return editors[0].text
