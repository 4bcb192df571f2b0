"""Helpers of the live-calendar tests: a Radicale CalDAV server and a static web server, each
started on 127.0.0.1 on a free port by the test and stopped by it.

Radicale (PyPI, in the test extras) runs through ``tests/radicale_server.py`` with htpasswd
authentication (Radicale's default denies everyone) and its storage in the test's temporary
folder; every request it answers is logged, so a test counts the writes a publish made.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest

from cc312_schedule.cli import main

HERE = Path(__file__).resolve().parent
USER, PASSWORD = "nurse", "correct horse battery staple"
WRITES = frozenset({"PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "MOVE", "COPY"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on 127.0.0.1:{port} within 30 s")


class Radicale:
    """One Radicale server: ``start()`` (optionally dying after N requests), ``stop()``."""

    def __init__(self, root: Path) -> None:
        try:
            import radicale  # noqa: F401
        except ImportError:  # pragma: no cover - installed by the test extras
            if os.environ.get("CI"):
                pytest.fail("Radicale is not installed (pip install -e '.[test]')")
            pytest.skip("Radicale is not installed: pip install -e '.[test]'")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.home = f"/{USER}/"  # the user's calendar home
        self.storage = root / "storage"
        self.log = root / "requests.log"
        (root / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
        self.config = root / "radicale.cfg"
        self.config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\n"
            "htpasswd_encryption = plain\n"
            f"[storage]\nfilesystem_folder = {self.storage}\n"
            "[logging]\nlevel = warning\n", encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, die_after: int | None = None) -> None:
        args = [sys.executable, str(HERE / "radicale_server.py"), str(self.config), str(self.log)]
        if die_after is not None:
            args.append(str(die_after))
        with open(self.root / "radicale.err", "ab") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        wait_for_port(self.port, self.proc, "Radicale")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None

    def requests(self) -> list[str]:
        """``METHOD path`` of every request so far; the log is emptied."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        self.log.write_text("", encoding="utf-8")
        return lines

    def collection(self, name: str) -> Path:
        return self.storage / "collection-root" / USER / name

    def objects(self, name: str) -> dict[str, icalendar.Event]:
        """The events the server stores in collection ``name``, by file name."""
        out = {}
        for path in sorted(self.collection(name).glob("*.ics")):
            cal = icalendar.Calendar.from_ical(path.read_bytes())
            events = list(cal.walk("VEVENT"))
            assert len(events) == 1, path
            out[path.name] = events[0]
        return out


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = Radicale(tmp_path / "radicale")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command line in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()


def publish_args(study: Path, server: Radicale, password_file: Path, *extra: str) -> list[str]:
    return ["publish", str(study), "--url", server.url, "--user", USER,
            "--password-file", str(password_file), *extra]


T0 = "2026-11-25T08:00:00Z"


@dataclass(frozen=True)
class Snapshot:
    """A Radicale storage and a study folder right after the example study's first publish."""

    root: Path
    url: str


@pytest.fixture(scope="module")
def published_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """Publish the example study once per test module (a first publish takes seconds)."""
    from conftest import copy_example_study

    root = tmp_path_factory.mktemp("published")
    server = Radicale(root / "radicale")
    server.start()
    try:
        study = copy_example_study(root / "study")
        (root / "password").write_text(PASSWORD + "\n", encoding="utf-8")
        code, _, err = run(*publish_args(study, server, root / "password", "--generated-at", T0))
        assert code == 0, err
    finally:
        server.stop()
    return Snapshot(root=root, url=server.url)


@pytest.fixture
def published(published_snapshot: Snapshot, tmp_path: Path) -> Iterator[tuple[Path, Radicale]]:
    """A copy of the snapshot: (study folder, running server) as after the first publish.

    The copied server listens on another port: the publish state's keys (server and collection
    URLs) are rewritten to it, as if the same server had been published to.
    """
    snap = published_snapshot
    shutil.copytree(snap.root / "radicale" / "storage", tmp_path / "radicale" / "storage")
    study = shutil.copytree(snap.root / "study", tmp_path / "study")
    server = Radicale(tmp_path / "radicale")
    state = study / ".cc312-publish-state.json"
    state.write_text(state.read_text(encoding="utf-8").replace(snap.url.rstrip("/"),
                                                               server.url.rstrip("/")),
                     encoding="utf-8")
    server.start()
    try:
        yield study, server
    finally:
        server.stop()


class Xandikos:
    """One Xandikos server (PyPI, in the test extras), standalone with its defaults: no
    authentication (the credentials caldav sends are ignored), calendars under
    ``/user/calendars/``. It answers a UID held by another object with 412 (Radicale: 409)."""

    def __init__(self, root: Path) -> None:
        exe = Path(sys.executable).parent / "xandikos"
        if not exe.exists():  # pragma: no cover - installed by the test extras
            if os.environ.get("CI"):
                pytest.fail("Xandikos is not installed (pip install -e '.[test]')")
            pytest.skip("Xandikos is not installed: pip install -e '.[test]'")
        self.exe = exe
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.home = "/user/calendars/"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.root / "xandikos.err", "ab") as err:
            self.proc = subprocess.Popen(
                [str(self.exe), "serve", "-d", str(self.root / "data"), "--defaults",
                 "-l", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL, stderr=err)
        wait_for_port(self.port, self.proc, "Xandikos")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture(params=["radicale", "xandikos"])
def caldav_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Radicale | Xandikos]:
    """Each CalDAV server of the tests in turn, started on 127.0.0.1 and stopped by the test."""
    server = (Radicale if request.param == "radicale" else Xandikos)(tmp_path / request.param)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Stored:
    """One object as a server holds it (read over HTTP, so it works for every server)."""

    href: str
    etag: str
    data: bytes

    @property
    def event(self) -> icalendar.Event:
        events = list(icalendar.Calendar.from_ical(self.data).walk("VEVENT"))
        assert len(events) == 1, self.href
        return events[0]

    @property
    def name(self) -> str:
        return self.href.rsplit("/", 1)[-1]


def dav(method: str, url: str, body: str | bytes = "", **headers: str) -> tuple[int, str, bytes]:
    """One HTTP request with the tests' credentials: (status, ETag, body)."""
    import niquests

    r = niquests.request(method, url, data=body or None, headers=headers or None,
                         auth=(USER, PASSWORD), timeout=30)
    return r.status_code or 0, str(r.headers.get("ETag") or ""), r.content or b""


def stored(server: Radicale | Xandikos, collection: str) -> dict[str, Stored]:
    """Every object of ``collection`` on ``server``, by UID (a REPORT calendar-query)."""
    import re
    from xml.etree import ElementTree as ET

    url = f"{server.url.rstrip('/')}{server.home}{collection}/"
    body = ('<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/>'
            '</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
            "</c:comp-filter></c:filter></c:calendar-query>")
    status, _, raw = dav("REPORT", url, body, Depth="1", **{"Content-Type": "application/xml"})
    assert status == 207, (status, raw[:300])
    out: dict[str, Stored] = {}
    ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
    for resp in ET.fromstring(raw).findall("d:response", ns):
        href = resp.findtext("d:href", "", ns)
        data = resp.findtext(".//c:calendar-data", "", ns)
        etag = resp.findtext(".//d:getetag", "", ns)
        if not data:
            continue
        obj = Stored(href=href, etag=etag, data=data.encode())
        uid = str(obj.event["UID"])
        assert uid not in out, f"{uid} stored twice"
        assert re.fullmatch(r"[^/]+\.ics|[^/]+", obj.name), href
        out[uid] = obj
    return out
