"""The command line: ``cc312-schedule plan|check|ics STUDY ...``. Thin: parse, call, print.

Exit codes: 0 ok; 1 warnings under ``--strict``, or ``import`` found conflicts (entries that
contradict recorded rows: listed, not applied — with ``--apply`` the other changes *were*
written); 2 bad input or usage (never a traceback, never a half-written output file; for
``import``/``record``/``decide``, nothing written).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from .core.errors import InvalidStudyError, ScheduleError, UsageError

# Start-up time is a feature (nurses and scripts run this many times a day): at import, this
# module loads argparse and nothing heavy, not even typing, pathlib or dataclasses; every
# command imports what it needs. tests/test_import_boundaries.py checks it.
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any, TextIO

    from .core.model import StudyPlan
    from .store.study import Study

__all__ = ["main"]

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT = 0, 1, 2


class _Version(argparse.Action):
    """``--version``: reads the installed metadata only when asked (the CLI starts fast)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .core.version import VERSION

        parser.exit(message=f"cc312-schedule {VERSION}\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}", hint=f"see '{self.prog} --help'")


#: Years a date or date-time argument may name (a study's dates are checked again against the
#: study's own span where the study is read); year 9999 would overflow the plan's arithmetic.
_ARG_YEARS = (1990, 2099)


def _date_arg(text: str) -> date:
    from .core.days import parse_iso_date

    try:
        value = parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not _ARG_YEARS[0] <= value.year <= _ARG_YEARS[1]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside {_ARG_YEARS[0]}-{_ARG_YEARS[1]}: check the year")
    return value


def _weeks_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of weeks: {text!r}") from None
    if not -1000 < value < 1000:  # the protocol's cap is checked where the study is read
        raise argparse.ArgumentTypeError(f"more than the protocol's cap: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cc312-schedule",
                     description="Dosing-schedule and visit planner for the CC312 trial.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the program's version number and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _add_plan_parsers(sub)
    _add_ics_parser(sub)
    _add_workbook_parsers(sub)
    _add_cdisc_parsers(sub)
    _add_page_parsers(sub)
    _add_live_calendar_parsers(sub)
    return parser


def _add_plan_parsers(sub: Any) -> None:
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
    p.add_argument("--balance", action="store_true",
                   help="move dosing visits inside their windows to fit the site's capacity")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="do not print warnings (when 'check' already did); --strict still counts them")
    p.add_argument("--safe-for-spreadsheets", action="store_true",
                   help="csv: prefix text a spreadsheet would run as a formula (=, +, -, @) with '")

    c = sub.add_parser("check", help="validate a study folder and report every problem at once",
                       description="Validate the whole study folder; report every problem.")
    c.add_argument("study", metavar="STUDY")
    c.add_argument("--balance", action="store_true",
                   help="report capacity after moving visits inside their windows")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")

    n = sub.add_parser("next-slot", help="earliest allowed first-dose date for a new subject",
                       description="The earliest first-dose date for a new subject of a cohort: "
                       "an open day, respecting the protocol's stagger between first doses, "
                       "whose whole induction fits the site's capacity; with the reasons.")
    n.add_argument("study", metavar="STUDY")
    n.add_argument("--cohort", required=True, metavar="C")
    n.add_argument("--after", type=_date_arg, metavar="DATE",
                   help="earliest date to consider (default: tomorrow at the site)")
    n.add_argument("--new-cohort", action="store_true",
                   help="the first subject of a cohort that has no subjects yet")


def _add_ics_parser(sub: Any) -> None:
    i = sub.add_parser("ics", help="write iCalendar (.ics) dosing calendars for the study nurses",
                       description="Write one .ics per subject and a site calendar (site.ics) "
                       "into DIR, and record what was published in STUDY/.cc312-ics-state.json.")
    i.add_argument("study", metavar="STUDY")
    i.add_argument("-o", "--output", metavar="DIR", required=True,
                   help="output folder (created if missing); '-' writes one calendar to stdout")
    i.add_argument("--subject", action="append", metavar="ID", help="only this subject (repeatable)")
    i.add_argument("--cohort", action="append", metavar="C", help="only this cohort (repeatable)")
    i.add_argument("--all-day", action="store_true", help="all-day events instead of timed ones")
    i.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="DTSTAMP, e.g. 2026-11-25T08:00:00Z (default: now, UTC)")
    i.add_argument("--assume", metavar="REGIMEN",
                   help="plan a provisional continuation of REGIMEN for subjects awaiting a decision")
    i.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="mark overdue visits as of DATE (default: none, so re-exports stay stable)")
    i.add_argument("--retire", action="append", metavar="ID", default=[],
                   help="a subject removed from subjects.csv on purpose: rewrite its calendar "
                   "with every event cancelled (repeatable)")


