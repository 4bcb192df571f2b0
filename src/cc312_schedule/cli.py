"""The command line: ``cc312-schedule plan|check|ics STUDY ...``. Thin: parse, call, print.

Exit codes: 0 ok; 1 warnings under ``--strict``, or ``import`` found conflicts (entries that
contradict recorded rows: listed, not applied — with ``--apply`` the other changes *were*
written), or ``audit verify`` found the audit trail damaged (its problems listed); 2 bad
input or usage (never a traceback, never a half-written output file; for
``import``/``record``/``decide``, nothing written).
"""

from __future__ import annotations

import argparse
import sys
import warnings
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


# ---- the language people read (issue 22) ---------------------------------------------------
# Every line a person reads comes from the catalogue (core/messages.py, ids ``cli.*``) in the
# run's language: ``--language`` (before or after the command: ``cc312-schedule --language
# zh-CN check STUDY`` or ``check STUDY --language zh-CN``; for due and handout it sets their
# output's language too), else the study's ``language`` (study.toml), else the environment (LC_ALL,
# LC_MESSAGES, LANG: zh_CN... is zh-CN), else English. A command says a line with
# ``_say(key, **fields)``; a new command adds its ``cli.<key>`` texts to the catalogue in both
# languages (tests/test_catalogue.py checks them). ``--help`` stays English: argparse writes
# it before a study is read, and the options it names are English words either way.
class _Run:
    lang: str | None = None  # None: not yet known (found from the arguments when first needed)
    argv: Sequence[str] | None = None


def _lang() -> str:
    if _Run.lang is None:  # asked while the command line is read (its error): from the words
        _Run.lang = _language_before_parsing(_Run.argv)
    return _Run.lang


def _say(key: str, **fields: object) -> str:
    """The catalogue's ``cli.<key>`` in the run's language, with a line end."""
    from .core.messages import message

    return message(_lang(), f"cli.{key}", **fields) + "\n"


def _pick_language(args: argparse.Namespace | None) -> str:
    import os

    from .core.messages import pick_language

    given = None if args is None else (getattr(args, "language", None)  # due's, handout's
                                       or getattr(args, "ui_language", None))
    study = None if args is None else _study_language(getattr(args, "study", None))
    return pick_language(given=given, study=study, environ=os.environ)


def _study_language(folder: str | None) -> str | None:
    """study.toml's ``language``, read leniently (the study is read properly by the command;
    a broken study.toml is reported there, in the environment's language)."""
    return _study_setting(folder, "language")


def _study_setting(folder: str | None, key: str) -> str | None:
    """A text setting of study.toml (``language``, ``timezone``), read leniently."""
    if not folder:
        return None
    import tomllib
    from pathlib import Path

    where = Path(folder)
    if where.is_file():  # a study's file given for its folder (said as an error): its study's
        where = where.parent
    try:
        with (where / "study.toml").open("rb") as fh:
            raw = fh.read(1024 * 1024)
    except OSError:  # unreadable: said in the environment's language
        return None
    try:
        value = tomllib.loads(raw.decode("utf-8")).get(key)
    except (ValueError, RecursionError):  # not TOML: its own line, as written, says it
        import re

        m = re.search(rb'^[ \t]*' + key.encode() + rb'[ \t]*=[ \t]*"([A-Za-z_/+-]+)"', raw,
                      re.MULTILINE)
        return m.group(1).decode() if m else None
    return value if isinstance(value, str) else None


def _language_before_parsing(argv: Sequence[str] | None) -> str:
    """The run's language while the command line is being read (its errors are said in it):
    ``--language X`` where given, else the language of the first argument that is a study
    folder, else the environment's."""
    import os
    from pathlib import Path

    from .core.messages import pick_language

    words = list(sys.argv[1:] if argv is None else argv)
    given = None
    for i, word in enumerate(words):
        if word == "--language" and i + 1 < len(words):
            given = words[i + 1]
        elif word.startswith("--language="):
            given = word.split("=", 1)[1]
    study = next((_study_language(w) for w in words
                  if not w.startswith("-") and ((Path(w) / "study.toml").is_file()
                                                or (Path(w).is_file() and  # a study's file
                                                    Path(w).with_name("study.toml").is_file()))),
                 None)
    return pick_language(given=given, study=study, environ=os.environ)


def _warning_line(w: object, lang: str | None = None) -> str:
    """A plan warning as the CLI prints it: where, the text, its kind (the class name in
    English, what ``-W`` filters use; the site's term in Chinese, never a class name)."""
    from .core.messages import warning_label

    lang = lang or _lang()
    where = f"{w.subject_id} {w.visit}" if getattr(w, "visit", None) else w.subject_id  # type: ignore[attr-defined]
    return _say("warning", where=where, text=w.render(lang),  # type: ignore[attr-defined]
                kind=warning_label(lang, w.category.__name__))  # type: ignore[attr-defined]


