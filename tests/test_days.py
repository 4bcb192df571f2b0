"""Study days, weeks and strict ISO dates."""

from __future__ import annotations

from datetime import date

import pytest

from cc312_schedule import StudyDay, parse_iso_date

DAY1 = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("on", "day", "week", "name"),
    [
        (date(2026, 3, 2), 1, 1, "W1D1"),
        (date(2026, 3, 5), 4, 1, "W1D4"),
        (date(2026, 3, 8), 7, 1, "W1D7"),
        (date(2026, 3, 9), 8, 2, "W2D1"),
        (date(2026, 3, 12), 11, 2, "W2D4"),
        (date(2026, 3, 29), 28, 4, "W4D7"),
        (date(2026, 8, 16), 168, 24, "W24D7"),
        (date(2026, 8, 17), 169, 25, "W25D1"),
    ],
    ids=["day1", "W1D4", "end-of-week1", "W2D1", "W2D4", "day28", "cap-day168", "day169"],
)
def test_study_day_of_date(on: date, day: int, week: int, name: str) -> None:
    sd = StudyDay.of(DAY1, on)
    assert sd == StudyDay(day)
    assert sd.week == week
    assert sd.visit_name == name
    assert sd.on(DAY1) == on


@pytest.mark.parametrize(
    ("on", "day"),
    [(date(2026, 3, 1), -1), (date(2026, 2, 28), -2), (date(2026, 2, 23), -7)],
    ids=["day-before-is-minus-1", "minus-2", "minus-7"],
)
def test_no_day_zero(on: date, day: int) -> None:
    assert StudyDay.of(DAY1, on).value == day
    assert StudyDay(day).on(DAY1) == on


def test_day_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="no study day 0"):
        StudyDay(0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("03/04/2026", "ambiguous date"),  # 3 April (CN/UK) or 4 March (US)
        ("3.4.2026", "ambiguous date"),  # German style
        ("46085", "Excel serial number"),  # what Excel writes for a date cell exported raw
        ("46085.0", "Excel serial number"),
        ("2026-02-30", "no such date"),  # ISO shape, impossible day
        ("2026-3-4", "not an ISO date"),  # missing zero padding
        ("20260304", "not an ISO date"),  # ISO basic format: refused, only YYYY-MM-DD
        ("next monday", "not an ISO date"),
    ],
    ids=["slashes", "dots", "excel-serial", "excel-serial-float", "feb-30", "unpadded",
         "basic-format", "words"],
)
def test_parse_iso_date_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_iso_date(text)


def test_parse_iso_date_accepts_padded_iso() -> None:
    assert parse_iso_date(" 2026-03-04 ") == date(2026, 3, 4)