def _datetime_arg(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"needs a time zone: {text!r} (e.g. 2026-11-25T08:00:00Z or +08:00)")
    if not _ARG_YEARS[0] <= value.year <= _ARG_YEARS[1]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside {_ARG_YEARS[0]}-{_ARG_YEARS[1]}: check the year")
    return value


def _today_at_site(timezone: str) -> date:
    from .planning.clock import today_at_site

    return today_at_site(timezone)


def _emit(text: str, output: str | None, stdout: TextIO) -> None:
    if output in (None, "-"):
        stdout.write(text)
        return
    _emit_bytes(text.encode("utf-8"), str(output))


def _report_warnings(plan: StudyPlan, stderr: TextIO) -> int:
    for w in plan.warnings:
        stderr.write(f"warning: {w}\n")
    return len(plan.warnings)


def _plan(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .planning.engine import plan_study
    from .reports.render import to_csv, to_json, to_table
    from .store.study import load_study

    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = plan_study(study, assume=args.assume, today=today, subject_ids=args.subject,
                      balance=args.balance)
    n = len(plan.warnings) if args.quiet else _report_warnings(plan, stderr)
    if n and args.strict:
        stderr.write(f"{n} warning(s) under --strict: nothing written\n")
        return EXIT_WARNINGS
    lang = study.config.language  # reasons, procedures and warnings in the study's language
    if args.format == "csv":
        _emit(to_csv(plan, lang, safe_for_spreadsheets=args.safe_for_spreadsheets), args.output,
              stdout)
    else:
        _emit({"table": to_table, "json": to_json}[args.format](plan, lang), args.output, stdout)
    return EXIT_OK


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .planning.capacity import check_stagger
    from .planning.engine import plan_study
    from .store.study import load_study

    study = load_study(args.study)
    plan = plan_study(study, balance=args.balance, as_of=_today_at_site(study.config.timezone))
    _refuse_vanished_subjects(study)
    n = _report_warnings(plan, stderr)
    for w in check_stagger(study):
        stderr.write(f"warning: {w}\n")
        n += 1
    stdout.write(f"{args.study}: ok — {len(study.subjects)} subjects, {len(study.decisions)} "
                 f"decisions, {len(study.visits)} recorded visits, {n} warning(s)\n")
    return EXIT_WARNINGS if n and args.strict else EXIT_OK


def _refuse_vanished_subjects(study: Study) -> None:
    """A subject whose calendars were published must not vanish from subjects.csv silently."""
    from .calendars.ics import load_ics_state, state_path_of, vanished_subjects

    problems = vanished_subjects(study, load_ics_state(state_path_of(study)))
    if problems:
        raise InvalidStudyError(problems)


def _ics(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .calendars.ics import load_ics_state, plan_calendars, state_path_of, write_ics, write_ics_state
    from .planning.engine import plan_study
    from .store.study import load_study

    study = load_study(args.study)
    plan = plan_study(study, assume=args.assume, today=args.today,  # a hold the cap ended
                      as_of=args.today or _today_at_site(study.config.timezone))  # shows its EOT
    generated_at = args.generated_at or datetime.now(UTC)
    kw = {"generated_at": generated_at, "all_day": args.all_day, "subject_ids": args.subject,
          "cohorts": args.cohort, "retire": args.retire}
    if args.output == "-":
        spath = state_path_of(study)
        export = plan_calendars(study, plan, state=load_ics_state(spath), **kw)
        # save the state first: a calendar published without its state would be published
        # again with the same SEQUENCE (a read-only study fails here, before anything is printed)
        try:
            write_ics_state(spath, export.state)
        except OSError as exc:
            raise UsageError(f"cannot save the calendar state: {exc.strerror}; nothing was "
                             "published", path=spath, hint="the study folder must be writable"
                             ) from None
        stdout.write(export.calendar.decode("utf-8"))
    else:
        _remove_stale_calendars(args.output, state_path_of(study))
        written = write_ics(study, plan, args.output, **kw)
        stderr.write(f"wrote {len(written.paths)} calendar(s) to {args.output}: {written.new} new, "
                     f"{written.updated} updated, {written.cancelled} newly cancelled, "
                     f"{written.unchanged} unchanged event(s)\n")
    return EXIT_OK


def _remove_stale_calendars(folder: str, state: Path) -> None:
    """Remove the ``.NAME.ics.*.tmp`` files a killed ``ics`` run left in its output folder,
    and the state file's in the study folder."""
    import os

    from .core.fileio import remove_stale_temporaries

    remove_stale_temporaries(state.parent, (state.name,))

    try:
        names = {e.name[1:].rsplit(".", 2)[0] for e in os.scandir(folder)
                 if e.name.startswith(".") and e.name.endswith(".tmp") and ".ics." in e.name}
    except OSError:
        return
    remove_stale_temporaries(folder, tuple(sorted(names)))


def _next_slot(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import timedelta

    from .planning.slots import next_slot
    from .store.study import load_study

    study = load_study(args.study)
    after = args.after or _today_at_site(study.config.timezone) + timedelta(days=1)
    from .core.domain import study_span

    lo, hi = study_span(study.protocol)
    if not lo <= after <= hi:
        raise UsageError(f"outside the study's span ({lo} to {hi})", key="--after",
                         value=str(after), hint="check the year")
    slot = next_slot(study, args.cohort, after=after, new_cohort=args.new_cohort)
    stdout.write(f"{slot.first_dose}\n")
    for line in slot.explanation:
        stdout.write(f"  {line}\n")
    return EXIT_OK


# ---- the coordinators' workbook and entries back in (xlsx.py, entries.py) ---------------


def _add_workbook_parsers(sub: Any) -> None:
    x = sub.add_parser("xlsx", help="write the coordinators' workbook (.xlsx)",
                       description="Write the Overview, Visits, Decisions and Timeline sheets.")
    x.add_argument("study", metavar="STUDY")
    x.add_argument("-o", "--output", metavar="FILE", required=True, help="the .xlsx to write")
    x.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="mark overdue visits and today's week as of DATE (default: today at the site)")
    x.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="generation time shown and stored, e.g. 2026-11-25T08:00:00Z (default: now)")
    x.add_argument("--assume", metavar="REGIMEN",
                   help="plan a provisional continuation of REGIMEN for subjects awaiting a decision")

    m = sub.add_parser("import", help="bring a coordinator's workbook entries into the study",
                       description="Read actual dates, statuses and notes (Visits) and new "
                       "decisions (Decisions) from a workbook; show what would change, or write "
                       "it with --apply. Recorded rows are never rewritten; conflicts are reported.")
    m.add_argument("study", metavar="STUDY")
    m.add_argument("workbook", metavar="WORKBOOK")
    m.add_argument("--apply", action="store_true", help="write visits.csv / decisions.csv")
    m.add_argument("--amend", metavar="REASON",
                   help="let entries correct recorded visits; REASON goes to the audit columns")
    m.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="no entry may be later than DATE (default: today at the site)")

    r = sub.add_parser("record", help="record one visit as done or missed",
                       description="Record one visit in visits.csv, checked like an import.")
    r.add_argument("study", metavar="STUDY")
    r.add_argument("subject", metavar="SUBJECT")
    r.add_argument("visit", metavar="VISIT", help="e.g. W6D4, D28, REV-W8, EOT, FU1")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--done", type=_date_arg, metavar="DATE", help="the date it was done")
    how.add_argument("--missed", action="store_true", help="the visit did not happen")
    r.add_argument("--note", default="", metavar="TEXT")
    r.add_argument("--amend", metavar="REASON",
                   help="correct a visit recorded differently; REASON goes to the audit columns")
    r.add_argument("--today", type=_date_arg, metavar="DATE", help="default: today at the site")

    d = sub.add_parser("decide", help="record an investigator's decision",
                       description="Record one decision in decisions.csv, checked like an import.")
    d.add_argument("study", metavar="STUDY")
    d.add_argument("subject", metavar="SUBJECT")
    d.add_argument("action", metavar="ACTION", choices=("continue", "stop", "hold", "resume"))
    d.add_argument("--on", type=_date_arg, metavar="DATE", required=True, help="decision date")
    d.add_argument("--regimen", metavar="R")
    length = d.add_mutually_exclusive_group()
    length.add_argument("--weeks", type=_weeks_arg, metavar="N")
    length.add_argument("--until", type=_date_arg, metavar="DATE")
    d.add_argument("--investigator", required=True, metavar="NAME")
    d.add_argument("--rationale", required=True, metavar="TEXT")
    d.add_argument("--today", type=_date_arg, metavar="DATE", help="default: today at the site")


