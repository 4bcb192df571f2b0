"""Shared fixtures: a small study folder builder and the example study."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cc312_schedule import example_study_path

SUBJECTS_HEADER = "subject_id,cohort,dose_level,first_dose_date,disease,consent_date,date_of_birth,sex\n"
DECISIONS_HEADER = "subject_id,decided_on,action,regimen,weeks,until,investigator,rationale\n"
VISITS_HEADER = "subject_id,visit,actual_date,status,note\n"


@pytest.fixture(autouse=True)
def _private_holiday_cache(tmp_path_factory: pytest.TempPathFactory,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test session gets its own holiday cache: no test reads the user's ~/.cache."""
    monkeypatch.setenv("CC312_SCHEDULE_CACHE_DIR",
                       str(tmp_path_factory.getbasetemp() / "holiday-cache"))


def in_ci() -> bool:
    """``CI`` is set (the CI runner sets CI=true; ``.ci/run`` sets CI=1): no test may skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_program(*names: str, what: str | None = None,
                    install: str = "run 'sh tests/setup-system.sh' (as root for Debian packages)") -> str:
    """The path of the first of ``names`` found (a command on PATH, or a path to an executable).

    When none is there, the calling test is skipped with the reason — or fails in CI, where
    every test must run: a CI that skips the LibreOffice or calendar-client tests proves nothing.
    """
    for name in names:
        if "/" in name:
            if Path(name).is_file() and os.access(name, os.X_OK):
                return name
        elif found := shutil.which(name):
            return found
    reason = f"{what or names[0]} is not installed: {install}"
    if in_ci():
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def write_study(folder: Path, *, study: str = 'name = "Test study"\n',
                subjects: str = "001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n",
                decisions: str | None = None, visits: str | None = None,
                files: dict[str, str] | None = None) -> Path:
    """Write a study folder; CSV bodies are given without their header (added here)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.toml").write_text(study, encoding="utf-8")
    (folder / "subjects.csv").write_text(SUBJECTS_HEADER + subjects, encoding="utf-8")
    if decisions is not None:
        (folder / "decisions.csv").write_text(DECISIONS_HEADER + decisions, encoding="utf-8")
    if visits is not None:
        (folder / "visits.csv").write_text(VISITS_HEADER + visits, encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Path]:
    def make(**kw: object) -> Path:
        return write_study(tmp_path / "study", **kw)  # type: ignore[arg-type]
    return make


def copy_example_study(dest: Path) -> Path:
    """Copy the bundled example study to ``dest``, without the local state that running the
    tool leaves in it (the calendar state, the lock): tests never see a previous run."""
    shutil.copytree(example_study_path(), dest, ignore=shutil.ignore_patterns(".cc312-*"))
    return dest


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled example study."""
    return copy_example_study(tmp_path / "example-study")


#: Chromium without the user's profile or any network chatter (the desk's browser tests and
#: tests/desk_pictures.py).
#: the password of the in-process desk's users (fixture ``app``)
DESK_PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    """The site desk in-process (use ``app.test_client()``) on a copy of the example study,
    today 2026-11-30, with the users ``nurse`` and ``investigator`` (:data:`DESK_PASSWORD`)."""
    from datetime import UTC, date, datetime

    from cc312_schedule.desk.app import create_app
    from cc312_schedule.desk.context import DeskConfig
    from cc312_schedule.store.audit import Actor
    from cc312_schedule.store.users import add_user

    folder = copy_example_study(tmp_path / "study")
    admin = Actor(name="test", role="coordinator", via="cli")
    for role in ("nurse", "investigator"):
        add_user(folder, role, role=role, password=DESK_PASSWORD, display_name="", actor=admin,
                 at=datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    return create_app(DeskConfig(folder=folder, today=date(2026, 11, 30), idle_minutes=30))


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The Debian Chromium driven by Playwright, one per test module."""
    exe = require_program("/usr/bin/chromium", "chromium", what="chromium (Debian)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci():
            pytest.fail("playwright is not installed (CI must run this test)", pytrace=False)
        pytest.skip("playwright is not installed: make test installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
