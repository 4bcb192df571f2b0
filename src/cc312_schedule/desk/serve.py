"""``cc312-schedule serve``: the desk under waitress, a production WSGI server.

waitress (pure Python, also on Windows) answers on ``host:port`` (127.0.0.1 by default: put
nginx with TLS in front for other machines, docs/desk.md). One line per request goes to the
log: time, client, user, method, path, status, bytes, milliseconds. Never the query string,
a header, a form field or a cookie; a feed's secret in its path is written as ``…``. SIGTERM
(systemd's stop) and Ctrl-C stop the server: requests in progress finish, then it exits 0.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, TextIO

from ..calendars.feed import SITE, issue_tokens
from ..entries.writes import study_lock
from .app import create_app
from .context import DeskConfig

__all__ = ["RequestLog", "log_path", "serve"]

_SECRET_PATH = re.compile(r"^/feeds/[^/]+\.ics$")


def log_path(path: str) -> str:
    """The request path as the log shows it: a feed's secret name hidden.

    >>> log_path("/feeds/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4.ics")
    '/feeds/….ics'
    >>> log_path("/subjects/003")
    '/subjects/003'
    """
    return "/feeds/….ics" if _SECRET_PATH.match(path) else path


class RequestLog:
    """WSGI middleware writing one line per request to ``stream``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: TextIO) -> None:
        self.app, self.stream = app, stream

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        began = time.perf_counter()
        seen: dict[str, Any] = {"status": "-", "bytes": 0}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info) if exc_info else start_response(
                status, headers)

        body = self.app(environ, start)
        try:
            for chunk in body:
                seen["bytes"] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            user = environ.get("cc312.user", "-")
            ms = (time.perf_counter() - began) * 1000
            self.stream.write(
                f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} {environ.get('REMOTE_ADDR', '-')} {user} "
                f"{environ.get('REQUEST_METHOD', '-')} {log_path(environ.get('PATH_INFO', ''))} "
                f"{seen['status']} {seen['bytes']} {ms:.0f}ms\n")
            self.stream.flush()


def serve(config: DeskConfig, *, host: str = "127.0.0.1", port: int = 8312, threads: int = 8,
          stream: TextIO | None = None, ready: Callable[[str], None] | None = None) -> int:
    """Run the desk until SIGTERM or Ctrl-C; return the exit code (0)."""
    import waitress.server

    out = stream or sys.stderr
    app = create_app(config)
    # every calendar's secret address now, once: a page showing one never waits for the lock
    ids = [s.subject_id for s in app.extensions["cc312_desk"].cache.study().subjects]
    with study_lock(config.folder):
        issue_tokens(config.folder, [SITE, *ids])
    logging.getLogger("waitress").setLevel(logging.ERROR)  # its own lines name no request
    server = waitress.server.create_server(
        RequestLog(app, out), host=host, port=port, threads=threads, ident="cc312-desk",
        clear_untrusted_proxy_headers=True, max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 65536)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    address = f"http://{host}:{server.effective_port}/"
    out.write(f"cc312-schedule desk of {config.folder} on {address} (stop: Ctrl-C or SIGTERM)\n")
    out.flush()
    if ready is not None:
        ready(address)
    try:
        server.run()  # returns after SystemExit/KeyboardInterrupt, its workers shut down
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
        out.write("cc312-schedule desk stopped\n")
        out.flush()
    return 0
