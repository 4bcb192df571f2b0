"""A seeded generator of realistic synthetic studies (never real patient data).

Subjects are first dosed over two years in ascending-dose cohorts of 3 to 6, staggered by a
few days; investigators continue (every regimen, with weeks, until or to the cap), stop, hold
and resume; doses up to the "as of" date are recorded done, about 4 % missed and some a day
late.

    .venv/bin/python benchmarks/synthetic.py 1000 /tmp/study-1000
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from cc312_schedule import (
    Action,
    Decision,
    EventKind,
    Subject,
    load_protocol,
    plan_subject,
)

AS_OF = date(2026, 11, 20)
START = date(2025, 10, 6)
REGIMENS = ("BIW", "QW", "Q2W", "Q4W")
DISEASES = ("SLE", "IIM", "SSc")


def _decisions(rng: random.Random, s: Subject) -> list[Decision]:
    day1 = s.first_dose_date
    out: list[Decision] = []

    def add(on: date, action: str, regimen: str | None = None, weeks: int | None = None,
            until: date | None = None) -> None:
        out.append(Decision(subject_id=s.subject_id, decided_on=on, action=Action(action),
                            regimen=regimen, weeks=weeks, until=until,
                            investigator=rng.choice(("Dr. Investigator A", "Dr. Investigator B")),
                            rationale="synthetic"))

    on = day1 + timedelta(days=27 + rng.randint(0, 3))  # days 28-31: "After Day 28", in the window
    r = rng.random()
    if r < 0.08:
        return out  # awaiting
    if r < 0.16:
        add(on, "stop")
        return out
    if r < 0.24:  # hold in induction, then resume
        hold = day1 + timedelta(days=rng.randint(5, 20))
        add(hold, "hold")
        add(hold + timedelta(days=rng.randint(7, 21)), "resume")
        return out
    kind = rng.random()
    regimen = rng.choice(REGIMENS)
    if kind < 0.4:
        weeks = rng.choice((4, 8, 12))
        add(on, "continue", regimen, weeks=weeks)
        nxt = on + timedelta(weeks=weeks) + timedelta(days=rng.randint(0, 3))
        r2 = rng.random()
        if r2 < 0.5:
            add(nxt, "continue", rng.choice(REGIMENS))
        elif r2 < 0.7:
            add(nxt, "stop")
    elif kind < 0.6:
        add(on, "continue", regimen, until=on + timedelta(days=rng.randint(30, 120)))
    else:
        add(on, "continue", regimen)
        if rng.random() < 0.2:
            hold = on + timedelta(days=rng.randint(14, 60))
            add(hold, "hold")
            if rng.random() < 0.6:
                add(hold + timedelta(days=rng.randint(7, 28)), "resume")
    return out


def generate(n: int, folder: Path, *, seed: int = 312) -> Path:
    """Write a study folder with ``n`` subjects to ``folder`` and return it."""
    rng = random.Random(seed)
    protocol = load_protocol()
    folder.mkdir(parents=True, exist_ok=True)
    span = 600  # first doses from 2025-10 to mid-2027, inside the study period
    subjects: list[Subject] = []
    cohort, in_cohort, size = 1, 0, rng.randint(3, 6)
    for i in range(n):
        offset = int(span * i / max(n, 1)) + rng.randint(0, 3)
        day1 = START + timedelta(days=offset)
        if in_cohort == size:
            cohort, in_cohort, size = cohort + 1, 0, rng.randint(3, 6)
        in_cohort += 1
        subjects.append(Subject(
            subject_id=f"{i + 1:05d}", cohort=str(cohort), dose_level=f"DL{(cohort - 1) % 6 + 1}",
            first_dose_date=day1, disease=rng.choice(DISEASES),
            consent_date=day1 - timedelta(days=rng.randint(7, 28)),
            date_of_birth=date(rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice("MF")))
    decisions: list[Decision] = []
    visits: list[list[str]] = []
    for s in subjects:
        decs = [d for d in _decisions(rng, s) if d.decided_on <= AS_OF]
        # a first dose in the future has no decisions yet
        decisions += decs
        plan = plan_subject(protocol, s, decs)
        for e in plan.events:
            if e.target_date > AS_OF or (e.kind is EventKind.FOLLOW_UP and rng.random() < 0.3):
                continue
            if e.kind is EventKind.DOSE and e.study_day.value > 1 and rng.random() < 0.04:
                visits.append([s.subject_id, e.visit, "", "missed", "synthetic: missed"])
                continue
            late = 1 if e.kind is EventKind.DOSE and e.window_end > e.target_date \
                and rng.random() < 0.05 else 0
            visits.append([s.subject_id, e.visit, (e.target_date + timedelta(days=late)).isoformat(),
                           "done", ""])
    (folder / "study.toml").write_text(
        f'name = "Synthetic study ({n} subjects)"\nsite = "Synthetic site"\n'
        '[calendar]\nenabled = false\n', encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["subject_id", "cohort", "dose_level", "first_dose_date", "disease",
                    "consent_date", "date_of_birth", "sex"])
        for s in subjects:
            w.writerow([s.subject_id, s.cohort, s.dose_level, s.first_dose_date, s.disease,
                        s.consent_date, s.date_of_birth, s.sex])
    with (folder / "decisions.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["subject_id", "decided_on", "action", "regimen", "weeks", "until",
                    "investigator", "rationale"])
        for d in decisions:
            w.writerow([d.subject_id, d.decided_on, d.action.value, d.regimen or "",
                        d.weeks or "", d.until or "", d.investigator, d.rationale])
    with (folder / "visits.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["subject_id", "visit", "actual_date", "status", "note"])
        w.writerows(visits)
    return folder


def with_site_calendar(folder: Path) -> None:
    """Switch the generated study to the default site calendar (weekends, CN holidays)."""
    (folder / "study.toml").write_text(
        (folder / "study.toml").read_text().replace("[calendar]\nenabled = false\n", ""))



if __name__ == "__main__":
    out = generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(out)
