"""The command line: ``cc312-schedule plan|check STUDY ...``. Thin: parse, call, print.

Exit codes: 0 ok; 1 warnings under ``--strict``; 2 bad input or usage (never a traceback,
never a half-written output file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from . import __version__
from .days import parse_iso_date
from .errors import InvalidStudyError, ScheduleError, UsageError
from .model import StudyPlan

__all__ = ["main"]

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}", hint=f"see '{self.prog} --help'")


def _date_arg(text: str) -> date:
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cc312-schedule",
                     description="Dosing-schedule and visit planner for the CC312 trial.")
    parser.add_argument("--version", action="version", version=f"cc312-schedule {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("plan", help="print or write every subject's dated plan",
                       description="Plan every subject of a study folder.")
    p.add_argument("study", metavar="STUDY", help="study folder (holds study.toml, subjects.csv)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.add_argument("--subject", action="append", metavar="ID", help="only this subject (repeatable)")
    p.add_argument("--assume", metavar="REGIMEN",
                   help="plan a provisional continuation of REGIMEN for subjects awaiting a decision")
    p.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="the day to judge overdue visits by (YYYY-MM-DD; default: today at the site)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")

    c = sub.add_parser("check", help="validate a study folder and report every problem at once",
                       description="Validate the whole study folder; report every problem.")
    c.add_argument("study", metavar="STUDY")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    return parser


def _today_at_site(timezone: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()


def _emit(text: str, output: str | None, stdout: TextIO) -> None:
    if output in (None, "-"):
        stdout.write(text)
        return
    from .fileio import write_atomic

    path = Path(output)
    if not path.parent.is_dir():
        raise UsageError("cannot write: the folder does not exist", key="-o", value=str(path),
                         hint="create the folder first")
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror}", key="-o", value=str(path),
                         hint="choose a writable file") from None


def _report_warnings(plan: StudyPlan, stderr: TextIO) -> int:
    for w in plan.warnings:
        stderr.write(f"warning: {w}\n")
    return len(plan.warnings)


def _plan(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .engine import plan_study
    from .render import to_csv, to_json, to_table
    from .study import load_study

    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = plan_study(study, assume=args.assume, today=today, subject_ids=args.subject)
    n = _report_warnings(plan, stderr)
    if n and args.strict:
        stderr.write(f"{n} warning(s) under --strict: nothing written\n")
        return EXIT_WARNINGS
    render = {"table": to_table, "csv": to_csv, "json": to_json}[args.format]
    _emit(render(plan), args.output, stdout)
    return EXIT_OK


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .engine import plan_study
    from .study import load_study

    study = load_study(args.study)
    plan = plan_study(study)
    n = _report_warnings(plan, stderr)
    stdout.write(f"{args.study}: ok — {len(study.subjects)} subjects, {len(study.decisions)} "
                 f"decisions, {len(study.visits)} recorded visits, {n} warning(s)\n")
    return EXIT_WARNINGS if n and args.strict else EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code (tests call this directly)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        return {"plan": _plan, "check": _check}[args.command](args, out, err)
    except InvalidStudyError as exc:
        for e in exc.errors:
            err.write(f"error: {e}\n")
        err.write(f"{len(exc.errors)} problem(s) found; nothing written\n")
        return EXIT_BAD_INPUT
    except ScheduleError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except BrokenPipeError:
        return EXIT_OK
