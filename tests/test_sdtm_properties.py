"""Property: SVSTDY, SVENDY, EXSTDY and SESTDY are never 0 and agree with the plan's study days.

Random subjects (first-dose date, consent date) with random recorded induction visits (done a
day early or up to two days late, or missed) are planned by the engine and exported; every
study day in SV, EX and SE is checked against a formula written here independently
(date - first dose + 1 on or after day 1, date - first dose before it), and, for a visit done
on its target date, against the planned study day of the engine's event.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cc312_schedule import load_protocol, plan_study
from cc312_schedule.cdisc.sdtm import to_sdtm
from cc312_schedule.store.study import RecordedVisit, RecordStatus, Study, StudyConfig, Subject

PROTOCOL = load_protocol()
INDUCTION = [(d.visit_name, d.value) for d in PROTOCOL.induction_days]


def expected_day(day1: date, on: date) -> int:
    delta = (on - day1).days
    return delta + 1 if delta >= 0 else delta


@st.composite
def studies(draw: st.DrawFn) -> Study:
    day1 = draw(st.dates(min_value=date(2025, 10, 1), max_value=date(2027, 6, 30)))
    consent = day1 - timedelta(days=draw(st.integers(min_value=1, max_value=60)))
    visits = [RecordedVisit(subject_id="001", visit="W1D1", status=RecordStatus.DONE, actual_date=day1)]
    for name, day in INDUCTION[1:draw(st.integers(min_value=1, max_value=len(INDUCTION)))]:
        if draw(st.booleans()) and draw(st.booleans()):
            visits.append(RecordedVisit(subject_id="001", visit=name, status=RecordStatus.MISSED))
        else:
            shift = draw(st.integers(min_value=-1, max_value=2))
            visits.append(RecordedVisit(subject_id="001", visit=name, status=RecordStatus.DONE,
                                        actual_date=day1 + timedelta(days=day - 1 + shift)))
    subject = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=day1,
                      consent_date=consent)
    return Study(config=StudyConfig(name="property"), protocol=PROTOCOL, subjects=(subject,),
                 visits=tuple(visits))


@settings(max_examples=60, deadline=None)
@given(studies())
def test_study_days_are_never_0_and_agree_with_the_plan(study: Study) -> None:
    plan = plan_study(study)
    events = {e.visit: e for e in plan.subject("001").events}
    day1 = study.subjects[0].first_dose_date
    ds = {d.name: d for d in to_sdtm(study, plan)}
    checked = 0
    for name, dtc, dy in (("SV", "SVSTDTC", "SVSTDY"), ("SV", "SVENDTC", "SVENDY"),
                          ("EX", "EXSTDTC", "EXSTDY"), ("SE", "SESTDTC", "SESTDY")):
        d = ds[name]
        for i in range(len(d.rows)):
            row = d.row_dict(i)
            if row[dtc] is None:
                assert row[dy] is None
                continue
            on = date.fromisoformat(row[dtc])
            assert row[dy] != 0
            assert row[dy] == expected_day(day1, on)
            e = events.get(row.get("VISIT", ""))
            if e is not None and e.target_date == on:
                assert row[dy] == e.study_day.value
            checked += 1
    assert checked >= 4  # consent, W1D1 in SV (start, end), EX and SE


@settings(max_examples=60, deadline=None)
@given(studies())
def test_visitdy_is_the_plans_study_day_and_visitnum_follows_it(study: Study) -> None:
    plan = plan_study(study)
    events = {e.visit: e for e in plan.subject("001").events}
    sv = next(d for d in to_sdtm(study, plan) if d.name == "SV")
    rows = [sv.row_dict(i) for i in range(len(sv.rows))]
    for row in rows:
        if row["VISIT"] in events:
            assert row["VISITDY"] == events[row["VISIT"]].study_day.value
    assert [r["VISITNUM"] for r in rows] == sorted({r["VISITNUM"] for r in rows})
