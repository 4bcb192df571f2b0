"""The protocol as data: the model of ``templates/cc312.toml`` and its loader.

>>> p = load_protocol()                     # the bundled CC312 template
>>> p.registry_id, p.last_dose_day, [r.code for r in p.regimens]
('NCT07193810', StudyDay(168), ['BIW', 'QW', 'Q2W', 'Q4W'])
>>> [d.value for d in p.induction_days]
[1, 4, 8, 11, 15, 18, 22, 25]
>>> p.regimen("Q2W").cdisc_frequency
'EVERY 2 WEEKS'

Every problem is reported with the TOML key and the bad value, all at once:

>>> text = bundled_protocol_path().read_text(encoding="utf-8")
>>> bad = text.replace("max_treatment_weeks = 24", "max_treatment_weeks = 3")
>>> bad = bad.replace("days_in_week = [1]", "days_in_week = []", 1)
>>> load_protocol_text(bad)
Traceback (most recent call last):
...
cc312_schedule.core.errors.InvalidStudyError: <text>: regimens.QW.days_in_week: a regimen needs at least one dosing day: [] (e.g. days_in_week = [1])
<text>: dosing.max_treatment_weeks: cap shorter than the induction (4 weeks): 3 (the cap must cover the whole induction)
<text>: assessment.study_day: must not come after the cap (day 21): 28
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from .days import StudyDay, Window
from .errors import InvalidStudyError, ProtocolError
from .fileio import TOML_LIMIT, InputFileError, read_input
from .messages import LANGUAGES

__all__ = [
    "SCHEMA_VERSION",
    "DecisionsFrom",
    "DoseLevel",
    "FollowUpVisit",
    "Intervention",
    "ParticipantWording",
    "Procedures",
    "Protocol",
    "Regimen",
    "bundled_protocol_path",
    "load_protocol",
    "load_protocol_text",
]

SCHEMA_VERSION = 1
DISEASE_SCORE_ITEM = "disease activity score"


class DecisionsFrom(enum.StrEnum):
    """From which day a decision may choose a regimen (``[assessment] decisions_from``).

    With the assessment on study day 28 and its window -2/+3 days (days 26..31), for a subject
    first dosed on Monday 2026-03-02: ``study_day`` (the default, the record's "After Day 28")
    accepts a continue dated 2026-03-29 (day 28) and refuses one dated 2026-03-28 (day 27);
    ``window`` accepts one from 2026-03-27 (day 26, the window's first day) on.
    """

    STUDY_DAY = "study_day"
    WINDOW = "window"

    def rule(self, assessment_day: StudyDay) -> str:
        """The rule in words, for the error that refuses an early decision."""
        if self is DecisionsFrom.WINDOW:
            return (f"the decision to continue is taken inside the Day {assessment_day.value} "
                    "assessment window, never before it")
        return f"the decision to continue is taken after Day {assessment_day.value}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Regimen:
    """A dosing regimen: which days of which weeks get a dose.

    ``every_weeks`` > 1 doses every n-th week, the phase starting at the week of the
    regimen's first dose (so Q2W started in week 5 doses in weeks 5, 7, 9, ...).
    """

    code: str
    label: str
    days_in_week: tuple[int, ...]
    every_weeks: int = 1
    cdisc_frequency: str = ""
    nci_code: str = ""

    def doses_in_week(self, week: int, anchor_week: int) -> tuple[StudyDay, ...]:
        """The dose days of ``week`` when the regimen's phase starts at ``anchor_week``.

        >>> q2w = Regimen(code="Q2W", label="", days_in_week=(1,), every_weeks=2)
        >>> q2w.doses_in_week(7, anchor_week=5), q2w.doses_in_week(8, anchor_week=5)
        ((StudyDay(43),), ())
        """
        if (week - anchor_week) % self.every_weeks:
            return ()
        return tuple(StudyDay.of_week(week, d) for d in self.days_in_week)

    @property
    def min_gap_days(self) -> int:
        """Smallest number of days between two consecutive doses of this regimen."""
        d = self.days_in_week
        gaps = [b - a for a, b in zip(d, d[1:], strict=False)]
        gaps.append(7 * self.every_weeks - d[-1] + d[0])
        return min(gaps)


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUpVisit:
    visit: str
    days_after_last_dose: int
    window: Window


@dataclass(frozen=True, slots=True, kw_only=True)
class Procedures:
    """What is done at each kind of visit (tuples of names)."""

    first_dose: tuple[str, ...] = ()
    induction_dose: tuple[str, ...] = ()
    continuation_dose: tuple[str, ...] = ()
    assessment: tuple[str, ...] = ()
    review: tuple[str, ...] = ()
    eot: tuple[str, ...] = ()
    follow_up: tuple[str, ...] = ()


#: The visit kinds a participant's schedule explains (the values of ``model.EventKind``;
#: model imports this module, so they are listed here and a test keeps the two equal).
#: What the follow-up visits are dated from (``[eot] follow_up_from``): the last dose (the
#: default: the 28-day safety window, B-cell recovery and pregnancy look at the last exposure),
#: or the EOT (follow-ups keep their distance to a late EOT).
FOLLOW_UP_ANCHORS = ("last dose", "eot")

VISIT_KINDS = ("dose", "assessment", "review", "eot", "follow-up")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParticipantWording:
    """``[participant]``: the lay wording of the participant's schedule, per language.

    ``texts`` maps ``(section, key, language)`` to a text; ``section`` is ``"title"`` (key
    ``""``), ``"visits"`` (key: a visit kind) or ``"procedures"`` (key: a [procedures] item).

    >>> w = load_protocol().participant
    >>> w.procedure("vital signs", "zh-CN")
    '测量血压、脉搏和体温'
    >>> w.procedure("disease activity score (SLEDAI-2K)", "en")   # the score is never named
    'questions and an examination on how active your disease is'
    """

    version: str
    texts: tuple[tuple[tuple[str, str, str], str], ...]
    #: when this version was approved (``version_date``); printed as 版本日期 (review A11).
    #: Optional: a study's older copy of the file may still write it inside ``version``.
    version_date: date | None = None

    def text(self, section: str, key: str, lang: str) -> str:
        for k, v in self.texts:
            if k == (section, key, lang):
                return v
        raise KeyError((section, key, lang))

    def title(self, lang: str) -> str:
        return self.text("title", "", lang)

    def visit(self, kind: str, lang: str) -> str:
        return self.text("visits", kind, lang)

    def procedure(self, item: str, lang: str) -> str:
        """The lay text of a procedure; ``"disease activity score (X)"`` reads as the generic item."""
        if item.startswith(DISEASE_SCORE_ITEM + " ("):
            item = DISEASE_SCORE_ITEM
        return self.text("procedures", item, lang)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseLevel:
    """A MAD dose level (``[intervention.dose_levels.<code>]``): the code subjects.csv uses, a
    label, and the amount per dose with its CDISC UNIT (C71620) submission value, both or
    neither (``None``: the protocol does not state the amount; SDTM then carries the code in
    ``EXDOSTXT``)."""

    code: str
    label: str
    amount: float | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Intervention:
    """The study intervention (``[intervention]``): its name, type, route and dose form as CDISC
    submission values with their NCI codes, and the dose levels."""

    name: str
    type: str
    type_code: str
    route: str
    route_code: str
    dose_form: str
    dose_form_code: str
    dose_levels: tuple[DoseLevel, ...] = ()

    def dose_level(self, code: str) -> DoseLevel | None:
        return next((d for d in self.dose_levels if d.code == code), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol:
    """The whole protocol, validated. Build it with :func:`load_protocol`."""

    schema_version: int
    registry_id: str
    protocol_id: str
    title: str
    sponsor: str
    start_date: date
    completion_date: date
    age_min_years: int
    age_max_years: int
    dosing_time: time
    dosing_duration_minutes: int
    min_interval_days: int
    max_treatment_weeks: int
    contraception_months: int
    induction_regimen: str
    induction_weeks: int
    first_dose_window: Window
    induction_window: Window
    assessment_visit: str
    assessment_day: StudyDay
    assessment_window: Window
    continuation_window: Window
    review_every_weeks: int
    review_window: Window
    regimens: tuple[Regimen, ...]
    eot_visit: str
    eot_days_after_last_dose: int
    eot_window: Window
    follow_up: tuple[FollowUpVisit, ...]
    procedures: Procedures
    disease_scores: tuple[tuple[str, str], ...]
    stagger_days: int = 0
    follow_up_from: str = "last dose"  # [eot] follow_up_from: "last dose" or "eot"
    eot_late_after_days: int = 28  # [eot] late_after_days: a later EOT is warned about
    screening_days: int = 28  # [screening] days: the longest screening period (CDISC exports)
    decisions_from: DecisionsFrom = DecisionsFrom.STUDY_DAY  # [assessment]: optional
    participant: ParticipantWording | None = None  # [participant]: optional
    intervention: Intervention | None = None  # [intervention]: optional
    source: str = field(default="<protocol>", compare=False)

    @property
    def last_dose_day(self) -> StudyDay:
        """The cap: no dose after this study day (7 × max_treatment_weeks)."""
        return StudyDay(7 * self.max_treatment_weeks)

    def regimen_decisions_open(self, day1: date) -> date:
        """The first date a decision may choose a regimen for a subject first dosed on ``day1``.

        >>> p = load_protocol()
        >>> p.regimen_decisions_open(date(2026, 3, 2))     # day 28: "After Day 28"
        datetime.date(2026, 3, 29)
        >>> from dataclasses import replace
        >>> replace(p, decisions_from=DecisionsFrom.WINDOW).regimen_decisions_open(date(2026, 3, 2))
        datetime.date(2026, 3, 27)
        """
        day = self.assessment_day.on(day1)
        if self.decisions_from is DecisionsFrom.WINDOW:
            return day - timedelta(days=self.assessment_window.before)
        return day

    @property
    def regimen_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.regimens)

    def regimen(self, code: str) -> Regimen:
        for r in self.regimens:
            if r.code == code:
                return r
        raise KeyError(code)

    @property
    def induction(self) -> Regimen:
        return self.regimen(self.induction_regimen)

    @property
    def induction_days(self) -> tuple[StudyDay, ...]:
        reg = self.induction
        return tuple(
            d for w in range(1, self.induction_weeks + 1) for d in reg.doses_in_week(w, 1)
        )

    @property
    def diseases(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.disease_scores)

    def disease_score(self, disease: str | None) -> str | None:
        return dict(self.disease_scores).get(disease or "")


# --------------------------------------------------------------------------------------
# Loading


def bundled_protocol_path() -> Path:
    """The CC312 template shipped inside the package (works from a wheel and a checkout).

    A path beside this module, not ``importlib.resources`` (~8 ms to import, on every run):
    the package is always installed as files (the study loader reads them as such).
    """
    return Path(__file__).parents[1] / "templates" / "cc312.toml"


def load_protocol(path: str | Path | None = None) -> Protocol:
    """Load and validate a protocol TOML file (default: the bundled CC312 template).

    Raises :class:`InvalidStudyError` listing every :class:`ProtocolError` found.
    """
    p = Path(path) if path is not None else bundled_protocol_path()
    try:
        text = read_input(p, limit=TOML_LIMIT).decode("utf-8")
    except InputFileError as exc:
        raise InvalidStudyError([ProtocolError(exc.message, path=p, hint=exc.hint)]) from None
    except OSError as exc:
        raise InvalidStudyError(
            [ProtocolError(f"cannot read the protocol file: {exc.strerror}", path=p,
                           hint="check the path in study.toml 'protocol'")]
        ) from None
    except UnicodeDecodeError:
        raise InvalidStudyError(
            [ProtocolError("the protocol file is not UTF-8 text", path=p,
                           hint="save it as UTF-8")]
        ) from None
    return load_protocol_text(text, source=str(p))


def load_protocol_text(text: str, *, source: str = "<text>") -> Protocol:
    """Load and validate a protocol from TOML text (see :func:`load_protocol`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise InvalidStudyError(
            [ProtocolError(f"not valid TOML: {exc}", path=source, line=line,
                           hint="fix the TOML syntax")]
        ) from None
    except RecursionError:
        raise InvalidStudyError(
            [ProtocolError("not valid TOML: arrays or tables nested too deeply", path=source,
                           hint="remove the nested brackets")]
        ) from None
    errors: list[ProtocolError] = []
    protocol = _build(_Table(data, "", errors, source), errors, source)
    if errors or protocol is None:
        raise InvalidStudyError(errors)
    return protocol


def _toml_error_line(message: str) -> int | None:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


T = TypeVar("T")
_MISSING: Any = object()


class _Table:
    """A TOML table being read: typed getters that record errors with key paths."""

    def __init__(self, data: Any, prefix: str, errors: list[ProtocolError], source: str) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.errors = errors
        self.source = source
        self.seen: set[str] = set()
        self.absent = data is None  # a missing table: its own keys are not reported again

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, message: str, value: Any = _MISSING, hint: str | None = None) -> None:
        kw: dict[str, Any] = {"path": self.source, "key": self.key(name), "hint": hint}
        if value is not _MISSING:
            kw["value"] = value
        self.errors.append(ProtocolError(message, **kw))

    def get(self, name: str, kind: str, check: Callable[[Any], bool], default: Any = _MISSING,
            hint: str | None = None) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if default is _MISSING and not self.absent:
                self.error(name, "missing required key", hint=hint or f"add {kind} '{name}'")
            return None if default is _MISSING else default
        v = self.data[name]
        if not check(v):
            self.error(name, f"must be {kind}", v, hint)
            return None
        return v

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None,
            default: Any = _MISSING) -> int | None:
        v = self.get(name, "an integer", lambda x: isinstance(x, int) and not isinstance(x, bool),
                     default)
        if v is None:
            return None
        if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
            rng = f"{minimum if minimum is not None else '-inf'}..{maximum if maximum is not None else 'inf'}"
            self.error(name, f"out of range {rng}", v)
            return None
        return int(v)

    def text(self, name: str, default: Any = _MISSING) -> str | None:
        v = self.get(name, "a non-empty string", lambda x: isinstance(x, str) and x.strip() != "",
                     default)
        return None if v is None else str(v)

    def day(self, name: str, default: Any = _MISSING) -> date | None:
        v = self.get(name, "a TOML date (YYYY-MM-DD, unquoted)",
                     lambda x: isinstance(x, date) and not hasattr(x, "hour"), default)
        return v if isinstance(v, date) else None

    def str_list(self, name: str, default: Any = _MISSING) -> tuple[str, ...] | None:
        v = self.get(name, "a list of strings",
                     lambda x: isinstance(x, list) and all(isinstance(i, str) for i in x), default)
        return None if v is None else tuple(v)

    def table(self, name: str) -> _Table:
        self.seen.add(name)
        v = self.data.get(name, _MISSING)
        if v is _MISSING:
            if not self.absent:
                self.error(name, "missing required table", hint=f"add a [{self.key(name)}] table")
            v = None
        elif not isinstance(v, dict):
            self.error(name, "must be a table", v)
            v = None
        return _Table(v, self.key(name), self.errors, self.source)

    def window(self, name: str) -> Window | None:
        t = self.table(name)
        before = t.integer("before", minimum=0, maximum=366)
        after = t.integer("after", minimum=0, maximum=366)
        t.finish()
        if before is None or after is None:
            return None
        return Window(before=before, after=after)

    def finish(self) -> None:
        """Report every key nobody asked for (a typo must never fall back to a default)."""
        for k in self.data:
            if k not in self.seen:
                self.error(k, "unknown key", self.data[k],
                           hint="remove it or fix its spelling (see templates/cc312.toml)")

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self.data.items())