class _Version(argparse.Action):
    """``--version``: reads the installed metadata only when asked (the CLI starts fast)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .core.version import VERSION

        parser.exit(message=f"cc312-schedule {VERSION}\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's words (its gettext English) are said in Chinese by the catalogue's
        # templates (err.unrecognized arguments: {args}, ...): core/messages.say_error
        raise UsageError(message, key=self.prog, hint=f"see '{self.prog} --help'")


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


def _action_arg(text: str) -> str:
    """A decision's action: its code, or its label in either language as the workbook's
    dropdown shows it (and the labels of workbooks handed out before a term changed)."""
    from .core.messages import LANGUAGES, LEGACY_TEXTS, message

    actions = ("continue", "stop", "hold", "resume")
    for a in actions:
        key = f"xlsx.action.{a}"
        words = {a, *(message(lang, key) for lang in LANGUAGES), *LEGACY_TEXTS.get(key, ())}
        if text.strip().casefold() in {w.casefold() for w in words}:
            return a
    raise argparse.ArgumentTypeError(
        f"not an action: {text!r} (use {', '.join(actions)}, or 继续治疗, 停止治疗, 暂停给药, 恢复给药)")


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
    parser.add_argument("--language", dest="ui_language", **_LANGUAGE)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _add_plan_parsers(sub)
    _add_ics_parser(sub)
    _add_workbook_parsers(sub)
    _add_cdisc_parsers(sub)
    _add_page_parsers(sub)
    _add_live_calendar_parsers(sub)
    _add_audit_parsers(sub)
    _add_users_parsers(sub)
    _add_desk_parser(sub)
    _language_after_every_command(parser)
    return parser


#: ``--language``: before the command or after it (the one definition of both).
_LANGUAGE: dict[str, Any] = {
    "choices": ("en", "zh-CN"),
    "help": "the language of the messages (default: the study's language, else "
            "LC_ALL/LC_MESSAGES/LANG, else en)"}


def _language_after_every_command(parser: argparse.ArgumentParser) -> None:
    """Accept ``--language`` after every command and sub-command too (``check STUDY
    --language en``), as before it; due and handout have their own (it also sets their
    output's language). Its default is no attribute at all, so a sub-command never overwrites
    the value given before the command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for p in action.choices.values():
                if "--language" not in p._option_string_actions:
                    p.add_argument("--language", dest="ui_language", default=argparse.SUPPRESS,
                                   **_LANGUAGE)
                _language_after_every_command(p)


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
    _add_balance(p)
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="do not print warnings (when 'check' already did); --strict still counts them")
    p.add_argument("--safe-for-spreadsheets", action="store_true",
                   help="csv for Excel or WPS: start with a UTF-8 byte-order mark (so Chinese "
                        "text opens correctly) and prefix text a spreadsheet would run as a "
                        "formula (=, +, -, @) with '")

    c = sub.add_parser("check", help="validate a study folder and report every problem at once",
                       description="Validate the whole study folder; report every problem.")
    c.add_argument("study", metavar="STUDY")
    c.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="the day the cap's passing is judged by (default: today at the site)")
    _add_balance(c)
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


def _add_balance(p: argparse.ArgumentParser) -> None:
    p.add_argument("--balance", action=argparse.BooleanOptionalAction, default=None,
                   help="with the study's [calendar] max_dosing_per_day, every output moves dosing "
                   "visits inside their windows to fit it (the default); --no-balance shows the "
                   "plan before those moves")


def _plan_for(args: argparse.Namespace, study: Study, *, today: date | None,
              as_of: date | None = None, subjects: Sequence[str] | None = None) -> StudyPlan:
    """The one way every command plans: the engine's ``plan_study`` with the command's
    ``--assume``, its day (``today``; ``as_of`` judges the cap when ``today`` is None) and the
    study's balancing (``--no-balance`` where offered)."""
    from .planning.engine import plan_study

    return plan_study(study, assume=getattr(args, "assume", None), today=today, as_of=as_of,
                      subject_ids=subjects, balance=getattr(args, "balance", None))


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
        stderr.write(_warning_line(w))
    return len(plan.warnings)


