"""Issue 20, publish: replies that are no CalDAV answer (a captive portal's page, a cut or empty
body, text) gave tracebacks; bad ``--url`` values too; ``--password-file /dev/zero`` exhausted
memory and a FIFO blocked; a server trickling bytes kept the run (and the study's lock) forever;
a 403 was reported as a wrong password. A fake server on 127.0.0.1 answers as told."""

from __future__ import annotations

import http.server
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study

TODAY = "2026-11-30"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# (label, HTTP status, content type, body; "trickle": one byte a second, never ending)
REPLIES = {
    "captive-portal-html": (200, "text/html", b"<html><body><h1>Hotel wifi</h1><form></form></body></html>"),
    "truncated-xml": (207, "application/xml",
                      b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/x/</d:href>'),
    "text-plain": (200, "text/plain", b"OK"),
    "empty-multistatus": (207, "application/xml", b""),
    "forbidden": (403, "text/plain", b"Forbidden"),
    "trickle": (207, "application/xml", b""),
    # 3 MB against a limit lowered to 1 MB in the test: announced, or only read (no length)
    "huge": (207, "application/xml", b"<" + b" " * 3_000_000),
    "huge-unsized": (207, "application/xml", b"<" + b" " * 3_000_000),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    reply = "text-plain"

    def _any(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, ctype, body = REPLIES[self.reply]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if self.reply == "trickle":
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            for _ in range(120):  # never completes within the test's --timeout
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
            return
        if self.reply != "huge-unsized":  # HTTP/1.0: without a length the body ends at close
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PROPFIND = do_PUT = do_MKCALENDAR = do_REPORT = do_DELETE = do_OPTIONS = _any

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("H", (_Handler,), {"reply": request.param})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()


def _password(tmp_path: Path) -> str:
    path = tmp_path / "pw"
    path.write_text("secret\n", encoding="utf-8")
    return str(path)


ANSWERS = [
    ("captive-portal-html", "the server's answer is not a CalDAV reply"),
    ("truncated-xml", "the server's answer is not a CalDAV reply (XMLSyntaxError)"),
    ("text-plain", "the server's answer is not a CalDAV reply"),
    ("empty-multistatus", "the server's answer is not a CalDAV reply"),
    ("forbidden", "--url: the server forbids this request (HTTP 403)"),
]


@pytest.mark.parametrize(("server", "message"), ANSWERS, ids=[a for a, _ in ANSWERS],
                         indirect=["server"])
def test_an_answer_that_is_no_caldav_reply_is_one_line(tmp_path: Path, server: str,
                                                       message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("publish", str(study), "--url", server, "--user", "u", "--password-file",
                       _password(tmp_path), "--today", TODAY)
    assert code == 2, err
    assert message in err, err
    assert "refused the user name or password" not in err  # a 403 is not a wrong password
    assert "secret" not in err


@pytest.mark.parametrize("server", ["trickle"], indirect=True)
def test_a_trickling_server_is_given_up_after_the_timeout(tmp_path: Path, server: str) -> None:
    study = copy_example_study(tmp_path / "s")
    start = time.monotonic()
    code, _, err = run("publish", str(study), "--url", server, "--user", "u", "--password-file",
                       _password(tmp_path), "--today", TODAY, "--timeout", "3")
    assert code == 2, err
    assert "--timeout: no end after 3 s (the --timeout)" in err, err
    assert time.monotonic() - start < 30
    # the study's lock is free again: a nurse can record
    code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23", "--today", TODAY)
    assert code == 0, err


@pytest.mark.parametrize("server", ["trickle"], indirect=True)
def test_a_nurse_can_record_while_publish_waits_on_the_server(tmp_path: Path, server: str) -> None:
    """publish holds the calendars' lock, not the study's: record does not wait for it."""
    import subprocess
    import sys

    study = copy_example_study(tmp_path / "s")
    child = subprocess.Popen([sys.executable, "-m", "cc312_schedule", "publish", str(study),
                              "--url", server, "--user", "u", "--password-file",
                              _password(tmp_path), "--today", TODAY, "--timeout", "8"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not (study / ".cc312-calendars.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert child.poll() is None  # still waiting on the server
        code, _, err = run("record", str(study), "006", "D28", "--done", "2026-11-23",
                           "--today", TODAY)
        assert code == 0, err
        assert child.poll() is None
    finally:
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 2 and "no end after 8 s" in stderr, stderr


URLS = [
    ("unclosed-ipv6", "http://[::1", "not a valid address (Invalid IPv6 URL)"),
    ("port-out-of-range", "http://127.0.0.1:99999/", "not a valid address (the port must be 1-65535)"),
    ("no-scheme", "cal.example.org/dav", "not a valid address (it must start with https:// or http://)"),
    ("ftp", "ftp://cal.example.org/", "not a valid address (it must start with https:// or http://)"),
    ("no-host", "https:///dav/", "not a valid address (no server name)"),
    ("space", "https://cal.example.org/my dav/", "not a valid address (it holds a space"),
]


@pytest.mark.parametrize(("url", "message"), [u[1:] for u in URLS], ids=[u[0] for u in URLS])
def test_a_bad_url_is_a_usage_error_not_a_write_failure(tmp_path: Path, url: str,
                                                        message: str) -> None:
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("publish", str(study), "--url", url, "--user", "u", "--password-file",
                       _password(tmp_path), "--today", TODAY)
    assert code == 2, err
    assert f"error: --url: {message}" in err, err
    assert "cannot write" not in err and "Traceback" not in err


def test_password_file_from_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("publish", str(study), "--url", "http://127.0.0.1:9/", "--user", "u",
                       "--password-file", "/dev/zero", "--today", TODAY)
    assert code == 2
    assert ("--password-file: cannot read the password file: cannot read: not a regular file "
            "but a character device") in err, err


def test_password_file_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    fifo = tmp_path / "pw.fifo"
    os.mkfifo(fifo)
    code, _, err = run("publish", str(study), "--url", "http://127.0.0.1:9/", "--user", "u",
                       "--password-file", str(fifo), "--today", TODAY)
    assert code == 2
    assert "not a regular file but a FIFO (named pipe)" in err, err


def test_a_huge_password_file_is_refused(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "s")
    big = tmp_path / "pw"
    with open(big, "wb") as fh:
        fh.truncate(10 * 1024 * 1024)
    code, _, err = run("publish", str(study), "--url", "http://127.0.0.1:9/", "--user", "u",
                       "--password-file", str(big), "--today", TODAY)
    assert code == 2 and "cannot read: too large" in err, err


@pytest.mark.parametrize("server", ["huge", "huge-unsized"], indirect=True)
def test_a_reply_past_the_limit_is_refused_while_read(tmp_path: Path, server: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A 400 MB reply once used 2.2 GB: a reply is read in pieces and refused past the limit
    (lowered to 1 MB here), with or without a Content-Length."""
    from cc312_schedule.calendars import publish_checks

    monkeypatch.setattr(publish_checks, "REPLY_LIMIT", 1024 * 1024)
    study = copy_example_study(tmp_path / "s")
    code, _, err = run("publish", str(study), "--url", server, "--user", "u", "--password-file",
                       _password(tmp_path), "--today", TODAY)
    assert code == 2, err
    assert "the server's reply is larger than 1 MB: refused while it was read" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