def _build(root: _Table, errors: list[ProtocolError], source: str) -> Protocol | None:
    """Read every section into the protocol's fields, then check the values against each other.

    Each section reader records its problems (with the TOML key) and returns what it could
    read; the protocol is built only when nothing was wrong."""
    version = root.integer("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        root.error("schema_version", f"unsupported version (this release reads {SCHEMA_VERSION})",
                   version, hint="use a protocol written for this release")
        return None
    f: dict[str, Any] = {}
    tables = {"trial": _read_trial(root, f), "dosing": _read_dosing(root, f),
              "regimens": _read_regimens(root, f)}
    tables["induction"] = _read_induction(root, f, tables["regimens"])
    tables.update(_read_visits(root, f))
    _read_follow_up(root, f, errors, source)
    _read_rest(root, f, errors, source)
    root.finish()
    _check_consistency(root, f, tables)
    if errors:
        return None
    assert all(v is not None for k, v in f.items() if k not in ("participant", "intervention")), f
    return Protocol(schema_version=SCHEMA_VERSION, source=source,
                    assessment_day=StudyDay(f.pop("assessment_day")), **f)


def _read_trial(root: _Table, f: dict[str, Any]) -> _Table:
    tr = root.table("trial")
    for key in ("registry_id", "protocol_id", "title", "sponsor"):
        f[key] = tr.text(key)
    f["start_date"], f["completion_date"] = tr.day("start_date"), tr.day("completion_date")
    f["age_min_years"] = tr.integer("age_min_years", minimum=0, maximum=150)
    f["age_max_years"] = tr.integer("age_max_years", minimum=0, maximum=150)
    tr.finish()
    if f["start_date"] and f["completion_date"] and f["completion_date"] <= f["start_date"]:
        tr.error("completion_date", "must be after trial.start_date", f["completion_date"])
    if (f["age_min_years"] is not None and f["age_max_years"] is not None
            and f["age_max_years"] < f["age_min_years"]):
        tr.error("age_max_years", "must not be below trial.age_min_years", f["age_max_years"])
    return tr


