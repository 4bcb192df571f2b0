"""A move off a closed day stays inside what the decisions allow (found by hand-worked dates,
2026-12-04): a dose is never planned before the decision that gives it nor after the decision's
``until``, and the EOT never before the date treatment ended (a stop, or the day after the cap).

Subject "001" is first dosed on Monday 2026-03-02: study day N is 2026-03-02 + (N - 1); day 29
= Mon 03-30, the cap (day 168) = Sun 08-16, day 169 = Mon 08-17. Weekends are closed, and the
site calendar of each row names the other closed (or open) days. Windows: continuation doses
-1/+1, EOT -3/+3 (templates/cc312.toml). The site prefers the earlier of two open days.
"""

from __future__ import annotations

from datetime import date

import pytest

from cc312_schedule import plan_subject
from cc312_schedule.core.opendays import SiteCalendar
from cc312_schedule.core.warnings import ClosedDayConflictWarning
from test_engine_rules import SUBJECT, D, P, dec


def _calendar(closed: tuple[str, ...] = (), open_days: tuple[str, ...] = ()) -> SiteCalendar:
    return SiteCalendar(closed={D(d): "site closed" for d in closed},
                        open_days={D(d): "extra clinic" for d in open_days})


# (decisions, closed days, open weekend days, today, visit) ->
#     (window start, window end, planned date), whether a closed-day conflict is warned
CASES = [
    pytest.param(
        # QW until Mon 05-04 (W10D1, day 64), a closed day: Sun 05-03 is closed and 05-05 is
        # after `until`, so the dose stays on 05-04 with a conflict (was moved to Tue 05-05)
        [dec("2026-03-30", "continue", "QW", until="2026-05-04")], ("2026-05-04",), (),
        None, "W10D1", ("2026-05-03", "2026-05-04", "2026-05-04"), True,
        id="no-dose-after-until"),
    pytest.param(
        # the same without the holiday: the window ends on `until` all the same
        [dec("2026-03-30", "continue", "QW", until="2026-05-04")], (), (),
        None, "W10D1", ("2026-05-03", "2026-05-04", "2026-05-04"), False,
        id="window-ends-on-until"),
    pytest.param(
        # continue decided on day 29 (Mon 03-30), a closed day; the Sunday before is an open
        # clinic, but the decision was not made then: Tue 03-31 (was Sun 03-29)
        [dec("2026-03-30", "continue", "QW")], ("2026-03-30",), ("2026-03-29",),
        None, "W5D1", ("2026-03-30", "2026-03-31", "2026-03-31"), False,
        id="no-dose-before-its-decision"),
    pytest.param(
        # decided on day 28 (Sun 03-29, the open clinic): the whole -1/+1 window from day 28
        [dec("2026-03-29", "continue", "QW")], ("2026-03-30",), ("2026-03-29",),
        None, "W5D1", ("2026-03-29", "2026-03-31", "2026-03-29"), False,
        id="decided-the-day-before-the-dose"),
    pytest.param(
        # Q4W: doses 03-30 and 04-27; stop on Sat 05-16: EOT = max(04-27 + 7, 05-16) = 05-16,
        # closed; its window 05-13 … 05-19 starts at the stop: Mon 05-18 (was Fri 05-15)
        [dec("2026-03-30", "continue", "Q4W"), dec("2026-05-16", "stop", line=3)], (), (),
        None, "EOT", ("2026-05-16", "2026-05-19", "2026-05-18"), False,
        id="eot-not-before-a-stop"),
    pytest.param(
        # QW for 4 weeks, then no decision until the cap has passed: treatment ended on day 169
        # (Mon 08-17), closed; Sun 08-16 (the cap day) is an open clinic but before the end:
        # Tue 08-18 (was Sun 08-16)
        [dec("2026-03-30", "continue", "QW", weeks=4)], ("2026-08-17",), ("2026-08-16",),
        D("2026-09-01"), "EOT", ("2026-08-17", "2026-08-20", "2026-08-18"), False,
        id="eot-not-before-the-day-after-the-cap"),
]


@pytest.mark.parametrize(("decisions", "closed", "open_days", "today", "visit", "expected",
                          "conflict"), CASES)
def test_moves_stay_inside_what_the_decisions_allow(
        decisions: list, closed: tuple[str, ...], open_days: tuple[str, ...],  # type: ignore[type-arg]
        today: date | None, visit: str, expected: tuple[str, str, str], conflict: bool) -> None:
    plan = plan_subject(P, SUBJECT, decisions, today=today,
                        calendar=_calendar(closed, open_days))
    e = plan.event(visit)
    assert (e.window_start, e.window_end, e.planned_date) == tuple(D(d) for d in expected)
    warned = {w.visit for w in plan.warnings if w.category is ClosedDayConflictWarning}
    assert (visit in warned) is conflict


@pytest.mark.parametrize(("withdrawal", "conflicts"), [
    pytest.param("consent", set(), id="consent-withdrawn-nothing-after"),
    pytest.param(None, {"W10D1"}, id="not-withdrawn-the-conflict-stands"),
])
def test_no_conflict_for_a_dose_a_withdrawal_took_out(withdrawal: str | None,
                                                      conflicts: set[str]) -> None:
    """Consent withdrawn on Wed 04-29: W10D1 (Mon 05-04, closed; Sun 05-03 closed, Tue 05-05
    closed) is not planned, so no ClosedDayConflictWarning names it (hand-worked dates,
    scenario S09)."""
    from dataclasses import replace

    from cc312_schedule.core.domain import Withdrawal

    subject = SUBJECT if withdrawal is None else replace(
        SUBJECT, withdrawn_on=D("2026-04-29"), withdrawal=Withdrawal(withdrawal))
    plan = plan_subject(P, subject, [dec("2026-03-30", "continue", "QW")],
                        calendar=_calendar(("2026-05-04", "2026-05-05")))
    assert {w.visit for w in plan.warnings if w.category is ClosedDayConflictWarning} == conflicts
    assert ("W10D1" in {e.visit for e in plan.events}) is (withdrawal is None)


def test_a_follow_up_is_never_moved_before_the_eot() -> None:
    """Q4W: doses 03-30 and 04-27; stop on Sat 05-23, the site closed 05-23 … 05-27. EOT =
    max(04-27 + 7, 05-23) = 05-23, with no open day in 05-23 … 05-26: it stays (a conflict).
    FU1 = 04-27 + 28 = Mon 05-25, closed: its window 05-18 … 06-01 starts on 05-24, the day
    after the EOT, so it goes to Thu 05-28 (was Fri 05-22, before the stop and the EOT)."""
    closed = tuple(f"2026-05-{d}" for d in range(23, 28))
    plan = plan_subject(P, SUBJECT, [dec("2026-03-30", "continue", "Q4W"),
                                     dec("2026-05-23", "stop", line=3)],
                        calendar=_calendar(closed))
    eot, fu1 = plan.event("EOT"), plan.event("FU1")
    assert (eot.target_date, eot.planned_date) == (D("2026-05-23"), D("2026-05-23"))
    assert (fu1.window_start, fu1.window_end, fu1.planned_date) == (
        D("2026-05-24"), D("2026-06-01"), D("2026-05-28"))
