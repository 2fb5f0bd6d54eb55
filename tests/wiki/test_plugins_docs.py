"""Every hook is specified, documented and tested: a docstring in wiki/hookspecs.py, a section in
docs/plugins.md (arguments, return, example), and at least one test marked `@exercises("<hook>")`."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from wiki import hookspecs

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return sorted(name for name, value in vars(hookspecs).items()
                  if name.startswith("madang_") and inspect.isfunction(value))


def guide_sections() -> dict[str, str]:
    """'### madang_x' heading -> the text up to the next heading of level 2 or 3."""
    text = GUIDE.read_text("utf-8")
    parts = re.split(r"^(#{2,3}) (.+)$", text, flags=re.M)
    return {title.strip(): body for _level, title, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True)}


def exercised_hooks() -> dict[str, list[str]]:
    """Hook name -> tests decorated with @exercises(...) naming it, read from the test sources."""
    found: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "exercises":
                    for arg in decorator.args:
                        if isinstance(arg, ast.Constant):
                            found.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return found


def test_every_hook_has_a_docstring_with_its_return_and_an_example():
    assert {"madang_nav_items", "madang_socketio", "madang_migrate"} <= set(hook_names())
    for name in hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Example" in doc and ("Returns" in doc or "return" in doc.lower()), name


def test_every_hook_has_a_section_in_the_guide():
    sections = guide_sections()
    missing = [name for name in hook_names() if name not in sections]
    assert not missing, f"docs/plugins.md lacks a '### <hook>' section for {missing}"
    for name in hook_names():
        body = sections[name]
        for part in ("**Arguments**", "**Returns**", "**Example**", "```python", "@hookimpl", f"def {name}("):
            assert part in body, (name, part)


def test_every_hook_is_exercised_by_a_test():
    covered = exercised_hooks()
    missing = [name for name in hook_names() if name not in covered]
    assert not missing, f"no test is marked @exercises(...) for {missing}"
    unknown = sorted(set(covered) - set(hook_names()))
    assert not unknown, f"tests claim to exercise hooks that do not exist: {unknown}"


def test_the_readme_links_the_guide():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "## Plugins" in readme and "docs/plugins.md" in readme and "docs/themes.md" in readme
