"""Load on the site desk: N concurrent users browsing and recording for S seconds.

    .venv/bin/python benchmarks/desk_load.py                    # example study, 20 users, 60 s
    .venv/bin/python benchmarks/desk_load.py --subjects 1000    # a synthetic 1,000-subject study

Starts ``cc312-schedule serve`` (waitress, its default threads) on a copy of the study with one nurse per
simulated user, each logged in through ``/login``. Every user loops: the Today page, the
Subjects overview, one subject's page, then records one visit through the Today page's form
(POST /visits with the page's CSRF token), from its own share of the visits still open on the
pinned day, so no two users record the same visit. Afterwards every visit recorded (answer 302
with "Recorded") must be in ``visits.csv`` exactly once and in the audit trail, and
``audit verify`` must hold: "lost" counts those that are not. "errors" counts answers other
than 200 (pages) and 302 (records), and exceptions. Prints one Markdown table row per kind of
request: count, median, p95, max (milliseconds). The client runs on the same machine (2 cores
shared): the figures include its own load.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import PASSWORD, Client, cli, make_study, start_desk, stop_desk


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def open_visits(folder: Path, today: str) -> list[tuple[str, str, str]]:
    """(subject, visit, planned date) of every visit with nothing recorded planned by ``today``."""
    out = cli("plan", str(folder), "--format", "json", "--today", today, "--quiet")
    assert out.returncode == 0, out.stderr
    found = []
    for s in json.loads(out.stdout)["subjects"]:
        for e in s["events"]:
            if e["status"] in ("planned", "overdue") and e["planned_date"] <= today:
                found.append((s["subject_id"], e["visit"], e["planned_date"]))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--subjects", type=int, default=0, help="a synthetic study of N subjects "
                    "(default: the bundled 6-subject example study)")
    ap.add_argument("--browse-only", action="store_true", help="no recording: pages only")
    ap.add_argument("--today", default=None, help="the site's pinned today (default: "
                    "2027-06-30 for the example, 2026-11-30 for a synthetic study)")
    args = ap.parse_args(argv)
    today = args.today or ("2026-11-30" if args.subjects else "2027-06-30")
    with tempfile.TemporaryDirectory(prefix="cc312-desk-load-") as tmp_text:
        tmp = Path(tmp_text)
        source = None
        if args.subjects:
            from synthetic import generate

            source = generate(args.subjects, tmp / "synthetic")
        names = {f"nurse{i:02d}": "nurse" for i in range(args.users)}
        t0 = time.perf_counter()
        folder, _ = make_study(tmp, users=names, source=source)
        setup = time.perf_counter() - t0
        todo = open_visits(folder, today)
        random.Random(312).shuffle(todo)
        shares = {n: [] if args.browse_only else todo[i::args.users] for i, n in enumerate(names)}
        subjects = sorted({s for s, _, _ in todo}) or ["001"]
        proc, base = start_desk(folder, tmp / "serve.log", today=today)
        times: dict[str, list[float]] = {k: [] for k in ("login", "today", "subjects", "subject", "record")}
        errors: list[str] = []
        recorded: list[tuple[str, str, str]] = []
        lock = threading.Lock()
        stop_at = 0.0

        def timed(kind: str, fn: object, ok: tuple[int, ...]) -> object:
            began = time.perf_counter()
            try:
                answer = fn()  # type: ignore[operator]
            except Exception as exc:  # every failure is counted, none stops the run
                with lock:
                    errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                return None
            ms = (time.perf_counter() - began) * 1000
            with lock:
                times[kind].append(ms)
                if answer.status not in ok:  # type: ignore[attr-defined]
                    errors.append(f"{kind}: {answer.status}")  # type: ignore[attr-defined]
            return answer

        def user(name: str, barrier: threading.Barrier) -> None:
            c = Client(base)
            rng = random.Random(name)
            timed("login", lambda: c.login(name, PASSWORD), (302,))
            barrier.wait()
            go.wait()  # stop_at is set
            mine = list(shares[name])
            while time.perf_counter() < stop_at:
                page = timed("today", lambda: c.get("/"), (200,))
                timed("subjects", lambda: c.get("/subjects"), (200,))
                sid = rng.choice(subjects)
                timed("subject", lambda sid=sid: c.get(f"/subjects/{sid}"), (200,))
                if mine and page is not None:
                    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)  # type: ignore[attr-defined]
                    s, v, day = mine.pop()
                    form = {"subject_id": s, "visit": v, "status": "done", "actual_date": day,
                            "note": f"load test {name}", "csrf_token": m.group(1) if m else "",
                            "next": "/"}
                    answer = timed("record", lambda form=form: c.post_form("/visits", form, csrf_from=None),
                                   (302,))
                    if answer is not None and answer.status == 302:  # type: ignore[attr-defined]
                        flash = c.get("/").text
                        if f"Recorded: {s} {v}" in flash or f"已记录：{s} {v}" in flash:
                            with lock:
                                recorded.append((s, v, day))
                        else:
                            with lock:
                                said = re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', flash) or ["?"]
                                errors.append(f"record {s} {v}: not recorded: {said[0]}")

        barrier = threading.Barrier(args.users + 1)
        go = threading.Event()
        threads = [threading.Thread(target=user, args=(n, barrier)) for n in names]
        for t in threads:
            t.start()
        barrier.wait()  # every user logged in
        stop_at = time.perf_counter() + args.seconds
        began = time.perf_counter()
        go.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        code = stop_desk(proc)
        rows = list(csv.DictReader(io.StringIO((folder / "visits.csv").read_text("utf-8"))))
        count: dict[tuple[str, str], int] = {}
        for r in rows:
            count[(r["subject_id"], r["visit"])] = count.get((r["subject_id"], r["visit"]), 0) + 1
        trail = (folder / "audit.csv").read_text("utf-8") if (folder / "audit.csv").exists() else ""
        lost = [(s, v) for s, v, _ in recorded
                if count.get((s, v)) != 1 or f",{s},{v},status,," not in trail]
        verify = cli("audit", "verify", str(folder))
        requests = sum(len(v) for v in times.values())
        label = f"{args.subjects:,} subjects (synthetic)" if args.subjects else "example study (6 subjects)"
        label += ", browsing only" if args.browse_only else ""
        print(f"desk load: {label}, {args.users} users, {elapsed:.0f} s, today {today}; "
              f"set-up (users, Argon2id) {setup:.1f} s")
        print()
        print("| request | count | median | p95 | max |")
        print("|---|---|---|---|---|")
        for kind, v in times.items():
            print(f"| {kind} | {len(v)} | {percentile(v, .5):.0f} ms | {percentile(v, .95):.0f} ms | "
                  f"{max(v, default=0):.0f} ms |")
        every = [x for k, v in times.items() if k != "login" for x in v]
        print(f"| all but login | {len(every)} | {percentile(every, .5):.0f} ms | "
              f"{percentile(every, .95):.0f} ms | {max(every, default=0):.0f} ms |")
        print()
        print(f"requests: {requests} ({requests / elapsed:.1f}/s); visits recorded: {len(recorded)} "
              f"(of {len(todo)} open); errors: {len(errors)}; lost entries: {len(lost)}; "
              f"audit verify: {'intact' if verify.returncode == 0 else 'BROKEN'}; "
              f"server stopped on SIGTERM with exit code {code}")
        for e in sorted(set(errors))[:10]:
            print(f"  error: {e}")
        ok = not errors and not lost and verify.returncode == 0 and code == 0
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