def _read_dosing(root: _Table, f: dict[str, Any]) -> _Table:
    dt = root.table("dosing")
    time_text = dt.text("time")
    f["dosing_time"] = _parse_hhmm(time_text) if time_text else None
    if time_text and f["dosing_time"] is None:
        dt.error("time", "must be a time HH:MM (24 h)", time_text, hint='e.g. "09:00"')
    f["dosing_duration_minutes"] = dt.integer("duration_minutes", minimum=1, maximum=1440)
    f["min_interval_days"] = dt.integer("min_interval_days", minimum=0, maximum=28)
    f["max_treatment_weeks"] = dt.integer("max_treatment_weeks", minimum=1, maximum=520)
    f["contraception_months"] = dt.integer("contraception_months", minimum=0, maximum=120)
    dt.finish()
    return dt


def _read_regimens(root: _Table, f: dict[str, Any]) -> _Table:
    """``[regimens.CODE]``; read first, since the induction names one of them."""
    rg = root.table("regimens")
    regimens: list[Regimen] = []
    for code, _ in list(rg.items()):
        t = rg.table(code)
        label = t.text("label")
        days = t.get("days_in_week", "a list of day numbers 1..7",
                     lambda x: isinstance(x, list) and all(
                         isinstance(i, int) and not isinstance(i, bool) for i in x))
        every = t.integer("every_weeks", minimum=1, maximum=52, default=1)
        cdisc = t.text("cdisc_frequency", default="")
        nci = t.text("nci_code", default="")
        t.finish()
        if days is not None:
            if not days:
                t.error("days_in_week", "a regimen needs at least one dosing day", days,
                        hint="e.g. days_in_week = [1]")
                days = None
            elif any(not 1 <= d <= 7 for d in days) or list(days) != sorted(set(days)):
                t.error("days_in_week", "days must be 1..7, ascending, without repeats", days)
                days = None
        if label and days and every:
            regimens.append(Regimen(code=code, label=label, days_in_week=tuple(days),
                                    every_weeks=every, cdisc_frequency=cdisc or "",
                                    nci_code=nci or ""))
    if not rg.data and "regimens" in root.data:
        rg.error("", "at least one regimen is required")
    f["regimens"] = tuple(regimens)
    return rg


