"""Invariants over random first-dose dates and random (valid) decision sequences."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cc312_schedule import (
    Action,
    Decision,
    EventKind,
    Study,
    StudyConfig,
    Subject,
    load_protocol,
    plan_study,
    plan_subject,
)

P = load_protocol()
REGIMENS = P.regimen_codes


@st.composite
def subject_and_decisions(draw: st.DrawFn) -> tuple[Subject, list[Decision]]:
    day1 = draw(st.dates(min_value=date(2025, 9, 30), max_value=date(2027, 6, 30)))
    subject = Subject(subject_id="S", cohort="1", dose_level="DL1", first_dose_date=day1)
    opens = day1 + timedelta(days=25)  # the Day 28 window opens on day 26
    on = day1 + timedelta(days=draw(st.integers(0, 30)))
    decisions: list[Decision] = []
    held = False
    for _ in range(draw(st.integers(0, 6))):
        on += timedelta(days=draw(st.integers(1, 40)))
        choices = ["stop"]
        choices += ["resume"] if held else ["hold"]
        if on >= opens and not held:
            choices.append("continue")
        if on >= opens and held:
            choices.append("resume-regimen")
        action = draw(st.sampled_from(choices))
        regimen = draw(st.sampled_from(REGIMENS)) if action in ("continue", "resume-regimen") else None
        weeks = until = None
        if regimen:
            kind = draw(st.sampled_from(["cap", "weeks", "until"]))
            if kind == "weeks":
                weeks = draw(st.integers(1, 30))
            elif kind == "until":
                until = on + timedelta(days=draw(st.integers(0, 200)))
        decisions.append(Decision(subject_id="S", decided_on=on,
                                  action=Action("resume" if action == "resume-regimen" else action),
                                  regimen=regimen, weeks=weeks, until=until, investigator="Dr. X"))
        if action == "stop":
            break
        held = action == "hold"
    return subject, decisions


@settings(max_examples=300, deadline=None)
@given(subject_and_decisions(), st.sampled_from([None, *REGIMENS]))
def test_plan_invariants(case: tuple[Subject, list[Decision]], assume: str | None) -> None:
    subject, decisions = case
    plan = plan_subject(P, subject, decisions, assume=assume)
    doses = plan.doses
    # no dose after study day 168
    assert all(e.study_day.value <= 168 for e in doses)
    # at most 8 induction doses (days 1..25 are the induction's)
    assert sum(1 for e in doses if e.study_day.value <= 28) <= 8
    # doses strictly increasing, numbered 1..n in order
    dates = [e.target_date for e in doses]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert [e.dose_number for e in doses] == list(range(1, len(doses) + 1))
    # every target inside its window
    assert all(e.window_start <= e.target_date <= e.window_end for e in plan.events)
    # nothing is dosed on or after a stop, or during a hold that was never resumed
    for d in decisions:
        if d.action in (Action.STOP,):
            assert all(e.target_date < d.decided_on for e in doses)
    # no regimen dose before the decision that chose it (the induction runs to day 25)
    first_choice = next((d.decided_on for d in decisions
                         if d.regimen is not None), None)
    for e in doses:
        if e.study_day.value > 28 and e.status.value != "provisional":
            assert first_choice is not None and e.target_date >= first_choice
    # EOT never before the last dose
    eots = [e for e in plan.events if e.kind is EventKind.EOT]
    if eots and plan.last_dose_date:
        assert eots[0].target_date > plan.last_dose_date


@settings(max_examples=100, deadline=None)
@given(subject_and_decisions(), st.randoms(use_true_random=False),
       st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]))
def test_same_plan_whatever_row_order_and_time_zone(
        case: tuple[Subject, list[Decision]], rnd: random.Random, tz: str) -> None:
    subject, decisions = case
    other = Subject(subject_id="T", cohort="2", dose_level="DL2",
                    first_dose_date=subject.first_dose_date + timedelta(days=3))
    base = Study(config=StudyConfig(name="s"), protocol=P, subjects=(subject, other),
                 decisions=tuple(decisions))
    shuffled = list(decisions)
    rnd.shuffle(shuffled)
    moved = dataclasses.replace(base, config=StudyConfig(name="s", timezone=tz),
                                decisions=tuple(shuffled))
    assert plan_study(moved, today=None).subject("S") == plan_study(base, today=None).subject("S")