def _site_today(folder: str) -> date:
    from .store.study import load_study

    return _today_at_site(load_study(folder).config.timezone)


def _xlsx(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .planning.engine import plan_study
    from .reports.xlsx import to_xlsx
    from .store.study import load_study

    if not args.output.lower().endswith(".xlsx"):
        raise UsageError("the workbook must be written to a .xlsx file", key="-o", value=args.output,
                         hint="name it e.g. plan.xlsx; for a CSV use 'plan --format csv -o FILE'")
    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = plan_study(study, assume=args.assume, today=today)
    data = to_xlsx(study, plan, generated_at=args.generated_at or datetime.now(UTC))
    _emit_bytes(data, args.output)
    stderr.write(f"wrote {args.output}: {len(plan.subjects)} subjects, {len(plan.events)} visits\n")
    return EXIT_OK


def _emit_bytes(data: bytes, output: str) -> None:
    from pathlib import Path

    from .core.fileio import write_atomic

    path = Path(output)
    if not path.parent.is_dir():
        raise UsageError("cannot write: the folder does not exist", key="-o", value=str(path),
                         hint="create the folder first")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror}", key="-o", value=str(path),
                         hint="choose a writable file") from None


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import import_workbook

    today = args.today or _site_today(args.study)
    result = import_workbook(args.study, args.workbook, today=today, apply=args.apply,
                             amend=args.amend)
    stdout.write(result.describe())
    if not args.apply and result.changes:
        stdout.write("dry run: nothing written (add --apply to write)\n")
    return EXIT_WARNINGS if result.conflicts else EXIT_OK