def _read_induction(root: _Table, f: dict[str, Any], rg: _Table) -> _Table:
    ind = root.table("induction")
    f["induction_regimen"] = ind.text("regimen")
    f["induction_weeks"] = ind.integer("weeks", minimum=1, maximum=52)
    f["first_dose_window"] = ind.window("first_dose_window")
    f["induction_window"] = ind.window("window")
    ind.finish()
    codes = {r.code for r in f["regimens"]}
    if f["induction_regimen"] and f["induction_regimen"] not in codes and rg.data:
        ind.error("regimen", "not a regimen defined under [regimens]", f["induction_regimen"],
                  hint=f"use one of {sorted(codes)}")
    return ind


def _read_visits(root: _Table, f: dict[str, Any]) -> dict[str, _Table]:
    """The assessment, the continuation's windows and reviews, and the EOT visit."""
    asm = root.table("assessment")
    f["assessment_visit"] = asm.text("visit")
    f["assessment_day"] = asm.integer("study_day", minimum=1, maximum=3650)
    f["assessment_window"] = asm.window("window")
    choices = [c.value for c in DecisionsFrom]
    how = asm.get("decisions_from", f"one of {choices}", lambda x: x in choices,
                  default=DecisionsFrom.STUDY_DAY.value)
    f["decisions_from"] = DecisionsFrom(how) if how is not None else None
    asm.finish()
    cont = root.table("continuation")
    f["continuation_window"] = cont.window("window")
    f["review_every_weeks"] = cont.integer("review_every_weeks", minimum=1, maximum=52)
    f["review_window"] = cont.window("review_window")
    cont.finish()
    eot = root.table("eot")
    f["eot_visit"] = eot.text("visit")
    f["eot_days_after_last_dose"] = eot.integer("days_after_last_dose", minimum=1, maximum=3650)
    f["eot_window"] = eot.window("window")
    anchor = eot.text("follow_up_from", default="last dose")
    if anchor not in (None, *FOLLOW_UP_ANCHORS):
        eot.error("follow_up_from", "unknown anchor", anchor,
                  hint=f"use one of {', '.join(repr(a) for a in FOLLOW_UP_ANCHORS)}")
    else:
        f["follow_up_from"] = anchor
    f["eot_late_after_days"] = eot.integer("late_after_days", minimum=1, maximum=3650,
                                           default=28)
    eot.finish()
    return {"assessment": asm, "continuation": cont, "eot": eot}


