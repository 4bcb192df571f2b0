"""Run Radicale (the CalDAV server of the tests) and log every request it answers.

    python tests/radicale_server.py CONFIG REQUEST_LOG [DIE_AFTER]

Radicale itself, started with its own ``serve()``; each request's method and path are
appended to REQUEST_LOG (one ``METHOD path`` line, written before the request is handled) so
that a test can count the writes a publish made. With DIE_AFTER = N the process exits hard
(``os._exit``, as if killed) when request N + 1 arrives, before handling it: a server that
dies in the middle of a publish. Radicale does not fsync its files here (tests only).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from radicale import config, server
from radicale.app import Application


def main() -> None:
    cfg_path, log_path = sys.argv[1], sys.argv[2]
    die_after = int(sys.argv[3]) if len(sys.argv) > 3 else None
    seen = 0
    original = Application.__call__

    def counted(self: Application, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        nonlocal seen
        if die_after is not None and seen >= die_after:
            os._exit(3)
        seen += 1
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}\n")
        return original(self, environ, start_response)

    Application.__call__ = counted  # type: ignore[method-assign]
    configuration = config.load([(cfg_path, False)])
    # No fsync per write (a private option): a test server need not survive a power cut.
    configuration.update({"storage": {"_filesystem_fsync": "False"}}, "tests", privileged=True)
    server.serve(configuration)


if __name__ == "__main__":
    main()
