"""Precision and recall per kind over a labelled file (tests/plugins/pii/data/labelled.tsv):
`python -m plugins.pii.evaluate [FILE ...]` prints the tables that README.md shows (both sets by default).

Each line is `kinds<TAB>text` (kinds comma-separated, '-' for none; '\\n' in text is a line break). Counted per
line and kind: a kind found on a line that holds it is a true positive, found on a line that does not a false
positive, missed a false negative.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .detect import KINDS, find

DATA = Path(__file__).resolve().parents[2] / "tests" / "plugins" / "pii" / "data"
DEFAULT = DATA / "labelled.tsv"  # written with the detector
LOOKALIKES = DATA / "lookalikes.tsv"  # built apart from it: look-alikes and numbers in awkward places


def allow_list(path: Path) -> frozenset[str]:
    """The set's own allow-list: its lines `#allow<TAB>value`."""
    from .guard import parse_allowlist

    values = [line.split("\t", 1)[1] for line in path.read_text("utf-8").splitlines() if line.startswith("#allow\t")]
    return parse_allowlist("\n".join(values))


def load(path: Path = DEFAULT) -> list[tuple[set[str], str]]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kinds, _, text = line.partition("\t")
        text = text.replace("\\n", "\n").replace("\\\\", "\\")
        rows.append(({k for k in kinds.split(",") if k and k != "-"}, text))
    return rows


def measure(rows: list[tuple[set[str], str]], allow: frozenset[str] = frozenset()) -> dict[str, dict]:
    counts = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in KINDS}
    mistakes = []
    for expected, text in rows:
        found = {f.kind for f in find(text, allow)}
        for kind in KINDS:
            if kind in found and kind in expected:
                counts[kind]["tp"] += 1
            elif kind in found:
                counts[kind]["fp"] += 1
                mistakes.append(("fp", kind, text))
            elif kind in expected:
                counts[kind]["fn"] += 1
                mistakes.append(("fn", kind, text))
    for c in counts.values():
        c["precision"] = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        c["recall"] = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    counts["_mistakes"] = mistakes  # type: ignore[assignment]
    return counts


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    for path in [Path(a) for a in args] or [DEFAULT, LOOKALIKES]:
        report(path)


def report(path: Path) -> None:
    rows = load(path)
    result = measure(rows, allow_list(path))
    print(f"{path.name}: {len(rows)} lines, {sum(1 for e, _ in rows if not e)} without personal data")
    print("| kind | lines | TP | FP | FN | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in KINDS:
        c = result[kind]
        print(f"| {kind} | {c['tp'] + c['fn']} | {c['tp']} | {c['fp']} | {c['fn']} | {c['precision']:.3f} "
              f"| {c['recall']:.3f} |")
    for what, kind, text in result["_mistakes"]:
        print(what, kind, repr(text), file=sys.stderr)


if __name__ == "__main__":
    main()