def _plan(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .reports.render import to_csv, to_json, to_table
    from .store.study import load_study

    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = _plan_for(args, study, today=today, subjects=args.subject)
    n = len(plan.warnings) if args.quiet else _report_warnings(plan, stderr)
    if n and args.strict:
        stderr.write(_say("strict", n=n))
        return EXIT_WARNINGS
    lang = study.config.language  # reasons, procedures and warnings in the study's language
    if args.format == "csv":
        text = to_csv(plan, lang, safe_for_spreadsheets=args.safe_for_spreadsheets)
        # for a spreadsheet: a BOM, so that Excel (on Chinese Windows: GBK otherwise) reads UTF-8
        _emit("\ufeff" + text if args.safe_for_spreadsheets else text, args.output, stdout)
    elif args.format == "table":  # for people: in the run's language
        _emit(to_table(plan, _lang()), args.output, stdout)
    else:
        _emit(to_json(plan, lang), args.output, stdout)
    return EXIT_OK


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .planning.capacity import check_stagger, stagger_note
    from .store.study import load_study

    study = load_study(args.study)
    plan = _plan_for(args, study, today=None,
                     as_of=args.today or _today_at_site(study.config.timezone))
    _refuse_vanished_subjects(study)
    n = _report_warnings(plan, stderr)
    for w in check_stagger(study):
        stderr.write(_warning_line(w))
        n += 1
    note = stagger_note(study)
    if note is not None:  # once per study, not a warning: 0 is the template's default
        stderr.write(_say("note", text=note.render(_lang())))
    stdout.write(_say("check_ok", study=args.study, subjects=len(study.subjects),
                      decisions=len(study.decisions), visits=len(study.visits), warnings=n))
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
    from .store.study import load_study

    study = load_study(args.study)
    plan = _plan_for(args, study, today=args.today,  # a hold the cap ended shows its EOT
                     as_of=args.today or _today_at_site(study.config.timezone))
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
        stderr.write(_say("wrote_ics", n=len(written.paths), path=args.output, new=written.new,
                          updated=written.updated, cancelled=written.cancelled,
                          unchanged=written.unchanged))
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
    for text in slot.texts:  # why, in the run's language (the catalogue's slot.*)
        stdout.write(f"  {text.render(_lang())}\n")
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
    m.add_argument("--by", metavar="NAME", help=_BY_HELP)

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
    r.add_argument("--by", metavar="NAME", help=_BY_HELP)

    d = sub.add_parser("decide", help="record an investigator's decision",
                       description="Record one decision in decisions.csv, checked like an import.")
    d.add_argument("study", metavar="STUDY")
    d.add_argument("subject", metavar="SUBJECT")
    d.add_argument("action", metavar="ACTION", type=_action_arg,
                   help="continue (with --regimen; --weeks or --until, else to the cap), "
                        "stop, hold (no regimen, weeks or until; until a resume), or resume "
                        "(after a hold; --regimen to change it); the workbook's Chinese words "
                        "are taken too: 继续治疗, 停止治疗, 暂停给药, 恢复给药")
    d.add_argument("--on", type=_date_arg, metavar="DATE", required=True, help="decision date")
    d.add_argument("--regimen", metavar="R", help="the regimen code to continue or resume on, "
                   "e.g. QW (the protocol's codes)")
    length = d.add_mutually_exclusive_group()
    length.add_argument("--weeks", type=_weeks_arg, metavar="N",
                        help="how many weeks the decision covers")
    length.add_argument("--until", type=_date_arg, metavar="DATE",
                        help="the last day the decision covers")
    d.add_argument("--investigator", required=True, metavar="NAME", help="who decided")
    d.add_argument("--rationale", required=True, metavar="TEXT", help="why, in a sentence")
    d.add_argument("--today", type=_date_arg, metavar="DATE", help="default: today at the site")
    d.add_argument("--by", metavar="NAME", help=_BY_HELP)


_BY_HELP = "who makes the change, for the audit trail (default: your login name)"


def _site_today(folder: str) -> date:
    from .store.study import load_study

    return _today_at_site(load_study(folder).config.timezone)


def _xlsx(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .reports.xlsx import to_xlsx
    from .store.study import load_study

    if not args.output.lower().endswith(".xlsx"):
        raise UsageError("the workbook must be written to a .xlsx file", key="-o", value=args.output,
                         hint="name it e.g. plan.xlsx; for a CSV use 'plan --format csv -o FILE'")
    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = _plan_for(args, study, today=today)
    data = to_xlsx(study, plan, generated_at=args.generated_at or datetime.now(UTC))
    _emit_bytes(data, args.output)
    stderr.write(_say("wrote_xlsx", path=args.output, subjects=len(plan.subjects),
                      visits=len(plan.events)))
    return EXIT_OK


def _emit_bytes(data: bytes, output: str) -> None:
    from pathlib import Path

    from .core.fileio import cannot_write, write_atomic

    path = Path(output)
    if not path.parent.is_dir():
        raise UsageError("cannot write: the folder does not exist", key="-o", value=str(path),
                         hint="create the folder first")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise cannot_write(exc, key="-o", value=str(path)) from None


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import import_workbook

    today = args.today or _site_today(args.study)
    from .store.audit import cli_actor

    result = import_workbook(args.study, args.workbook, today=today, apply=args.apply,
                             amend=args.amend, actor=cli_actor(args.by, via="import"))
    stdout.write(result.describe(_lang()))
    if not args.apply and result.changes:
        stdout.write(_say("dry_run"))
    return EXIT_WARNINGS if result.conflicts else EXIT_OK


def _record(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import record

    today = args.today or _site_today(args.study)
    from .store.audit import cli_actor

    result = record(args.study, args.subject, args.visit, today=today, done=args.done,
                    missed=args.missed, note=args.note, amend=args.amend,
                    actor=cli_actor(args.by))
    stdout.write(result.describe(_lang()))
    return EXIT_OK


def _decide(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .entries.writes import decide
    from .store.audit import cli_actor

    today = args.today or _site_today(args.study)
    result = decide(args.study, args.subject, on=args.on, action=args.action, today=today,
                    regimen=args.regimen, weeks=args.weeks, until=args.until,
                    investigator=args.investigator, rationale=args.rationale,
                    actor=cli_actor(args.by))
    stdout.write(result.describe(_lang()))
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

    s = sub.add_parser("sdtm", help="write SDTM datasets (TV, TA, TE, TI, TS, DM, SV, SE, EX, DS, DV) "
                       "and define.xml",
                       description="Write the SDTM trial-design datasets (TV, TA, TE, TI, TS) and "
                       "the subject datasets (DM, SV, SE, EX, DS, DV) as SAS transport v5 (.xpt) "
                       "and/or CDISC Dataset-JSON v1.1 (.json) files, with define.xml (Define-XML "
                       "2.1), into DIR, all or nothing. With both formats (the default), a "
                       "non-ASCII free text is in the .json file and the .xpt holds a placeholder "
                       "naming it.")
    s.add_argument("study", metavar="STUDY")
    s.add_argument("-o", "--output", metavar="DIR", required=True,
                   help="output folder (created if missing)")
    s.add_argument("--format", choices=("xpt", "json", "both"), default="both")
    s.add_argument("--studyid", metavar="ID", help="STUDYID (default: the protocol id, CC312-I-003)")
    s.add_argument("--generated-at", type=_datetime_arg, metavar="DATETIME",
                   help="creation time stored in the files, e.g. 2026-11-25T08:00:00Z "
                   "(default: now, UTC)")
    s.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="the day the plan is judged by (a hold or a pending decision the cap "
                   "ended has its EOT; default: today at the site)")


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
        stderr.write(_say("wrote_usdm", path=args.output, protocol=protocol.protocol_id))
    return EXIT_OK


def _sdtm(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .cdisc.sdtm import write_sdtm
    from .core.warnings import TransportTextWarning
    from .store.study import load_study

    study = load_study(args.study)
    formats = ("xpt", "json") if args.format == "both" else (args.format,)
    plan = _plan_for(args, study, today=args.today or _today_at_site(study.config.timezone))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TransportTextWarning)
        paths = write_sdtm(study, plan, args.output, formats=formats,
                           studyid=args.studyid,
                           generated_at=args.generated_at or datetime.now(UTC))
    for w in caught:  # what went where: a free text the .xpt cannot hold is in the .json
        if issubclass(w.category, TransportTextWarning):
            sub = getattr(w.message, "substitute", None)  # the text in the run's language
            stderr.write(_say("note", text=sub.describe(_lang()) if sub else str(w.message)))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    stderr.write(_say("wrote_sdtm", n=len(paths), path=args.output,
                      what=" ".join(p.name for p in paths)))
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
    d.add_argument("--safe-for-spreadsheets", action="store_true",
                   help="csv: prefix text a spreadsheet would run as a formula (=, +, -, @) with '")
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

    from .planning.engine import plans_by_day
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
    today = _today_at_site(study.config.timezone)
    start = args.on or args.start or today
    plan = _plan_for(args, study, today=start)
    # each day of a range judged as `due --on` that day would judge it (the cap passing)
    plan_on = plans_by_day(study, assume=args.assume) if args.end else None
    # a record dated after the real today is flagged, one after a listed past day is not (C16)
    due = plan_due(study, plan, start=start, end=args.end,  # for people: the run's language
                   language=args.language or args.ui_language, plan_on=plan_on, today=today)
    if args.format == "html":
        from .reports.pages import to_due_html

        at = (args.generated_at or datetime.now(UTC)).astimezone(ZoneInfo(study.config.timezone))
        _emit(to_due_html(due, generated=at), args.output, stdout)
    else:
        if args.format == "csv":
            text = to_due_csv(due, safe_for_spreadsheets=args.safe_for_spreadsheets)
            if due.language == "zh-CN" and args.output not in (None, "-"):
                text = "\ufeff" + text  # a BOM: Excel on Chinese Windows reads it as UTF-8
        else:
            text = (to_due_json if args.format == "json" else to_due_table)(due)
        _emit(text, args.output, stdout)
    if args.output not in (None, "-"):
        stderr.write(_say("wrote_due", path=args.output, days=len(due.days),
                          rows=sum(len(d.rows) for d in due.days)))
    return EXIT_OK


def _handout(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from .core.messages import message
    from .reports.handout import plan_handout
    from .store.study import load_study

    suffix = str(args.output).rsplit(".", 1)[-1].lower() if "." in str(args.output) else ""
    if suffix not in ("pdf", "html"):
        raise UsageError("the output must end in .pdf or .html", key="-o", value=args.output,
                         hint="e.g. -o schedule-003.pdf")
    study = load_study(args.study)
    today = args.today or _today_at_site(study.config.timezone)
    plan = _plan_for(args, study, today=today)
    at = (args.generated_at or datetime.now(UTC)).astimezone(ZoneInfo(study.config.timezone))
    handout = plan_handout(study, plan, args.subject, today=today, generated=at.date(),
                           language=args.language)
    for w in handout.warnings:
        stderr.write(_warning_line(w))
    from .reports.pages import CJK_FONT_PACKAGE, has_cjk_font, to_handout_html, to_pdf

    if suffix == "pdf" and handout.language == "zh-CN" and has_cjk_font() is False:
        raise UsageError("no Chinese font is installed: the PDF would print boxes", key="-o",
                         value=args.output, hint=f"install {CJK_FONT_PACKAGE} (sudo apt install "
                         f"{CJK_FONT_PACKAGE}), or write -o FILE.html")  # hint.* in the catalogue
    html = to_handout_html(handout)
    _emit_bytes(to_pdf(html) if suffix == "pdf" else html.encode("utf-8"), args.output)
    closed = sum(v.date_to_confirm for v in (*handout.visits, *handout.to_be_confirmed))
    stderr.write(_say("wrote_handout", path=args.output, visits=len(handout.visits),
                      tbc=len(handout.to_be_confirmed),
                      closed=message(_lang(), "cli.handout_closed", n=closed) if closed else ""))
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
    pub.add_argument("--timeout", type=float, default=3600, metavar="SECONDS",
                     help="give up after this long in all (default 3600; 0: no limit; each "
                     "request also gives up after 30 s without an answer)")
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
    from .calendars.publish_checks import check_url, deadline
    from .entries.writes import study_lock
    from .store.study import load_study

    check_url(args.url)
    password = read_password(args.password_file, os.environ)
    study = load_study(args.study)
    plan = _plan_for(args, study, today=args.today,  # a hold the cap ended shows its EOT
                     as_of=args.today or _today_at_site(study.config.timezone))
    with study_lock(args.study, calendars=True), deadline(args.timeout):  # not the CSVs' lock
        result = publish(study, plan, url=args.url, user=args.user, password=password,
                         generated_at=args.generated_at or datetime.now(UTC),
                         subject_ids=args.subject, prune=args.prune, dry_run=args.dry_run,
                         all_day=args.all_day, retire=args.retire,
                         on_server_edit=args.on_server_edit, site_calendar=args.site_calendar,
                         log=_printer(stdout) if args.dry_run else (lambda line: None),
                         lang=_lang())
    stderr.write(result.describe(args.url, _lang()))
    stderr.write(result.report(_lang()))
    return EXIT_BAD_INPUT if result.problems else EXIT_OK


def _printer(stream: TextIO) -> Any:
    def write(line: str) -> None:
        stream.write(line + "\n")
    return write


def _feed(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .calendars.feed import write_feeds
    from .entries.writes import study_lock
    from .store.study import load_study

    study = load_study(args.study)
    plan = _plan_for(args, study, today=args.today,  # a hold the cap ended shows its EOT
                     as_of=args.today or _today_at_site(study.config.timezone))
    with study_lock(args.study, calendars=True):
        result = write_feeds(study, plan, args.output, rotate=args.rotate or (),
                             generated_at=args.generated_at or datetime.now(UTC),
                             all_day=args.all_day)
    stdout.write(result.describe(_lang()))
    return EXIT_OK


# ---- the audit trail (store/audit.py) --------------------------------------------------------


def _add_audit_parsers(sub: Any) -> None:
    a = sub.add_parser("audit", help="check or show the audit trail (STUDY/audit.csv)",
                       description="The audit trail: every change to the study's record, who, "
                       "when, old -> new and why, each line chained to the one before by SHA-256.")
    how = a.add_subparsers(dest="audit_command", metavar="verify|show", parser_class=_Parser)
    how.required = True
    v = how.add_parser("verify", help="exit 0 when the audit trail is intact, 1 with its problems",
                       description="Check every line of STUDY/audit.csv: its hash, its place in "
                       "the chain, the last entry. Exit 0: intact; 1: the problems are listed.")
    v.add_argument("study", metavar="STUDY")
    s = how.add_parser("show", help="print the audit trail's entries",
                       description="Print the audit trail's entries, oldest first.")
    s.add_argument("study", metavar="STUDY")
    s.add_argument("--subject", metavar="ID", help="only this subject's entries")
    s.add_argument("--user", metavar="NAME", help="only this user's entries")


def _audit(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from .store.audit import AUDIT_NAME, read_audit, verify_audit
    from .store.study import study_folder_problem

    problem = study_folder_problem(args.study)
    if problem is not None:
        raise UsageError(problem[0], key="STUDY", value=args.study, hint=problem[1])
    if args.audit_command == "verify":
        problems = verify_audit(args.study)
        from .core.messages import say_error

        for p in problems:
            stderr.write(_say("audit_problem", path=Path(args.study) / AUDIT_NAME,
                              problem=say_error(_lang(), "err", p)[0]))
        if problems:
            stderr.write(_say("audit_broken", n=len(problems)))
            return EXIT_WARNINGS
        n = len(read_audit(args.study))
        stdout.write(_say("audit_intact", path=Path(args.study) / AUDIT_NAME, n=n))
        return EXIT_OK
    from .core.messages import MESSAGES, message

    def said(kind: str, code: str) -> str:  # a role or a way in, as the run's language says it
        return message(_lang(), f"{kind}.{code}") if f"{kind}.{code}" in MESSAGES else code

    for e in read_audit(args.study, subject_id=args.subject, user=args.user):
        where = " ".join(x for x in (e.subject_id, e.visit) if x)
        why = _say("audit_reason", reason=e.reason).rstrip("\n") if e.reason else ""
        stdout.write(_say("audit_line", seq=f"{e.seq:>5}", time=e.time_site, user=e.user,
                          role=said("desk.role", e.role), via=said("audit.via", e.via),
                          file=e.file, where=where, field=e.field, old=repr(e.old),
                          new=repr(e.new), why=why))
    return EXIT_OK


# ---- the desk's users and API tokens (store/users.py) ----------------------------------------


def _add_users_parsers(sub: Any) -> None:
    u = sub.add_parser("users", help="the desk's users and API tokens",
                       description="Add, list and disable the web desk's users, and give them "
                       "API tokens (STUDY/.cc312-desk.sqlite3, owner-only). Every change goes to "
                       "the audit trail.")
    how = u.add_subparsers(dest="users_command", metavar="add|list|token|disable|enable|password",
                           parser_class=_Parser)
    how.required = True
    a = how.add_parser("add", help="add a user", description="Add a user. Without "
                       "--password-file the password is asked for twice, without echo.")
    a.add_argument("study", metavar="STUDY")
    a.add_argument("name", metavar="NAME", help="the login name, e.g. li.na")
    a.add_argument("--role", required=True, choices=("nurse", "investigator", "coordinator",
                                                     "monitor"))
    a.add_argument("--display-name", metavar="TEXT",
                   help="the name shown and signed with (default: NAME), e.g. 李娜")
    a.add_argument("--password-file", metavar="FILE",
                   help="a file holding the password on its first line (at least 10 characters)")
    a.add_argument("--by", metavar="NAME", help=_BY_HELP)
    p = how.add_parser("password", help="give a user a new password")
    p.add_argument("study", metavar="STUDY")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-file", metavar="FILE",
                   help="a file holding the password on its first line (at least 10 characters)")
    p.add_argument("--by", metavar="NAME", help=_BY_HELP)
    t = how.add_parser("token", help="print a new API token for a user, once",
                       description="Print a new API token (for 'Authorization: Bearer TOKEN'). "
                       "It is shown this once: only its hash is kept.")
    t.add_argument("study", metavar="STUDY")
    t.add_argument("name", metavar="NAME")
    t.add_argument("--by", metavar="NAME", help=_BY_HELP)
    n = how.add_parser("list", help="list the users")
    n.add_argument("study", metavar="STUDY")
    d = how.add_parser("disable", help="disable a user (no login, no token, their desk sessions "
                       "end); nothing is deleted")
    d.add_argument("study", metavar="STUDY")
    d.add_argument("name", metavar="NAME")
    d.add_argument("--by", metavar="NAME", help=_BY_HELP)
    e = how.add_parser("enable", help="enable a disabled user again")
    e.add_argument("study", metavar="STUDY")
    e.add_argument("name", metavar="NAME")
    e.add_argument("--by", metavar="NAME", help=_BY_HELP)


def _read_new_password(args: argparse.Namespace, stderr: TextIO) -> str:
    """From --password-file (its first line), else asked twice without echo."""
    if args.password_file:
        from .core.fileio import InputFileError, read_input

        try:
            raw = read_input(args.password_file, limit=64 * 1024)
        except (OSError, InputFileError) as exc:
            raise UsageError(f"cannot read the password file: {getattr(exc, 'strerror', None) or exc}",
                             key="--password-file", value=args.password_file) from None
        try:
            lines = raw.decode("utf-8-sig").splitlines()
        except UnicodeDecodeError:
            raise UsageError("the password file is not UTF-8 text", key="--password-file",
                             value=args.password_file) from None
        return lines[0] if lines else ""
    first = _ask_password(_say("password_prompt", name=args.name).rstrip("\n"), stderr)
    again = _ask_password(_say("password_again").rstrip("\n"), stderr)
    if first != again:
        raise UsageError("the two passwords differ", key="password", hint="run the command again")
    return first


def _ask_password(prompt: str, stderr: TextIO) -> str:
    """One password typed at the terminal, without echo. No terminal (input from a pipe or a
    file: getpass would read it with echo, after an English warning), an input that ends
    (empty stdin, Ctrl-D) or Ctrl-C at the prompt: a usage error saying how to give one,
    before anything is written."""
    import getpass

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", getpass.GetPassWarning)
            return getpass.getpass(prompt, stream=stderr)
    except (EOFError, KeyboardInterrupt, getpass.GetPassWarning) as exc:
        if not isinstance(exc, getpass.GetPassWarning):
            stderr.write("\n")  # the prompt's line ends before the error's
        raise UsageError("no password was given (no terminal to type it in, or the input "
                         "ended)", key="password", hint="give it in a file: --password-file "
                         "FILE (its first line), or run the command in a terminal and type "
                         "it") from None


def _study_zone(folder: str) -> str:
    """study.toml's ``timezone`` when it is one the system knows, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = _study_setting(folder, "timezone") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


def _site_time(stamp: str, zone: str) -> str:
    """A stored UTC time stamp (``2026-12-04T22:35:54Z``) as people read it: the site's
    time, minutes, its zone named (``2026-12-05 06:35（北京时间）``); as stored when it is no
    time stamp with a zone."""
    from .core.l10n import local_time

    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return local_time(_lang(), at, zone) if at.tzinfo is not None else stamp


def _users(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from datetime import UTC

    from .core.messages import message
    from .store import users
    from .store.audit import cli_actor

    at = datetime.now(UTC)
    if args.users_command == "list":
        zone = _study_zone(args.study)
        for u in users.list_users(args.study):
            stdout.write(_say("user_line", name=u.name, display=u.display_name,
                              role=message(_lang(), f"desk.role.{u.role}"),
                              state=_say("user_disabled_state" if u.disabled else
                                         "user_active_state").rstrip("\n"),
                              created=_site_time(u.created, zone), tokens=u.tokens))
        return EXIT_OK
    actor = cli_actor(args.by)
    if args.users_command == "add":
        users.connect(args.study).close()  # a bad folder is said before the password is asked
        password = _read_new_password(args, stderr)
        u = users.add_user(args.study, args.name, role=args.role, password=password,
                           display_name=args.display_name, actor=actor, at=at)
        stderr.write(_say("user_added", name=u.name, display=u.display_name,
                          role=message(_lang(), f"desk.role.{u.role}")))
    elif args.users_command == "password":
        users.list_users(args.study)
        users.set_password(args.study, args.name, _read_new_password(args, stderr), actor=actor,
                           at=at)
        stderr.write(_say("user_password", name=args.name))
    elif args.users_command == "token":
        token = users.new_token(args.study, args.name, actor=actor, at=at)
        stdout.write(token + "\n")
        stderr.write(_say("user_token", name=args.name))
    elif args.users_command == "enable":
        u = users.enable_user(args.study, args.name, actor=actor, at=at)
        stderr.write(_say("user_enabled", name=u.name))
    else:
        u = users.disable_user(args.study, args.name, actor=actor, at=at)
        stderr.write(_say("user_disabled", name=u.name))
    return EXIT_OK


# ---- the site desk (desk/) ---------------------------------------------------------------


def _add_desk_parser(sub: Any) -> None:
    s = sub.add_parser("serve", help="run the site desk (web application) for the study team",
                       description="Serve the study folder as the site desk: the day list, the "
                       "subjects, decisions, the workbook, exports, the audit trail and an API, "
                       "for the users of 'cc312-schedule users'. A production server (waitress); "
                       "put nginx with TLS in front for other machines (docs/desk.md).")
    s.add_argument("study", metavar="STUDY")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8312, help="port (default: 8312)")
    s.add_argument("--behind-tls", action="store_true",
                   help="a TLS proxy (nginx) is in front: Secure cookies, trust its "
                   "X-Forwarded-Proto/-Host (one hop)")
    s.add_argument("--idle-minutes", type=int, default=30,
                   help="log a session out after this many idle minutes (default: 30)")
    s.add_argument("--session-hours", type=int, default=12,
                   help="log a session out this many hours after its login, however busy "
                   "(default: 12, a long shift)")
    s.add_argument("--threads", type=int, default=24,
                   help="worker threads (default: 24): at most 2 compute pages at once, the "
                   "others wait asleep or record, so a write never waits for a free thread "
                   "behind pages")
    s.add_argument("--lock-wait", type=float, default=15.0, metavar="SECONDS",
                   help="how long a write waits for another writer of the study before it "
                   "answers 503 'try again' (default: 15)")
    s.add_argument("--today", type=_date_arg, metavar="DATE",
                   help="pin the site's today (demonstrations and tests; default: the date at "
                   "the site at each request)")


def _serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from .desk.context import DeskConfig
    from .desk.serve import serve
    from .store.study import load_study

    load_study(args.study)  # a study that does not load is reported before anything listens
    if not 0 <= args.port <= 65535:
        raise UsageError("not a port number", key="--port", value=str(args.port),
                         hint="e.g. --port 8312")
    if not 1 <= args.idle_minutes <= 24 * 60:
        raise UsageError("out of range", key="--idle-minutes", value=str(args.idle_minutes),
                         hint="between 1 and 1440")
    if not 1 <= args.session_hours <= 24 * 7:
        raise UsageError("out of range", key="--session-hours", value=str(args.session_hours),
                         hint="between 1 and 168")
    if not 0 < args.lock_wait <= 600:
        raise UsageError("out of range", key="--lock-wait", value=f"{args.lock_wait:g}",
                         hint="seconds, more than 0 and at most 600")
    config = DeskConfig(folder=Path(args.study), today=args.today, behind_tls=args.behind_tls,
                        idle_minutes=args.idle_minutes, session_hours=args.session_hours,
                        lock_wait=args.lock_wait)
    return serve(config, host=args.host, port=args.port, threads=max(1, args.threads),
                 stream=stderr, lang=_lang())


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code (tests call this directly)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    _Run.lang, _Run.argv = None, argv  # known once read; an error before: from the words
    try:
        args = build_parser().parse_args(argv)
        _Run.lang = _pick_language(args)
        commands = {"plan": _plan, "check": _check, "next-slot": _next_slot, "ics": _ics,
                    "xlsx": _xlsx, "import": _import, "record": _record, "decide": _decide,
                    "usdm": _usdm, "sdtm": _sdtm, "due": _due, "handout": _handout,
                    "publish": _publish, "feed": _feed, "audit": _audit, "users": _users,
                    "serve": _serve}
        return commands[args.command](args, out, err)
    except InvalidStudyError as exc:
        from .core.messages import render_error

        for e in exc.errors:
            err.write(_say("error", text=render_error(e, _lang())))
        err.write(_say("problems", n=exc.total))
        return EXIT_BAD_INPUT
    except ScheduleError as exc:
        from .core.messages import render_error

        err.write(_say("error", text=render_error(exc, _lang())))
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a full disk or a failing device while writing an output
        from .core.messages import say_error

        where = f"{exc.filename}: " if exc.filename else ""
        full = exc.errno in (28, 122)
        why = say_error(_lang(), "err", str(exc.strerror or exc))[0]
        err.write(_say("error", text=_say("cannot_write_full" if full else "cannot_write",
                                          where=where, why=why).rstrip("\n")))
        return EXIT_BAD_INPUT
