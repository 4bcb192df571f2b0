"""A real syncing client follows the live calendars: vdirsyncer (PyPI, in ``.venv-vdirsyncer``)
syncs a CalDAV collection of Radicale, or a feed served by nginx (Debian; ``python -m
http.server`` where nginx is missing), into a local folder, and khal (``.venv-khal``) lists
the events. After a ``decide`` (a stop) and a second publish or feed, a second sync shows the
cancelled visits, and no visit twice.

``tests/setup-system.sh`` installs both clients and nginx; in CI (``CI`` set) a missing one
fails the test, elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_example_study, require_program
from live_support import (
    PASSWORD,
    USER,
    Radicale,
    free_port,
    publish_args,
    radicale,
    run,
    wait_for_port,
)

__all__ = ["radicale"]

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
KHAL = ROOT / ".venv-khal" / "bin" / "khal"
VDIRSYNCER = ROOT / ".venv-vdirsyncer" / "bin" / "vdirsyncer"
S003 = "cc312-example-study-subject-003"
T0, T1 = "2026-11-25T08:00:00Z", "2026-11-26T08:00:00Z"
BEFORE = [
    "2026-11-26 09:00|2026-11-26 11:00|003 · Dose 42 · W21D4 · DL2|CONFIRMED",
    "2026-11-30 09:00|2026-11-30 11:00|003 · Dose 43 · W22D1 · DL2|CONFIRMED",
]
AFTER_STOP = [
    "2026-11-26 09:00|2026-11-26 11:00|CANCELLED: 003 · Dose 42 · W21D4 · DL2|CANCELLED",
    "2026-11-30 09:00|2026-11-30 11:00|003 · EOT end-of-treatment visit · DL2|CONFIRMED",
    "2026-11-30 09:00|2026-11-30 11:00|CANCELLED: 003 · Dose 43 · W22D1 · DL2|CANCELLED",
]


def need(path: Path | str, what: str) -> str:
    return require_program(str(path), what=what)


class Client:
    """vdirsyncer syncing one storage into ``root/local/<collection>``, and khal reading it."""

    def __init__(self, root: Path, remote: str, collection: str | None) -> None:
        self.vdirsyncer = need(VDIRSYNCER, "vdirsyncer (in .venv-vdirsyncer)")
        self.khal = need(KHAL, "khal (in .venv-khal)")
        self.root = root
        root.mkdir(parents=True)
        self.local = root / "local"
        self.folder = self.local / collection if collection else self.local
        collections = f'["{collection}"]' if collection else "null"
        self.config = root / "vdirsyncer.conf"
        self.config.write_text(
            f'[general]\nstatus_path = "{root / "status"}/"\n'
            f'[pair cal]\na = "remote"\nb = "local"\ncollections = {collections}\n'
            f"[storage remote]\n{remote}\n"
            f'[storage local]\ntype = "filesystem"\npath = "{self.local}/"\nfileext = ".ics"\n',
            encoding="utf-8")
        self.khal_config = root / "khal.conf"
        self.khal_config.write_text(
            f"[calendars]\n[[study]]\npath = {self.folder}\ntype = calendar\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            "local_timezone = Asia/Shanghai\ndefault_timezone = Asia/Shanghai\n"
            f"[default]\ndefault_calendar = study\n[sqlite]\npath = {root / 'khal.db'}\n",
            encoding="utf-8")
        self.env = {**os.environ, "HOME": str(root), "XDG_CONFIG_HOME": str(root),
                    "XDG_DATA_HOME": str(root)}

    def _run(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(args, input=stdin, capture_output=True, text=True, env=self.env,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def sync(self) -> None:
        if not (self.root / "status").exists():  # first time: create the local collection
            self._run(self.vdirsyncer, "-c", str(self.config), "discover", "cal",
                      stdin="y\n" * 10)
        self._run(self.vdirsyncer, "-c", str(self.config), "sync")

    def uids(self) -> list[str]:
        """The UID of every event file synced (a duplicate would show twice)."""
        out = []
        for path in self.folder.glob("*.ics"):
            out += re.findall(r"^UID:(.+?)\r?$", path.read_text(encoding="utf-8"), re.M)
        return out

    def list(self, start: str, end: str) -> list[str]:
        out = self._run(self.khal, "-c", str(self.khal_config), "list", "--format",
                        "{start}|{end}|{title}|{status}", "--day-format", "", start, end)
        return [ln.rstrip() for ln in out.splitlines() if "|" in ln]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return copy_example_study(tmp_path / "study")


def stop_003(study: Path) -> None:
    code, _, err = run("decide", str(study), "003", "stop", "--on", "2026-11-26",
                       "--investigator", "Dr. Investigator A", "--rationale", "AE",
                       "--today", "2026-11-26")
    assert code == 0, err


def test_vdirsyncer_and_khal_follow_caldav_publishes(study: Path, radicale: Radicale,
                                                    tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text(PASSWORD, encoding="utf-8")
    code, _, err = run(*publish_args(study, radicale, password, "--subject", "003",
                                     "--generated-at", T0))
    assert code == 0, err
    client = Client(tmp_path / "client", f'type = "caldav"\nurl = "{radicale.url}"\n'
                    f'username = "{USER}"\npassword = "{PASSWORD}"', S003)
    client.sync()
    assert client.list("2026-11-26", "2026-12-01") == BEFORE
    assert len(client.list("2026-07-01", "2027-12-31")) == 57
    stop_003(study)
    code, _, err = run(*publish_args(study, radicale, password, "--subject", "003",
                                     "--generated-at", T1))
    assert code == 0, err
    client.sync()
    assert client.list("2026-11-26", "2026-12-01") == AFTER_STOP
    assert len(client.uids()) == len(set(client.uids())) == 57  # updated in place
    assert len(client.list("2026-07-01", "2027-12-31")) == 57


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """nginx with the location block of docs/nurses.md serving a folder (URL prefix, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()
    port = free_port()
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if nginx:
        doc = (ROOT / "docs" / "nurses.md").read_text(encoding="utf-8")
        block = re.search(r"```nginx\n(.*?)```", doc, re.S)
        assert block, "docs/nurses.md has no nginx block"
        location = block.group(1).replace("/srv/cc312-feed/", f"{folder}/")
        prefix = tmp_path / "nginx"
        (prefix / "logs").mkdir(parents=True)
        conf = prefix / "nginx.conf"
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the tmp folder
        conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/logs/error.log;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {prefix}/body;\n"
            f" proxy_temp_path {prefix}/proxy;\n fastcgi_temp_path {prefix}/fastcgi;\n"
            f" uwsgi_temp_path {prefix}/uwsgi;\n scgi_temp_path {prefix}/scgi;\n"
            f" server {{\n  listen 127.0.0.1:{port};\n{location}\n }}\n}}\n", encoding="utf-8")
        args = [nginx, "-p", str(prefix), "-c", str(conf)]
        url = f"http://127.0.0.1:{port}/cc312/"
    else:  # pragma: no cover - CI has nginx
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (tests/setup-system.sh)")
        args = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                str(folder), str(port)]
        url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, args[0])
        yield url, folder
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def feed(study: Path, out: Path, *extra: str) -> dict[str, str]:
    code, stdout, err = run("feed", str(study), "-o", str(out), *extra)
    assert code == 0, err
    return dict(line.split("\t") for line in stdout.splitlines() if not line.startswith("#"))


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_vdirsyncer_and_khal_follow_a_feed_served_over_http(
        study: Path, web_server: tuple[str, Path], tmp_path: Path) -> None:
    base, folder = web_server
    names = feed(study, folder, "--generated-at", T0)
    url = base + names["003"]
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.headers.get_content_type() == "text/calendar"
        if "127.0.0.1" in base and "/cc312/" in base:  # nginx with the doc's block (issue 24)
            assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in r.read()
    # the folder itself: our empty index.html (or a refusal), never a listing of the names
    if status_of(base) == 200:
        with urllib.request.urlopen(base, timeout=10) as r:
            assert r.headers.get_content_type() == "text/html"  # not served as a calendar
            assert names["003"].encode() not in r.read()
    else:
        assert status_of(base) == 403
    client = Client(tmp_path / "client", f'type = "http"\nurl = "{url}"', None)
    client.sync()
    assert client.list("2026-11-26", "2026-12-01") == BEFORE
    stop_003(study)
    feed(study, folder, "--generated-at", T1)
    client.sync()
    assert client.list("2026-11-26", "2026-12-01") == AFTER_STOP
    assert len(client.uids()) == len(set(client.uids())) == 57
    # a new address for 003: the old one is gone, the new one serves the same calendar
    new = feed(study, folder, "--generated-at", T1, "--rotate", "003")
    assert status_of(url) == 404
    assert status_of(base + new["003"]) == 200
