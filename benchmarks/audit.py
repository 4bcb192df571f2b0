"""The audit trail's and the desk users' costs (a benchmark, not a timed test).

    .venv/bin/python benchmarks/audit.py                 # trails of 0, 10,000, 100,000 and 1,000,000 entries
    .venv/bin/python benchmarks/audit.py --quick         # 0, 10,000 and 100,000

Measures, in one run (so the ratios compare like with like on a shared machine):

* one append of 3 entries (a recorded visit: status, date, note) under the study's lock, by
  the size of the trail already there: it reads only the trail's last line, so it should not
  grow with the trail;
* ``verify_audit`` and ``read_audit`` of the whole trail (linear: every line is read);
* ``record`` of one visit in the example study with the trail, against the same ``record``
  with the audit trail's append replaced by nothing (the audit's share of a write);
* ``verify_password`` (Argon2id, RFC 9106 parameters: the desk's login) and ``user_for_token``.

``--output FILE`` also writes the report (markdown).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from cc312_schedule import example_study_path  # noqa: E402
from cc312_schedule.entries import writes  # noqa: E402
from cc312_schedule.store import audit, users  # noqa: E402
from cc312_schedule.store.studylock import study_lock  # noqa: E402

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ACTOR = audit.Actor(name="bench", role="nurse", via="desk")
CHANGES = (audit.AuditChange(file="visits.csv", subject_id="003", visit="W6D4", field="status",
                             new="done"),
           audit.AuditChange(file="visits.csv", subject_id="003", visit="W6D4",
                             field="actual_date", new="2026-11-23"),
           audit.AuditChange(file="visits.csv", subject_id="003", visit="W6D4", field="note",
                             new="came in the afternoon; 体温正常"))


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fast_trail(folder: Path, entries: int) -> None:
    """The same bytes as ``make_trail`` without a process call per block: lines chained here."""
    lines = ["\ufeff" + ",".join(audit.AUDIT_HEADER) + "\n"]
    prev = audit.GENESIS
    for seq in range(1, entries + 1):
        line = audit.audit_line(seq=seq, change=CHANGES[(seq - 1) % 3], actor=ACTOR, prev=prev,
                                at=AT, timezone="Asia/Shanghai")
        prev = line[-65:-1]
        lines.append(line)
    (folder / audit.AUDIT_NAME).write_text("".join(lines), encoding="utf-8")
    (folder / audit.HEAD_NAME).write_text(f"{entries} {prev}\n", encoding="ascii")


@contextlib.contextmanager
def no_audit() -> Iterator[None]:
    """``record`` with the audit append replaced by nothing (the baseline)."""
    real = writes.audited

    @contextlib.contextmanager
    def nothing(*_: object, **__: object) -> Iterator[None]:
        yield None

    writes.audited = nothing  # type: ignore[assignment]
    try:
        yield
    finally:
        writes.audited = real


def record_once(folder: Path, i: int) -> None:
    """Record 003's W21D1 (then amend it), so every call writes: done, then amended."""
    done = date(2026, 11, 23) if i % 2 == 0 else date(2026, 11, 24)
    writes.record(folder, "003", "W21D1", today=date(2026, 11, 25), done=done,
                  amend=None if i == 0 else f"bench {i}", actor=ACTOR, clock=lambda: AT)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--output", metavar="FILE")
    args = ap.parse_args(argv)
    sizes = (0, 10_000, 100_000) if args.quick else (0, 10_000, 100_000, 1_000_000)
    lines: list[str] = []

    def out(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    out("# The audit trail and the desk's users: results")
    out()
    out(f"`benchmarks/audit.py{' --quick' if args.quick else ''}`, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores (shared), load "
        f"{os.getloadavg()[0]:.1f}, {datetime.now(UTC):%Y-%m-%d}.")
    out()
    out("| entries in the trail | file size | append 3 entries (median) | verify_audit | read_audit |")
    out("|---|---|---|---|---|")
    work = Path(tempfile.mkdtemp(prefix="cc312-audit-bench-"))
    try:
        for n in sizes:
            folder = work / f"trail-{n}"
            folder.mkdir()
            if n:
                fast_trail(folder, n)
            assert audit.verify_audit(folder) == []

            def append(folder: Path = folder) -> None:
                with study_lock(folder):
                    audit.append_audit(folder, CHANGES, actor=ACTOR, at=AT,
                                       timezone="Asia/Shanghai")

            t_append = median_s(append, 21)
            t_verify = median_s(lambda folder=folder: audit.verify_audit(folder), 3 if n < 10**6 else 1)
            t_read = median_s(lambda folder=folder: audit.read_audit(folder), 3 if n < 10**6 else 1)
            size = (folder / audit.AUDIT_NAME).stat().st_size
            out(f"| {n:,} | {size / 1e6:.1f} MB | {t_append * 1e3:.2f} ms | {t_verify:.3f} s | "
                f"{t_read:.3f} s |")
            assert audit.verify_audit(folder) == []
        out()

        # record with and without the audit trail
        study = work / "study"
        shutil.copytree(example_study_path(), study, ignore=shutil.ignore_patterns(".cc312-*"))
        fast_trail(study, 100_000)
        counter = iter(range(10**6))
        t_with = median_s(lambda: record_once(study, next(counter)), 11)
        with no_audit():
            t_without = median_s(lambda: record_once(study, next(counter)), 11)
        assert audit.verify_audit(study) == []
        out("| `record` of one visit, example study | median |")
        out("|---|---|")
        out(f"| with the audit trail (100,000 entries already) | {t_with * 1e3:.1f} ms |")
        out(f"| the audit append replaced by nothing | {t_without * 1e3:.1f} ms |")
        out(f"| the audit's share | {(t_with - t_without) * 1e3:+.1f} ms "
            f"({(t_with / t_without - 1) * 100:+.0f}%) |")
        out()

        # users
        users.add_user(study, "bench", role="nurse", password="correct horse battery",
                       actor=ACTOR, at=AT)
        token = users.new_token(study, "bench", actor=ACTOR, at=AT)
        t_login = median_s(lambda: users.verify_password(study, "bench", "correct horse battery"), 5)
        t_wrong = median_s(lambda: users.verify_password(study, "nobody", "correct horse battery"), 5)
        t_token = median_s(lambda: users.user_for_token(study, token, at=AT), 21)
        out("| desk users | median |")
        out("|---|---|")
        out(f"| `verify_password`, right password (Argon2id t=3, m=64 MiB, p=4) | {t_login * 1e3:.0f} ms |")
        out(f"| `verify_password`, unknown user (the dummy hash) | {t_wrong * 1e3:.0f} ms |")
        out(f"| `user_for_token` (SHA-256, one indexed row, last use saved) | {t_token * 1e3:.2f} ms |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