def _read_follow_up(root: _Table, f: dict[str, Any], errors: list[ProtocolError],
                    source: str) -> None:
    """``[[follow_up]]``: each after the EOT, in ascending order of days."""
    root.seen.add("follow_up")
    eot_days = f["eot_days_after_last_dose"]
    follow_up: list[FollowUpVisit] = []
    fu_raw = root.data.get("follow_up", [])
    if not isinstance(fu_raw, list):
        root.error("follow_up", "must be an array of tables ([[follow_up]])", fu_raw)
        fu_raw = []
    for i, raw in enumerate(fu_raw):
        t = _Table(raw, f"follow_up[{i}]", errors, source)
        if not isinstance(raw, dict):
            t.error("", "must be a table", raw)
            continue
        v = t.text("visit")
        n = t.integer("days_after_last_dose", minimum=1, maximum=3650)
        w = t.window("window")
        t.finish()
        if v and n and w:
            if eot_days and n <= eot_days:
                t.error("days_after_last_dose", f"must come after the EOT (eot.days_after_last_dose "
                        f"= {eot_days}): a follow-up visit never falls on or before the EOT", n)
            elif follow_up and n <= follow_up[-1].days_after_last_dose:
                t.error("days_after_last_dose", "follow-up visits must be in ascending order of "
                        f"days (the one before is {follow_up[-1].days_after_last_dose})", n)
            follow_up.append(FollowUpVisit(visit=v, days_after_last_dose=n, window=w))
    f["follow_up"] = tuple(follow_up)


