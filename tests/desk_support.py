"""The site desk as the tests, `make pictures` and the load benchmark run it: a copy of the
example study with one user per role, ``cc312-schedule serve`` started as a real process on
127.0.0.1 and a free port (waitress, the production server), and a small HTTP client with a
cookie jar (the standard library's: what a browser keeps, nothing more).

    with running_desk(tmp_path) as desk:
        nurse = desk.client("nurse")          # logged in through /login
        nurse.post_form("/visits", {...})     # the page's CSRF token is sent along
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cc312_schedule import example_study_path

ROLES = ("monitor", "nurse", "investigator", "coordinator")
#: Every user's password in the tests (the desk refuses fewer than 10 characters).
PASSWORD = "correct horse battery"
#: The day the tests' desk takes for today (the example study's data run to 2026-11-30).
TODAY = "2026-11-30"
BIN = Path(sys.executable).parent
CLI = str(BIN / "cc312-schedule")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, input=input_text,
                          timeout=120, check=False)


def make_study(dest: Path, *, language: str = "en", users: Mapping[str, str] | None = None,
               source: Path | None = None) -> tuple[Path, dict[str, str]]:
    """A copy of the example study with a user per role (name = role, display name "Dr. …"
    for the investigator) and an API token each; returns the folder and the tokens."""
    folder = dest / "study"
    shutil.copytree(source or example_study_path(language), folder,
                    ignore=shutil.ignore_patterns(".cc312-*"))
    pw = dest / "password.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    tokens = {}
    for name, role in (users or {r: r for r in ROLES}).items():
        display = ["--display-name", f"Dr. {name.title()}"] if role == "investigator" else []
        done = cli("users", "add", str(folder), name, "--role", role, "--password-file", str(pw),
                   *display)
        assert done.returncode == 0, done.stderr
        tok = cli("users", "token", str(folder), name)
        assert tok.returncode == 0, tok.stderr
        tokens[name] = tok.stdout.strip().splitlines()[-1].strip()
    return folder, tokens


class Answer:
    """An HTTP answer: status, headers, body (also for 4xx/5xx)."""

    def __init__(self, status: int, headers: Any, body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.url}>"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Client:
    """A browser-like client: cookies kept, redirects not followed (the tests look at them)."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    token: str | None = None  # Bearer token for the API

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> Answer:
        h = dict(headers or {})
        if self.token:
            h.setdefault("Authorization", f"Bearer {self.token}")
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with self.opener.open(req, timeout=60) as r:
                return Answer(r.status, r.headers, r.read(), path)
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read(), path)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def csrf(self, path: str = "/") -> str:
        """The CSRF token of a page (every form carries it)."""
        page = self.get(path)
        m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert m, f"no CSRF token on {path}: {page.status}"
        return m.group(1)

    def post_form(self, path: str, fields: Mapping[str, str], *, csrf_from: str | None = "/",
                  files: Mapping[str, tuple[str, bytes]] | None = None) -> Answer:
        data = dict(fields)
        if csrf_from is not None and "csrf_token" not in data:
            data["csrf_token"] = self.csrf(csrf_from)
        if files:
            body, ctype = _multipart(data, files)
            return self.request("POST", path, data=body, headers={"Content-Type": ctype})
        return self.request("POST", path, data=urllib.parse.urlencode(data).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, doc: Any, *, csrf: str | None = None) -> Answer:
        headers = {"Content-Type": "application/json"}
        if csrf:
            headers["X-CSRFToken"] = csrf
        return self.request("POST", path, data=json.dumps(doc).encode(), headers=headers)

    def login(self, name: str, password: str = PASSWORD) -> Answer:
        answer = self.post_form("/login", {"username": name, "password": password},
                                csrf_from="/login")
        return answer


def _multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----cc312desk" + os.urandom(8).hex()
    out = bytearray()
    for k, v in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").encode()
    for k, (name, content) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


@dataclass
class RunningDesk:
    folder: Path
    base: str
    process: subprocess.Popen[str]
    log: Path
    tokens: dict[str, str]

    def client(self, user: str | None = None) -> Client:
        c = Client(self.base)
        if user is not None:
            answer = c.login(user)
            assert answer.status == 302, (answer.status, answer.text[:500])
        return c

    def api(self, user: str) -> Client:
        return Client(self.base, token=self.tokens[user])

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_desk(folder: Path, log: Path, *, today: str | None = TODAY,
               extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    args = [CLI, "serve", str(folder), "--port", str(port), *extra]
    if today:
        args += ["--today", today]
    with open(log, "w", encoding="utf-8") as fh:  # the process keeps its own descriptor
        proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited {proc.returncode}: {log.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2) as r:
            if r.status == 200:
                return proc, base
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"serve did not answer: {log.read_text()}")


def stop_desk(proc: subprocess.Popen[str]) -> int:
    """SIGTERM, as systemd stops it; the exit code (0: a clean stop)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return -9
    return proc.returncode


@contextlib.contextmanager
def running_desk(tmp: Path, *, language: str = "en", today: str | None = TODAY,
                 extra: tuple[str, ...] = (), source: Path | None = None) -> Iterator[RunningDesk]:
    folder, tokens = make_study(tmp, language=language, source=source)
    log = tmp / "serve.log"
    proc, base = start_desk(folder, log, today=today, extra=extra)
    try:
        yield RunningDesk(folder=folder, base=base, process=proc, log=log, tokens=tokens)
    finally:
        stop_desk(proc)