def _record(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import record

    today = args.today or _site_today(args.study)
    result = record(args.study, args.subject, args.visit, today=today, done=args.done,
                    missed=args.missed, note=args.note, amend=args.amend)
    stdout.write(result.describe())
    return EXIT_OK


def _decide(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import decide

    today = args.today or _site_today(args.study)
    result = decide(args.study, args.subject, on=args.on, action=args.action, today=today,
                    regimen=args.regimen, weeks=args.weeks, until=args.until,
                    investigator=args.investigator, rationale=args.rationale)
    stdout.write(result.describe())
    return EXIT_OK


# ---- CDISC interchange: USDM (usdm.py) and SDTM (sdtm.py, xport.py, datasetjson.py) ------------


def _add_cdisc_parsers(sub: Any) -> None:
    u = sub.add_parser("usdm", help="write the protocol's schedule as a CDISC USDM v4 JSON",
                       description="Write the protocol's schedule of activities as a CDISC USDM "
                       "v4.0 study definition (JSON), built from the protocol TOML.")
    src = u.add_mutually_exclusive_group()
    src.add_argument("study", metavar="STUDY", nargs="?",
                     help="study folder (its protocol is used; default: the bundled CC312 template)")
    src.add_argument("--protocol", metavar="FILE", help="a protocol TOML file instead of a study")
    u.add_argument("-o", "--output", metavar="FILE", required=True, help="the .json to write ('-': stdout)")

    s = sub.add_parser("sdtm", help="write SDTM datasets (TV, TA, TE, TI, SV, SE, EX)",
                       description="Write the SDTM trial-design datasets (TV, TA, TE, TI) and the "
                       "subject datasets (SV, SE, EX) as SAS transport v5 (.xpt) and/or CDISC "
                       "Dataset-JSON v1.1 (.json) files into DIR, all or nothing.")
    s.add_argument("study", metavar="STUDY")
    s.add_argument("-o", "--output", metavar="DIR", required=True,
                   help="output folder (created if missing)")
    s.add_argument("--format", choices=("xpt", "json", "both"), default="both")
    s.add_argument("--studyid", metavar="ID", help="STUDYID (default: the protocol id, CC312-I-003)")
    s.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="creation time stored in the files, e.g. 2026-11-25T08:00:00Z "
                   "(default: now, UTC)")


def _usdm(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .cdisc.usdm import to_usdm_json
    from .core.protocol import load_protocol
    from .store.study import load_study

    if args.protocol:
        protocol = load_protocol(args.protocol)
    elif args.study:
        protocol = load_study(args.study).protocol
    else:
        protocol = load_protocol()
    data = to_usdm_json(protocol)
    if args.output == "-":
        stdout.write(data.decode("utf-8"))
    else:
        _emit_bytes(data, args.output)
        stderr.write(f"wrote {args.output}: USDM 4.0.0 schedule of {protocol.protocol_id}\n")
    return EXIT_OK


def _sdtm(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .cdisc.sdtm import write_sdtm
    from .planning.engine import plan_study
    from .store.study import load_study

    study = load_study(args.study)
    formats = ("xpt", "json") if args.format == "both" else (args.format,)
    paths = write_sdtm(study, plan_study(study), args.output, formats=formats,
                       studyid=args.studyid, generated_at=args.generated_at or datetime.now(UTC))
    stderr.write(f"wrote {len(paths)} file(s) to {args.output}: "
                 f"{' '.join(p.name for p in paths)}\n")
    return EXIT_OK


# ---- the nurses' due list and the participant's schedule (due.py, handout.py, pages.py) ----


def _add_page_parsers(sub: Any) -> None:
    d = sub.add_parser("due", help="the nurses' day list: visits today, open, closing, overdue, decisions",
                       description="For each day: visits today, visits still in window, windows "
                       "closing, overdue visits and decisions due, with counts and warnings.")
    d.add_argument("study", metavar="STUDY")
    d.add_argument("--on", type=_date_arg, metavar="DATE", help="one day (default: today at the site)")
    d.add_argument("--from", dest="start", type=_date_arg, metavar="DATE",
                   help="first day of a range (with --to; at most a year)")
    d.add_argument("--to", dest="end", type=_date_arg, metavar="DATE", help="last day of a range")
    d.add_argument("--format", choices=("table", "csv", "json", "html"), default="table")
    d.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    d.add_argument("--language", choices=("en", "zh-CN"),
                   help="labels' language (default: study.toml language)")
    d.add_argument("--assume", metavar="REGIMEN",
                   help="list a provisional continuation of REGIMEN (shown as to be confirmed)")
    d.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="generation time printed on the HTML page (default: now)")

    h = sub.add_parser("handout", help="the participant's printed schedule (PDF or HTML)",
                       description="Write one participant's schedule from --today on: dates with "
                       "weekdays, what happens in plain words, windows, contraception end, contact.")
    h.add_argument("study", metavar="STUDY")
    h.add_argument("subject", metavar="SUBJECT")
    h.add_argument("-o", "--output", metavar="FILE", required=True,
                   help="FILE.pdf (WeasyPrint) or FILE.html (one self-contained page)")
    h.add_argument("--language", choices=("en", "zh-CN"),
                   help="default: study.toml language")
    h.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="first day of the schedule (default: today at the site)")
    h.add_argument("--assume", metavar="REGIMEN",
                   help="show a provisional continuation of REGIMEN as visits to be confirmed")
    h.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="the plan's generation time printed in the footer (default: now)")