def _read_rest(root: _Table, f: dict[str, Any], errors: list[ProtocolError], source: str) -> None:
    """Procedures, enrolment (stagger), the participants' wording and the disease scores."""
    pr = root.table("procedures")
    f["procedures"] = Procedures(**{
        name: pr.str_list(name, default=[]) or ()
        for name in ("first_dose", "induction_dose", "continuation_dose", "assessment",
                     "review", "eot", "follow_up")
    })
    pr.finish()
    root.seen.add("enrolment")
    en = _Table(root.data.get("enrolment", {}), "enrolment", errors, source)
    f["stagger_days"] = en.integer("stagger_days", minimum=0, maximum=365, default=0) or 0
    en.finish()
    f["participant"] = (_participant(root, f["procedures"]) if "participant" in root.data
                        else None)
    root.seen.add("participant")
    f["intervention"] = _intervention(root) if "intervention" in root.data else None
    root.seen.add("screening")
    sc = _Table(root.data.get("screening", {}), "screening", errors, source)
    f["screening_days"] = sc.integer("days", minimum=1, maximum=366, default=28) or 28
    sc.finish()
    ds = root.table("disease_scores")
    scores: list[tuple[str, str]] = []
    for k, _ in list(ds.items()):
        score = ds.text(k)
        if score:
            scores.append((k, score))
    f["disease_scores"] = tuple(scores)


