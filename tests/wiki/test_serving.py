"""The WSGI entry point (`wiki.wsgi:app`, for gunicorn) builds the app from MADANG_* variables and settles the
process (start-up's objects frozen out of the collector's full passes); run in a fresh interpreter, since both
are process-wide."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ADMIN_PASSWORD, ROOT

PROBE = """
import gc, json
from wiki.wsgi import app
client = app.test_client()
print(json.dumps({"frozen": gc.get_freeze_count(), "status": client.get("/api/openapi.json").status_code,
                  "title": client.get("/").status_code}))
"""


def test_the_wsgi_app_is_built_from_the_environment_and_settled(tmp_path):
    env = {**os.environ, "MADANG_CONTENT_REPO": str(tmp_path / "저장소"),
           "MADANG_INSTANCE_DIR": str(tmp_path / "instance"), "MADANG_SEARCH_INDEX": str(tmp_path / "search_index"),
           "MADANG_ADMIN_PASSWORD": ADMIN_PASSWORD, "MADANG_SECRET_KEY": "serving-test"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200 and answer["title"] in (200, 302)
    assert answer["frozen"] > 10_000  # the modules, the app and its plugins: out of every full collection
    assert (tmp_path / "저장소" / "HEAD").exists()  # the content repository was made where the variable said