def _due(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from .planning.engine import plan_study
    from .reports.due import plan_due, to_due_csv, to_due_json, to_due_table
    from .store.study import load_study

    if args.on and (args.start or args.end):
        raise UsageError("give either --on or --from/--to", key="--on", value=str(args.on),
                         hint="one day: --on DATE; a range: --from DATE --to DATE")
    if bool(args.start) != bool(args.end):
        missing = "--to" if args.start else "--from"
        raise UsageError("a range needs both --from and --to", key=missing,
                         hint="e.g. --from 2026-11-30 --to 2026-12-06")
    study = load_study(args.study)
    start = args.on or args.start or _today_at_site(study.config.timezone)
    plan = plan_study(study, assume=args.assume, today=start)
    due = plan_due(study, plan, start=start, end=args.end, language=args.language)
    if args.format == "html":
        from .reports.pages import to_due_html

        at = (args.generated_at or datetime.now(UTC)).astimezone(ZoneInfo(study.config.timezone))
        _emit(to_due_html(due, generated=f"{at:%Y-%m-%d %H:%M}"), args.output, stdout)
    else:
        render = {"table": to_due_table, "csv": to_due_csv, "json": to_due_json}[args.format]
        _emit(render(due), args.output, stdout)
    return EXIT_OK


def _handout(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from .planning.engine import plan_study
    from .reports.handout import plan_handout
    from .store.study import load_study

    suffix = str(args.output).rsplit(".", 1)[-1].lower() if "." in str(args.output) else ""
    if suffix not in ("pdf", "html"):
        raise UsageError("the output must end in .pdf or .html", key="-o", value=args.output,
                         hint="e.g. -o schedule-003.pdf")
    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = plan_study(study, assume=args.assume, today=today)
    at = (args.generated_at or datetime.now(UTC)).astimezone(ZoneInfo(study.config.timezone))
    handout = plan_handout(study, plan, args.subject, today=today, generated=at.date(),
                           language=args.language)
    for w in handout.warnings:
        stderr.write(f"warning: {w}\n")
    from .reports.pages import to_handout_html, to_pdf

    html = to_handout_html(handout)
    _emit_bytes(to_pdf(html) if suffix == "pdf" else html.encode("utf-8"), args.output)
    stderr.write(f"wrote {args.output}: {len(handout.visits)} visit(s), "
                 f"{len(handout.to_be_confirmed)} to be confirmed\n")
    return EXIT_OK


# ---- live calendars: CalDAV (publish.py) and subscription feeds (feed.py) ---------------------


def _add_live_calendar_parsers(sub: Any) -> None:
    pub = sub.add_parser("publish", help="publish the calendars to a CalDAV server",
                         description="Publish one calendar per subject and one for the site to "
                         "a CalDAV server, updating in place what changed; what was published is "
                         "remembered in STUDY/.cc312-publish-state.json (never the password).")
    pub.add_argument("study", metavar="STUDY")
    pub.add_argument("--url", required=True, help="the CalDAV server, e.g. https://cal.example.org/")
    pub.add_argument("--user", required=True, metavar="NAME")
    pub.add_argument("--password-file", metavar="FILE",
                     help="file holding the password on its first line "
                     "(default: environment variable CC312_CALDAV_PASSWORD)")
    pub.add_argument("--subject", action="append", metavar="ID", help="only this subject (repeatable)")
    pub.add_argument("--prune", action="store_true",
                     help="delete events cancelled by an earlier publish")
    pub.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    pub.add_argument("--all-day", action="store_true", help="all-day events instead of timed ones")
    pub.add_argument("--assume", metavar="REGIMEN",
                     help="plan a provisional continuation of REGIMEN for subjects awaiting a decision")
    pub.add_argument("--today", type=_date_arg, metavar="DATE",
                     help="mark overdue visits and drop reminders of past ones as of DATE")
    pub.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                     help="DTSTAMP, e.g. 2026-11-25T08:00:00Z (default: now, UTC)")
    _add_publish_round2_arguments(pub)

    f = sub.add_parser("feed", help="write subscription calendars under unguessable names",
                       description="Write each subject's calendar and the site calendar into DIR "
                       "under secret names (kept in STUDY/.cc312-feed-tokens.json), for any web "
                       "server to serve as subscription feeds.")
    f.add_argument("study", metavar="STUDY")
    f.add_argument("-o", "--output", metavar="DIR", required=True, help="the folder to serve")
    f.add_argument("--rotate", action="append", metavar="SUBJECT",
                   help="give SUBJECT ('site' for the site calendar) a new secret name; the old "
                   "one stops working (repeatable)")
    f.add_argument("--all-day", action="store_true", help="all-day events instead of timed ones")
    f.add_argument("--assume", metavar="REGIMEN",
                   help="plan a provisional continuation of REGIMEN for subjects awaiting a decision")
    f.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="mark overdue visits and drop reminders of past ones as of DATE")
    f.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="DTSTAMP, e.g. 2026-11-25T08:00:00Z (default: now, UTC)")


