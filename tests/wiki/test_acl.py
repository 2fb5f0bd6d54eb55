"""The one permission function: longest prefix wins, at folder boundaries, however many rules there are."""
from __future__ import annotations

import json

from wiki.acl import ACL_FILE, Permissions
from wiki.auth import Principal
from wiki.store import Author, ContentStore

HR = Principal("leeyh", "이영희", "leeyh@seoul.go.kr", groups=("hr",))
STAFF = Principal("kimcs", "김철수", "kimcs@seoul.go.kr")


def permissions(tmp_path, rules: list[dict]) -> Permissions:
    store = ContentStore(tmp_path / "repo")
    document = {"default": {"read": ["anonymous"], "edit": ["staff"]}, "rules": rules}
    store.commit({ACL_FILE: json.dumps(document, ensure_ascii=False).encode()}, Author("관리자", "a@b"), "규칙")
    return Permissions(store)


def test_the_longest_matching_folder_prefix_wins(tmp_path):
    acl = permissions(tmp_path, [
        {"prefix": "인사", "read": ["group:hr"], "edit": ["group:hr"]},
        {"prefix": "인사/공개", "read": ["staff"], "edit": ["group:hr"]},
    ])
    assert acl.can(HR, "read", "인사") and not acl.can(STAFF, "read", "인사")  # the folder's own page
    assert not acl.can(STAFF, "read", "인사/급여/2026")
    assert acl.can(STAFF, "read", "인사/공개/채용 안내") and not acl.can(STAFF, "edit", "인사/공개/채용 안내")
    assert acl.can(None, "read", "인사팀 소개"), "a prefix matches whole path parts only"
    assert not acl.can(None, "read", "인사/공개")


def test_a_thousand_rules_answer_the_same_as_one(tmp_path):
    rules = [{"prefix": f"구청/{i:04d}", "read": [f"group:d{i}"], "edit": [f"group:d{i}"]} for i in range(1000)]
    rules.append({"prefix": "구청/0500/비공개", "read": ["group:hr"], "edit": ["group:hr"]})
    acl = permissions(tmp_path, rules)
    member = Principal("park", "박지민", "p@seoul.go.kr", groups=("d500",))
    assert acl.can(member, "read", "구청/0500/회의록") and not acl.can(member, "read", "구청/0501/회의록")
    assert not acl.can(member, "read", "구청/0500/비공개/명단") and acl.can(HR, "read", "구청/0500/비공개/명단")
    assert acl.can(None, "read", "구청") and not acl.can(None, "read", "구청/0999")
