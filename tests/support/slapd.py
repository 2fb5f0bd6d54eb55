"""A real OpenLDAP `slapd` on a loopback port with a small test directory of the city government."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "dc=seoul,dc=go,dc=kr"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "slapd-관리-비밀"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
DEPARTMENTS = f"ou=departments,{SUFFIX}"

# department id (the ou value), name (description), parent id: city hall bureaus and two district offices
DEPARTMENT_TREE = [
    ("cityhall", "서울특별시청", None),
    ("cityhall-admin", "행정국", "cityhall"),
    ("cityhall-admin-general", "총무과", "cityhall-admin"),
    ("cityhall-hr", "인사과", "cityhall-admin"),
    ("jongno", "종로구청", None),
    ("jongno-civil", "민원여권과", "jongno"),
    ("gangnam", "강남구청", None),
    ("gangnam-it", "정보화과", "gangnam"),
]
DEPARTMENT_OF = {"kimcs": "cityhall-admin-general", "leeyh": "cityhall-hr", "parkjm": "jongno-civil",
                 "choiss": "gangnam-it"}

# (uid, name, department, title, phone, password)
USERS = [
    ("kimcs", "김철수", "행정국 총무과", "주무관", "02-2133-0001", "철수-비밀번호-1"),
    ("leeyh", "이영희", "인사과", "팀장", "02-2133-0002", "영희-비밀번호-2"),
    ("parkjm", "박지민", "종로구청 민원여권과", "주무관", "02-2148-0003", "지민-비밀번호-3"),
    ("choiss", "최수성", "강남구청 정보화과", "과장", "02-3423-0004", "수성-비밀번호-4"),
]
GROUP_MEMBERS = {"hr": ["leeyh"], "district-jongno": ["parkjm"], "district-gangnam": ["choiss"],
                 "editors": ["kimcs", "leeyh"]}


@dataclass
class Slapd:
    url: str
    process: subprocess.Popen
    workdir: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def start_again(self) -> None:
        self.process = _spawn(self.workdir, self.url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(workdir: Path) -> str:
    schemas = "\n".join(f"include /etc/ldap/schema/{name}.schema"
                        for name in ("core", "cosine", "inetorgperson", "nis"))
    return f"""{schemas}
pidfile {workdir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 33554432
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {workdir}/data
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by * read
"""


def _entries() -> str:
    blocks = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: seoul\no: 서울특별시",
              f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
              f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
              f"dn: {DEPARTMENTS}\nobjectClass: organizationalUnit\nou: departments"]
    dns = {}
    for dept_id, name, parent in DEPARTMENT_TREE:
        dns[dept_id] = f"ou={dept_id},{dns[parent] if parent else DEPARTMENTS}"
        blocks.append(f"dn: {dns[dept_id]}\nobjectClass: organizationalUnit\nou: {dept_id}\ndescription: {name}")
    for uid, name, dept, title, phone, password in USERS:
        blocks.append("\n".join([
            f"dn: uid={uid},{PEOPLE}", "objectClass: inetOrgPerson", f"uid: {uid}", f"cn: {name}",
            f"sn: {name[0]}", f"displayName: {name}", f"mail: {uid}@seoul.go.kr", f"ou: {dept}",
            f"title: {title}", f"telephoneNumber: {phone}", f"userPassword: {password}",
            f"departmentNumber: {DEPARTMENT_OF[uid]}"]))
    for group, members in GROUP_MEMBERS.items():
        lines = [f"dn: cn={group},{GROUPS}", "objectClass: groupOfNames", f"cn: {group}"]
        lines += [f"member: uid={m},{PEOPLE}" for m in members]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _spawn(workdir: Path, url: str) -> subprocess.Popen:
    log = open(workdir / "slapd.log", "ab")  # noqa: SIM115 (owned by the process's lifetime)
    process = subprocess.Popen(["slapd", "-f", str(workdir / "slapd.conf"), "-h", url, "-d", "0"],
                               stdout=log, stderr=subprocess.STDOUT)
    host, port = url.removeprefix("ldap://").rstrip("/").split(":")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "slapd.log").read_text(errors="replace"))
        try:
            with socket.create_connection((host, int(port)), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("slapd did not start within 20 s")


def start_slapd(workdir: Path) -> Slapd:
    """Load the test directory with slapadd, then start slapd on a free loopback port."""
    if shutil.which("slapd") is None:
        raise RuntimeError("slapd is not installed: run ./scripts/test, which installs it")
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    (workdir / "slapd.conf").write_text(_config(workdir))
    (workdir / "entries.ldif").write_text(_entries(), encoding="utf-8")
    subprocess.run(["slapadd", "-f", str(workdir / "slapd.conf"), "-l", str(workdir / "entries.ldif")],
                   check=True, capture_output=True)
    url = f"ldap://127.0.0.1:{_free_port()}"
    return Slapd(url, _spawn(workdir, url), workdir)
