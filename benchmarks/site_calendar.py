"""Benchmark: what the site calendar adds to planning time (a benchmark, not a timed test).

Plans the bundled example study with the site calendar (weekends, Chinese public holidays,
adjusted working days) and without it, in one process, and prints both times and their ratio.

    .venv/bin/python benchmarks/site_calendar.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time

from cc312_schedule import example_study_path, load_study, plan_study


def best_of(fn, repeat: int = 7, number: int = 20) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times), statistics.median(times)  # type: ignore[return-value]


def main() -> None:
    study = load_study(example_study_path())
    without = dataclasses.replace(study, calendar=None)
    n_events = sum(len(p.events) for p in plan_study(study))
    with_min, with_med = best_of(lambda: plan_study(study))
    wo_min, wo_med = best_of(lambda: plan_study(without))
    print(f"example study: {len(study.subjects)} subjects, {n_events} events")
    print(f"plan without site calendar: {wo_min * 1e3:7.2f} ms (median {wo_med * 1e3:.2f} ms)")
    print(f"plan with site calendar:    {with_min * 1e3:7.2f} ms (median {with_med * 1e3:.2f} ms)")
    print(f"ratio with/without (best):  {with_min / wo_min:.2f}")
    # issue 19: balancing is the study's; the moved subjects are planned again with the moves
    tight = dataclasses.replace(study, calendar=dataclasses.replace(study.calendar,
                                                                    max_dosing_per_day=1))
    bal_min, _ = best_of(lambda: plan_study(tight))
    raw_min, _ = best_of(lambda: plan_study(tight, balance=False))
    moved = sum(1 for p in plan_study(tight) for e in p.doses if "full" in e.reason)
    print(f"one chair, unbalanced:      {raw_min * 1e3:7.2f} ms")
    print(f"one chair, balanced:        {bal_min * 1e3:7.2f} ms ({moved} doses moved; "
          f"ratio {bal_min / raw_min:.2f})")
    # issue 19: a year's day list judged day by day (plans shared by the days alike)
    from datetime import date

    from cc312_schedule.planning.engine import plans_by_day
    from cc312_schedule.reports.due import plan_due

    start, end = date(2026, 6, 1), date(2027, 5, 31)
    one_min, _ = best_of(lambda: plan_due(study, plan_study(study, today=start), start=start,
                                          end=end), repeat=3, number=1)
    each_min, _ = best_of(lambda: plan_due(study, plan_study(study, today=start), start=start,
                                           end=end, plan_on=plans_by_day(study)),
                          repeat=3, number=1)
    print(f"due, a year, one plan:      {one_min * 1e3:7.1f} ms")
    print(f"due, a year, day by day:    {each_min * 1e3:7.1f} ms (ratio {each_min / one_min:.2f})")
    t0 = time.perf_counter()
    load_study(example_study_path())
    print(f"load_study incl. holidays table: {(time.perf_counter() - t0) * 1e3:.1f} ms (one run)")


if __name__ == "__main__":
    main()
