"""Resource use at the input limits (issue 20): a benchmark, not a timed test.

    .venv/bin/python benchmarks/hostile_limits.py            # CSV at 16 and 64 MB, workbook of 1,000
    .venv/bin/python benchmarks/hostile_limits.py --full     # and a 10,000-subject workbook (~10 min)

* ``check`` of a study whose ``visits.csv`` is as large as the limit allows and every row an
  error (an unknown subject, recorded twice): wall time, CPU time and peak memory of the child
  process, and how many lines it printed;
* a synthetic study's exported workbook: the used area of each sheet as the import's size
  guard counts it (the bound it refuses above: 20 million a sheet, 25 million in all), and the
  time of that guard.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _child(args: list[str]) -> tuple[float, float, float, int]:
    """Run the CLI in a child: (wall s, CPU s, peak MB, lines on stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "cc312_schedule", *args], capture_output=True,
                       text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, len(r.stderr.splitlines())


def csv_at_limit(work: Path, megabytes: int) -> str:
    import shutil

    from cc312_schedule import example_study_path

    study = work / f"csv-{megabytes}"
    shutil.copytree(example_study_path(), study, dirs_exist_ok=True)
    row = "999,W1D1,2026-05-04,done,\n"
    n = (megabytes * 1024 * 1024 - 64) // len(row)
    with open(study / "visits.csv", "w", encoding="utf-8") as fh:
        fh.write("subject_id,visit,actual_date,status,note\n")
        fh.write(row * n)
    wall, cpu, peak, lines = _child(["check", str(study)])
    return (f"| {megabytes} MB, {n:,} rows, all errors | {wall:.1f} s | {cpu:.1f} s | "
            f"{peak:.0f} MB | {lines} |")


def workbook_areas(work: Path, subjects: int) -> str:
    import synthetic

    from cc312_schedule import load_study, plan_study
    from cc312_schedule.entries import workbook_read
    from cc312_schedule.reports.xlsx import write_xlsx

    study_dir = synthetic.generate(subjects, work / f"study-{subjects}")
    study = load_study(study_dir)
    book = work / f"plan-{subjects}.xlsx"
    write_xlsx(book, study, plan_study(study, today=synthetic.AS_OF),
               generated_at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    areas: list[tuple[str, int]] = []
    real = workbook_read._check_sheet_size

    def spy(path: Path, sheet: str, xml: bytes, *, find_formula: bool) -> tuple[int, str, bool]:
        out = real(path, sheet, xml, find_formula=find_formula)
        areas.append((sheet, out[0]))
        return out

    workbook_read._check_sheet_size = spy  # type: ignore[assignment]
    t0 = time.perf_counter()
    workbook_read._check_workbook_size(book)
    took = time.perf_counter() - t0
    workbook_read._check_sheet_size = real  # type: ignore[assignment]
    total = sum(a for _, a in areas)
    shown = ", ".join(f"{s} {a:,}" for s, a in sorted(areas, key=lambda x: -x[1]))
    return (f"| {subjects:,} subjects ({book.stat().st_size / 1e6:.1f} MB) | {total:,} "
            f"({total / workbook_read.MAX_WORKBOOK_CELLS:.0%} of the limit) | {took:.2f} s | "
            f"{shown} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("| visits.csv | wall | CPU | peak memory | lines printed |\n|---|---|---|---|---|",
              flush=True)
        for mb in (16, 64):
            print(csv_at_limit(work, mb), flush=True)
        print("\n| workbook | used area counted | guard time | per sheet |\n|---|---|---|---|",
              flush=True)
        for n in (1_000, 10_000) if a.full else (1_000,):
            print(workbook_areas(work, n), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
