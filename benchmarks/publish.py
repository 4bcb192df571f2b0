"""CalDAV publishing speed against a local Radicale (a benchmark, not a timed test).

    .venv/bin/python benchmarks/publish.py                  # the example study, then 1,000 subjects
    .venv/bin/python benchmarks/publish.py --subjects 100   # a smaller synthetic study
    .venv/bin/python benchmarks/publish.py --subjects 300 --skip-example \
        --site-calendar quarters none one                  # issue 24: the site calendar split

For each study it starts Radicale (its default storage settings, fsync included; htpasswd
authentication) on 127.0.0.1 on a free port, in a temporary folder, and measures:

* the first publish (every calendar created, every event written): wall time, requests,
  requests per second;
* the second publish with nothing changed: wall time in-process, write requests (must be 0),
  and the whole command (``cc312-schedule publish`` in a fresh process, start-up included).

Requests are counted in-process by wrapping ``caldav``'s ``DAVClient.request``. ``--output
FILE`` also writes the report (markdown).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATED_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
USER, PASSWORD = "bench", "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (root / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
        (root / "cfg").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\n"
            "htpasswd_encryption = plain\n"
            f"[storage]\nfilesystem_folder = {root / 'storage'}\n[logging]\nlevel = warning\n",
            encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "radicale", "--config",
                                      str(root / "cfg")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise SystemExit("Radicale did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def counting() -> Counter[str]:
    """Count every request caldav sends (method -> number)."""
    from caldav.davclient import DAVClient

    counts: Counter[str] = Counter()
    original = DAVClient.request

    started = time.perf_counter()

    def request(self: DAVClient, url: str, method: str = "GET", *args: object,
                **kw: object) -> object:
        counts[method.upper()] += 1
        n = sum(counts.values())
        if n % 2000 == 0:  # progress of a long publish (requests so far, rate so far)
            t = time.perf_counter() - started
            print(f"  ... {n:,} requests, {t:.0f} s since the benchmark started",
                  file=sys.stderr, flush=True)
        return original(self, url, method, *args, **kw)  # type: ignore[arg-type]

    DAVClient.request = request  # type: ignore[method-assign,assignment]
    return counts


def bench(study_dir: Path, label: str, work: Path, counts: Counter[str],
          site_calendar: str = "one") -> list[str]:
    from cc312_schedule import load_study, plan_study
    from cc312_schedule.calendars.publish import publish

    server = Server(work)
    try:
        study = load_study(study_dir)
        plan = plan_study(study)
        events = sum(len(sp.events) for sp in plan)
        rows = []
        for run in ("first", "second"):
            counts.clear()
            t = time.perf_counter()
            result = publish(study, plan, url=server.url, user=USER, password=PASSWORD,
                             generated_at=GENERATED_AT, site_calendar=site_calendar)
            wall = time.perf_counter() - t
            total = sum(counts.values())
            writes = sum(n for m, n in counts.items() if m in ("PUT", "DELETE", "MKCALENDAR",
                                                               "PROPPATCH", "MKCOL"))
            detail = ", ".join(f"{m} {n:,}" for m, n in sorted(counts.items()))
            rows.append(f"| {label} | {len(study.subjects):,} | {events:,} | {run} | "
                        f"{wall:.2f} s | {total:,} ({detail}) | {writes:,} | "
                        f"{total / wall:,.0f} | {result.written:,} |")
        env = {**os.environ, "CC312_CALDAV_PASSWORD": PASSWORD}
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "cc312-schedule"), "publish",
                        str(study_dir), "--url", server.url, "--user", USER,
                        "--site-calendar", site_calendar], env=env,
                       check=True, capture_output=True)
        cli = time.perf_counter() - t
        rows.append(f"| {label} | {len(study.subjects):,} | {events:,} | second, whole command "
                    f"(fresh process) | {cli:.2f} s | | | | |")
        return rows
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000)
    parser.add_argument("--skip-example", action="store_true")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--site-calendar", nargs="+", default=["one"],
                        choices=("one", "quarters", "none"),
                        help="publish the synthetic study once per choice, each into a fresh "
                        "server (issue 24: the site calendar by quarter, or none)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import caldav
    import radicale

    counts = counting()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cc312-publish-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_example:
            from cc312_schedule import example_study_path

            example = shutil.copytree(example_study_path(), work / "example",
                                      ignore=shutil.ignore_patterns(".cc312-*"))
            (work / "srv-example").mkdir()
            rows += bench(example, "example", work / "srv-example", counts)
            print("\n".join(rows), flush=True)
        if args.subjects:
            subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(args.subjects),
                            str(work / "synthetic")], check=True, capture_output=True)
            for mode in args.site_calendar:
                # each mode from a fresh copy of the study (no state) into a fresh server
                study = shutil.copytree(work / "synthetic", work / f"synthetic-{mode}")
                (work / f"srv-{mode}").mkdir()
                label = "synthetic" if mode == "one" else f"synthetic, site {mode}"
                more = bench(study, label, work / f"srv-{mode}", counts, mode)
                print("\n".join(more), flush=True)
                rows += more
    head = (f"cc312-schedule publish benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, caldav "
            f"{caldav.__version__}, Radicale {radicale.VERSION} (default storage, fsync on), "
            "127.0.0.1\n\n"
            "| study | subjects | events | publish | wall | requests | write requests | "
            "requests/s | events written |\n|---|---|---|---|---|---|---|---|---|\n")
    report = head + "\n".join(rows) + "\n"
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