def _check_consistency(root: _Table, f: dict[str, Any], tables: dict[str, _Table]) -> None:
    """Values that are each fine but do not fit together (named at the key to change)."""
    names = [n for n in [f["assessment_visit"], f["eot_visit"], *(v.visit for v in f["follow_up"])]
             if n]
    for name in names:
        if re.fullmatch(r"W\d+D\d", name) or name.startswith("REV-W"):
            root.error("", f"visit name {name!r} collides with the dose (W<w>D<d>) or review "
                       "(REV-W<w>) naming", name, hint="choose another visit name")
    for name in sorted({n for n in names if names.count(n) > 1}):
        root.error("follow_up", "visit names must be unique", name)
    weeks, ind_weeks = f["max_treatment_weeks"], f["induction_weeks"]
    if weeks is not None and ind_weeks is not None and weeks < ind_weeks:
        tables["dosing"].error("max_treatment_weeks", f"cap shorter than the induction "
                               f"({ind_weeks} weeks)", weeks,
                               hint="the cap must cover the whole induction")
    _check_windows(f, tables)
    ind_reg = {r.code: r for r in f["regimens"]}.get(f["induction_regimen"] or "")
    day = f["assessment_day"]
    if ind_reg and ind_weeks and day is not None:
        last_ind = 7 * (ind_weeks - 1) + ind_reg.days_in_week[-1]
        if day <= last_ind:
            tables["assessment"].error(
                "study_day", f"must come after the last induction dose (day {last_ind})", day)
        if weeks is not None and day > 7 * weeks:
            tables["assessment"].error("study_day", f"must not come after the cap (day {7 * weeks})",
                                       day)


def _check_windows(f: dict[str, Any], tables: dict[str, _Table]) -> None:
    """No dose window as wide as the gap to the next dose; the first dose has no 'before'."""
    ind_reg = {r.code: r for r in f["regimens"]}.get(f["induction_regimen"] or "")
    ind_w, cont_w, first_w = f["induction_window"], f["continuation_window"], f["first_dose_window"]
    if ind_reg and ind_w and ind_w.width >= ind_reg.min_gap_days:
        tables["induction"].error(
            "window", f"window ({ind_w}) is as wide as the {ind_reg.min_gap_days}-day "
            f"gap to the next {ind_reg.code} dose", ind_w.width,
            hint="narrow the window so two dose windows never overlap")
    if cont_w:
        for r in f["regimens"]:
            if cont_w.width >= r.min_gap_days:
                tables["continuation"].error(
                    "window", f"window ({cont_w}) is as wide as the {r.min_gap_days}-day gap "
                    f"between two {r.code} doses", cont_w.width,
                    hint="narrow the window or remove the regimen")
    if ind_w and first_w and first_w.before:
        tables["induction"].error("first_dose_window", "the first dose defines study day 1: "
                                  "'before' must be 0", first_w.before)