def _add_publish_round2_arguments(pub: Any) -> None:
    """publish's options for retired subjects, people's edits and the site calendar."""
    pub.add_argument("--retire", action="append", metavar="ID", default=[],
                     help="a subject removed from subjects.csv on purpose: its own calendar and "
                     "its events in the site calendar become cancelled (repeatable)")
    pub.add_argument("--on-server-edit", choices=("plan", "server"), default="plan",
                     help="an event changed on the server since the last publish (a person's "
                     "edit): 'plan' writes the plan's version over it with a higher SEQUENCE "
                     "(default), 'server' keeps the server's until the plan changes that visit; "
                     "reported either way")
    pub.add_argument("--site-calendar", choices=("one", "quarters", "none"), default="one",
                     help="the site calendar as one collection (default), as four fixed "
                     "collections by quarter of the year (large studies), or not at all")


def _publish(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import os
    from datetime import UTC

    from .calendars.publish import publish, read_password
    from .entries.writes import study_lock
    from .planning.engine import plan_study
    from .store.study import load_study

    password = read_password(args.password_file, os.environ)
    study = load_study(args.study)
    plan = plan_study(study, assume=args.assume, today=args.today,  # a hold the cap ended
                      as_of=args.today or _today_at_site(study.config.timezone))  # shows its EOT
    with study_lock(args.study):
        result = publish(study, plan, url=args.url, user=args.user, password=password,
                         generated_at=args.generated_at or datetime.now(UTC),
                         subject_ids=args.subject, prune=args.prune, dry_run=args.dry_run,
                         all_day=args.all_day, retire=args.retire,
                         on_server_edit=args.on_server_edit, site_calendar=args.site_calendar,
                         log=_printer(stdout) if args.dry_run else (lambda line: None))
    stderr.write(result.describe(args.url))
    stderr.write(result.report())
    return EXIT_BAD_INPUT if result.problems else EXIT_OK


def _printer(stream: TextIO) -> Any:
    def write(line: str) -> None:
        stream.write(line + "\n")
    return write


def _feed(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .calendars.feed import write_feeds
    from .entries.writes import study_lock
    from .planning.engine import plan_study
    from .store.study import load_study

    study = load_study(args.study)
    plan = plan_study(study, assume=args.assume, today=args.today,  # a hold the cap ended
                      as_of=args.today or _today_at_site(study.config.timezone))  # shows its EOT
    with study_lock(args.study):
        result = write_feeds(study, plan, args.output, rotate=args.rotate or (),
                             generated_at=args.generated_at or datetime.now(UTC),
                             all_day=args.all_day)
    stdout.write(result.describe())
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code (tests call this directly)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        commands = {"plan": _plan, "check": _check, "next-slot": _next_slot, "ics": _ics,
                    "xlsx": _xlsx, "import": _import, "record": _record, "decide": _decide,
                    "usdm": _usdm, "sdtm": _sdtm, "due": _due, "handout": _handout,
                    "publish": _publish, "feed": _feed}
        return commands[args.command](args, out, err)
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
    except OSError as exc:  # a full disk or a failing device while writing an output
        where = f"{exc.filename}: " if exc.filename else ""
        hint = ("free some space, then run the command again" if exc.errno in (28, 122)
                else "check the output folder")
        err.write(f"error: {where}cannot write: {exc.strerror or exc}; nothing was changed "
                  f"({hint})\n")
        return EXIT_BAD_INPUT
