"""Benchmark: the CDISC exports (USDM, SDTM as SAS transport v5 and Dataset-JSON) — not a timed test.

Times, in one process, for the bundled example study and seeded synthetic studies
(benchmarks/synthetic.py): the USDM document, building the SDTM datasets from the plan, and
writing them as .xpt and .json; and the peak memory (ru_maxrss) of the whole run.

    .venv/bin/python benchmarks/cdisc.py [--subjects 100 1000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate

from cc312_schedule import example_study_path, load_protocol, load_study, plan_study
from cc312_schedule.cdisc.sdtm import to_sdtm, write_sdtm
from cc312_schedule.cdisc.usdm import to_usdm_json

GENERATED = datetime(2026, 11, 25, 8, tzinfo=UTC)


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def run(label: str, folder: Path) -> None:
    study = load_study(folder)
    plan = plan_study(study)
    datasets, t_build = timed(lambda: to_sdtm(study, plan))
    rows = {d.name: len(d.rows) for d in datasets}
    with tempfile.TemporaryDirectory() as out:
        _, t_xpt = timed(lambda: write_sdtm(study, plan, Path(out) / "x", formats=["xpt"],
                                            generated_at=GENERATED))
        _, t_json = timed(lambda: write_sdtm(study, plan, Path(out) / "j", formats=["json"],
                                             generated_at=GENERATED))
        size = sum(p.stat().st_size for p in Path(out).rglob("*"))
    print(f"{label:>14}: {len(study.subjects):>5} subjects, SV {rows['SV']:>7,} EX {rows['EX']:>7,} "
          f"rows | build {t_build:6.2f} s | xpt {t_xpt:6.2f} s | json {t_json:6.2f} s "
          f"| {size / 1e6:6.1f} MB on disk")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, nargs="*", default=[100, 1000])
    args = ap.parse_args()
    protocol = load_protocol()
    _, t = timed(lambda: to_usdm_json(protocol))
    print(f"USDM document: {len(to_usdm_json(protocol)):,} bytes in {t * 1e3:.1f} ms")
    run("example", example_study_path())
    for n in args.subjects:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"synthetic {n}", generate(n, Path(tmp) / "study"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this run: {peak:.0f} MB")


if __name__ == "__main__":
    main()