def _participant(root: _Table, procedures: Procedures) -> ParticipantWording | None:
    """Read ``[participant]``: every text in every language; every [procedures] item worded."""
    pt = root.table("participant")
    version = pt.text("version")
    version_date = pt.day("version_date", default=None)
    texts: list[tuple[tuple[str, str, str], str]] = []
    n_errors = len(pt.errors)

    def by_language(t: _Table, key: str, section: str, text_key: str) -> None:
        lt = t.table(key)
        for lang in LANGUAGES:
            v = lt.get(lang, "a non-empty string", lambda x: isinstance(x, str) and x.strip() != "",
                       hint=f'e.g. {key} = {{ en = "...", zh-CN = "..." }}')
            if v is not None:
                texts.append(((section, text_key, lang), str(v).strip()))
        lt.finish()

    by_language(pt, "title", "title", "")
    vt = pt.table("visits")
    for kind in VISIT_KINDS:
        by_language(vt, kind, "visits", kind)
    vt.finish()
    prt = pt.table("procedures")
    used = dict.fromkeys(i for items in (procedures.first_dose, procedures.induction_dose,
                                         procedures.continuation_dose, procedures.assessment,
                                         procedures.review, procedures.eot, procedures.follow_up)
                         for i in items)
    for item in used:
        if item not in prt.data:
            prt.seen.add(item)
            prt.error(item, "no lay wording for this procedure",
                      hint=f'add "{item}" = {{ en = "...", zh-CN = "..." }}')
        else:
            by_language(prt, item, "procedures", item)
    for item in prt.data:
        if item not in used:
            prt.seen.add(item)
            prt.error(item, "not an item of [procedures]", prt.data[item],
                      hint="remove it or fix its spelling: the keys are the [procedures] items")
    prt.finish()
    pt.finish()
    if len(pt.errors) > n_errors or version is None:
        return None
    return ParticipantWording(version=version, version_date=version_date, texts=tuple(texts))


_CODE = re.compile(r"C\d{2,7}")


def _intervention(root: _Table) -> Intervention | None:
    """``[intervention]`` and its ``[intervention.dose_levels.<code>]`` tables."""
    t = root.table("intervention")
    f: dict[str, Any] = {k: t.text(k) for k in ("name", "type", "route", "dose_form")}
    for k in ("type_code", "route_code", "dose_form_code"):
        f[k] = t.get(k, "an NCI code (C followed by digits)",
                      lambda x: isinstance(x, str) and _CODE.fullmatch(x) is not None)
    levels: list[DoseLevel] = []
    dl = t.table("dose_levels") if "dose_levels" in t.data else None
    t.seen.add("dose_levels")
    for code, _ in list(dl.items()) if dl is not None else []:
        lt = dl.table(code) if dl is not None else None
        assert lt is not None
        label = lt.text("label")
        amount = lt.get("amount", "a positive number",
                        lambda x: isinstance(x, int | float) and not isinstance(x, bool) and x > 0,
                        default=None)
        unit = lt.text("unit", default=None)
        lt.finish()
        if (amount is None) != (unit is None):
            lt.error("unit" if unit is None else "amount", "amount and unit go together",
                     hint="give both (e.g. amount = 1.0, unit = \"mg/kg\") or neither")
        elif label is not None:
            levels.append(DoseLevel(code=code, label=label,
                                    amount=None if amount is None else float(amount), unit=unit))
    t.finish()
    if any(v is None for v in f.values()):
        return None
    return Intervention(**f, dose_levels=tuple(levels))


def _parse_hhmm(text: str) -> time | None:
    import re

    m = re.fullmatch(r"(\d{2}):(\d{2})", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return time(int(m.group(1)), int(m.group(2)))
