"""What a server-side session costs each request of the desk: the user loader's lookup.

    .venv/bin/python benchmarks/desk_sessions.py [--users 50] [--sessions 1000] [--calls 2000]

In one run, on one users database (a copy of the example study, ``--users`` users, ``--sessions``
live sessions): the loader before sessions were rows (``list_users`` and a scan for the name,
what ``Desk.user`` did), the session lookup as most requests do it (no write: "last seen" is
fresh), the lookup that also writes "last seen" (once a minute per session), a login's new
session row, and a purge of expired rows. Prints a Markdown table: microseconds per call, median
of 5 rounds, and the ratio to the old loader.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cc312_schedule.store.audit import Actor
from cc312_schedule.store.sessions import SessionRules, open_session, purge_sessions, session_user
from cc312_schedule.store.users import add_user, list_users
from conftest import copy_example_study

FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)  # setting up, not measured


def per_call(fn: Callable[[int], object], calls: int) -> float:
    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for i in range(calls):
            fn(i)
        rounds.append((time.perf_counter() - began) / calls * 1e6)
    return statistics.median(rounds)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args(argv[1:])
    with tempfile.TemporaryDirectory(prefix="cc312-sessions-bench-") as tmp:
        folder = copy_example_study(Path(tmp) / "study")
        now = datetime.now(UTC)
        admin = Actor(name="bench", role="coordinator", via="cli")
        names = [f"user{i:03d}" for i in range(args.users)]
        for name in names:
            add_user(folder, name, role="nurse", password="benchmark password", actor=admin,
                     at=now, hasher=FAST)
        ids = [open_session(folder, names[i % len(names)], address="127.0.0.1", at=now)
               for i in range(args.sessions)]
        sids = [s for s in ids if s]
        rules = SessionRules(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
        target = names[len(names) // 2]

        def old_loader(_: int) -> object:
            return next((u for u in list_users(folder) if u.name == target), None)

        def lookup(i: int) -> object:
            return session_user(folder, sids[i % len(sids)], at=now, rules=rules)

        later = [now]

        def lookup_touching(i: int) -> object:
            later[0] += timedelta(seconds=61)  # every call a minute later: every call writes
            return session_user(folder, sids[0], at=later[0], rules=SessionRules(
                idle=timedelta(days=3650), lifetime=timedelta(days=3650)))

        def login_row(i: int) -> object:
            return open_session(folder, names[i % len(names)], address="127.0.0.1", at=now)

        def purge(_: int) -> object:
            return purge_sessions(folder, at=now, rules=rules)

        figures = [("user loader before (list_users, scan)", per_call(old_loader, args.calls))]
        figures += [(label, per_call(fn, n)) for label, fn, n in (
            ("session lookup (no write)", lookup, args.calls),
            ("session lookup writing last seen", lookup_touching, args.calls // 4),
            ("new session row (login)", login_row, args.calls // 4),
            ("purge (nothing expired)", purge, args.calls // 4))]
    base = figures[0][1]
    print(f"{args.users} users, {args.sessions} live sessions, {args.calls} calls\n")
    print("| operation | µs per call | ratio to the old loader |")
    print("|---|---:|---:|")
    for label, us in figures:
        print(f"| {label} | {us:,.0f} | {us / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
