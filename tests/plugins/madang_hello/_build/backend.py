"""A minimal PEP 517 build backend (standard library only) for the madang-hello test fixture: a pure-Python
wheel of the package folder named after the project, with the metadata and entry points of pyproject.toml."""
from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _dist_name(project: dict) -> str:
    return project["name"].replace("-", "_")


def _metadata(project: dict) -> dict[str, str]:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}"]
    entry_points = []
    for group, entries in project.get("entry-points", {}).items():
        entry_points.append(f"[{group}]")
        entry_points += [f"{name} = {target}" for name, target in entries.items()]
    return {"METADATA": "\n".join(lines) + "\n",
            "WHEEL": "Wheel-Version: 1.0\nGenerator: madang-hello-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            "entry_points.txt": "\n".join(entry_points) + "\n"}


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project = _project()
    folder = Path(metadata_directory) / f"{_dist_name(project)}-{project['version']}.dist-info"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _metadata(project).items():
        (folder / name).write_text(text, "utf-8")
    return folder.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    dist = f"{_dist_name(project)}-{project['version']}"
    filename = f"{dist}-py3-none-any.whl"
    files: dict[str, bytes] = {}
    package = ROOT / _dist_name(project)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    for name, text in _metadata(project).items():
        files[f"{dist}.dist-info/{name}"] = text.encode("utf-8")
    record = [f"{name},{_digest(data)},{len(data)}" for name, data in files.items()]
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode("utf-8")
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return filename
