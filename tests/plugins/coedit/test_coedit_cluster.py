"""Two real `python app.py` processes on one content repository and state database with a real redis-server as
Socket.IO's message queue. A page's session lives in one process (README, "Several processes"): people on
different processes are not mixed into one stream of versions (each stream stays exact), and a save made through
one process is merged into the live text of the other's session, so nothing is lost."""
from __future__ import annotations

import pytest

from tests.conftest import LiveServer
from tests.plugins.coedit.conftest import prepare_repository
from tests.plugins.coedit.support import settle
from tests.plugins.messenger.support import RedisServer, Site


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coedit-cluster")
    prepare_repository(folder / "content_repo")
    redis = RedisServer(folder)
    shared = {"MADANG_CONTENT_REPO": str(folder / "content_repo"), "MADANG_INSTANCE_DIR": str(folder / "instance"),
              "MADANG_SEARCH_INDEX": str(folder / "search_index"), "MADANG_REDIS_URL": redis.url}
    servers = []
    try:
        for name in ("one", "two"):  # one after the other: the first start creates the database
            (folder / name).mkdir()
            servers.append(LiveServer(folder / name, extra_env=shared))
        yield Site(servers[0]), Site(servers[1])
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def test_sessions_of_two_processes_stay_apart_and_saves_cross_over(cluster, editors):
    one, two = cluster
    path = "협업/두프로세스"
    one.call("PUT", f"/api/v1/pages/{path}", "kimmj", 201, json={"markdown": "# 두 프로세스\n\n본문\n"})
    two.tokens["leesy"] = one.user("leesy")  # one database: the same accounts and tokens on both
    kim_a, lee_a = editors(one, "kimmj", path), editors(one, "leesy", path)
    park_b = editors(two, "parkjh", path)
    kim_a.type(lambda t: t + "1번 서버에서 씀\n")
    park_b.type(lambda t: t.replace("# 두 프로세스", "# 두 프로세스 (2번)"))
    assert settle([kim_a, lee_a]) == "# 두 프로세스\n\n본문\n1번 서버에서 씀\n"
    assert settle([park_b]) == "# 두 프로세스 (2번)\n\n본문\n"  # not mixed into process one's versions
    assert kim_a.doc.version == 1 and park_b.doc.version == 1
    # 김민준 saves through process one: process two's watcher sees the new head and merges it in
    kim_a.call("save", {"path": path})
    merged = park_b.next("edited", where=lambda e: "outside" in e)
    assert merged["outside"]["name"] == "김민준"
    assert settle([park_b]) == "# 두 프로세스 (2번)\n\n본문\n1번 서버에서 씀\n"
    both = "# 두 프로세스 (2번)\n\n본문\n1번 서버에서 씀\n"
    park_b.call("save", {"path": path})
    assert one.call("GET", f"/api/v1/pages/{path}", "kimmj")["markdown"] == both
    lee_a.next("edited", where=lambda e: "outside" in e)
    assert settle([kim_a, lee_a]) == both
