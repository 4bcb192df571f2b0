"""SDTM trial-design (TV, TA, TE, TI, TS) and subject (DM, SV, SE, EX, DS, DV) datasets from a
study's plan, with the define.xml that describes them.

Datasets are plain data (:class:`Dataset`: variables with name, label and type, rows as tuples);
the writers (:mod:`cc312_schedule.cdisc.xport` for SAS transport v5, :mod:`cc312_schedule.cdisc.datasetjson`
for CDISC Dataset-JSON v1.1) turn them into files. Nothing here re-derives a date: every date
and study day comes from the engine's plan (:func:`~cc312_schedule.planning.engine.plan_study`) and the
recorded visits.

Conventions (see docs/data-managers.md):

* ``STUDYID`` is the sponsor protocol id (``CC312-I-003``) unless ``studyid`` is given;
  ``USUBJID`` is ``STUDYID-SUBJID``. ``RFSTDTC`` (study day 1) is the subject's first-dose date.
* Study days: ``--DY = date - RFSTDTC + 1`` on or after day 1, ``date - RFSTDTC`` before it:
  **there is no day 0**.
* ``VISITNUM`` numbers the protocol's visits (TV) 1, 2, ... in the order of their planned study
  day (``VISITDY``); EOT and the follow-ups, dated from the last dose, come last. A visit that
  is not in TV (a dose recorded on a day no regimen doses) is unplanned: ``VISITNUM`` is the
  previous planned number + 0.01 (0.02, ... for more), ``SVPRESP`` null and ``SVUPDES`` says why.
* ``EPOCH`` (EX, DS, DV, SE; SV has none in SDTMIG 3.4): ``SCREENING`` (consent up to the day
  before the first dose), ``TREATMENT`` (doses, the Day 28 assessment, reviews, EOT),
  ``FOLLOW-UP`` (the follow-up visits). SE has an element per continuation regimen, so a switch
  of regimen is a new SE row; each element ends the day before the next starts.
* Missed doses are not EX rows: a missed visit is an SV row with ``SVOCCUR = "N"``, no dates,
  and the visit's note as ``SVREASOC`` (SDTMIG 3.4 represents planned visits that did not
  happen this way).

>>> from cc312_schedule import load_study, example_study_path, plan_study
>>> study = load_study(example_study_path())
>>> ds = to_sdtm(study, plan_study(study))
>>> [d.name for d in ds]
['TV', 'TA', 'TE', 'TI', 'TS', 'DM', 'SV', 'SE', 'EX', 'DS', 'DV']
>>> ex = ds[8]
>>> ex.row_dict(0)["EXDOSFRQ"], ex.row_dict(0)["EXSTDY"], ex.row_dict(0)["EPOCH"]
('2 TIMES PER WEEK', 1, 'TREATMENT')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from ..core.days import StudyDay
from ..core.errors import InvalidStudyError, ProtocolError, UsageError
from ..core.fileio import StagedFiles, cannot_write
from ..core.messages import message
from ..core.model import KIND_ORDER, EventKind, EventStatus, PlannedEvent, StudyPlan, SubjectPlan
from ..core.protocol import Protocol
from ..core.warnings import TransportTextWarning
from ..planning.engine import review_weeks
from ..store.study import SourceRef, Study, Subject
from .datasetjson import to_dataset_json_bytes
from .datasets import Dataset, Variable, continuation_element, element_rules
from .define import to_define_xml
from .domains import to_dm, to_ds, to_dv, to_ts
from .xport import to_xpt, xpt_problems

__all__ = [
    "ARMCD",
    "EPOCHS",
    "Dataset",
    "Variable",
    "VisitDef",
    "planned_visits",
    "study_day",
    "to_sdtm",
    "write_sdtm",
]

ARMCD = "CC312"
ARM = "CC312"
EXTRT = "CC312"
SCREENING_VISIT = "SCR"
EPOCHS = ("SCREENING", "TREATMENT", "FOLLOW-UP")
# VISITNUM follows the package's one order of visit kinds on a shared day (model.KIND_ORDER):
# the assessment or review where the investigator decides, before the dose it may call for.


def _v(name: str, label: str, kind: Literal["text", "date", "integer", "float"] = "text") -> Variable:
    return Variable(name=name, label=label, type="Char" if kind in ("text", "date") else "Num",
                    kind=kind)


def _dataset(name: str, label: str, variables: Sequence[Variable], rows: Iterable[dict[str, Any]],
             keys: Sequence[str], sources: Iterable[dict[str, SourceRef]] | None = None) -> Dataset:
    names = [v.name for v in variables]
    row_tuples = []
    for r in rows:
        unknown = set(r) - set(names)
        assert not unknown, unknown  # a programming error, not bad input
        row_tuples.append(tuple(r.get(n) for n in names))
    return Dataset(name=name, label=label, variables=tuple(variables), rows=tuple(row_tuples),
                   keys=tuple(keys), sources=tuple(sources or ()))


def study_day(day1: date, on: date) -> int:
    """The SDTM study day of ``on`` for ``RFSTDTC = day1``: no day 0.

    >>> study_day(date(2026, 5, 4), date(2026, 5, 4)), study_day(date(2026, 5, 4), date(2026, 5, 3))
    (1, -1)
    """
    return StudyDay.of(day1, on).value


# ---- the protocol's visits (TV) ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitDef:
    """A planned visit of the protocol: a TV row."""

    visitnum: int
    visit: str
    visitdy: int | None  # planned study day; None when dated from the last dose (EOT, FU)
    epoch: str
    start_rule: str
    end_rule: str | None = None


def planned_visits(protocol: Protocol) -> tuple[VisitDef, ...]:
    """Every visit the protocol can plan, numbered in the order of its planned study day.

    Dose visits are every dosing day of any regimen in every week up to the cap; reviews are
    the end of each week after the induction up to the cap; EOT and the follow-ups come last.

    >>> from cc312_schedule import load_protocol
    >>> tv = planned_visits(load_protocol())
    >>> [(v.visitnum, v.visit, v.visitdy) for v in tv[:3]], len(tv)
    ([(1, 'SCR', None), (2, 'W1D1', 1), (3, 'W1D4', 4)], 73)
    >>> [(v.visitnum, v.visit, v.visitdy) for v in tv if v.visit in ("W4D4", "D28", "W5D1", "REV-W8", "EOT")]
    [(9, 'W4D4', 25), (10, 'D28', 28), (11, 'W5D1', 29), (22, 'REV-W8', 56), (70, 'EOT', None)]
    """
    p = protocol
    timed = sorted([*_dose_visits(p), *_decision_visits(p)], key=lambda t: (t[0], t[1]))
    visits = [VisitDef(visitnum=1, visit=SCREENING_VISIT, visitdy=None, epoch="SCREENING",
                       start_rule="Informed consent signed",
                       end_rule="Eligibility confirmed before the first dose")]
    for planned_day, _, name, start, end in timed:
        visits.append(VisitDef(visitnum=len(visits) + 1, visit=name, visitdy=planned_day,
                               epoch="TREATMENT", start_rule=start, end_rule=end))
    ew = p.eot_window
    visits.append(VisitDef(visitnum=len(visits) + 1, visit=p.eot_visit, visitdy=None,
                           epoch="TREATMENT",
                           start_rule=f"Last dose + {p.eot_days_after_last_dose} days (never before "
                           f"a stop decision); window -{ew.before}/+{ew.after} days"))
    for f in p.follow_up:
        visits.append(VisitDef(visitnum=len(visits) + 1, visit=f.visit, visitdy=None,
                               epoch="FOLLOW-UP",
                               start_rule=f"Last dose + {f.days_after_last_dose} days; window "
                               f"-{f.window.before}/+{f.window.after} days"))
    return tuple(visits)


_Timed = tuple[int, int, str, str, str]  # (planned study day, kind order, name, start, end rule)


def _dose_visits(p: Protocol) -> list[_Timed]:
    """A dose visit for each dosing day of any regimen in each week, up to the cap; in the
    induction weeks only the induction's days."""
    cap = p.last_dose_day.value
    days_in_week = sorted({d for r in p.regimens for d in r.days_in_week})
    induction = {d.value for d in p.induction_days}
    timed: list[_Timed] = []
    for week in range(1, p.max_treatment_weeks + 1):
        for d in days_in_week:
            day = StudyDay.of_week(week, d)
            if day.value > cap or (week <= p.induction_weeks and day.value not in induction):
                continue
            if day.value == 1:
                w = p.first_dose_window
                rule = "First dose of CC312: defines study day 1"
            elif week <= p.induction_weeks:
                w = p.induction_window
                rule = f"Induction {p.induction_regimen} dose on study day {day.value}"
            else:
                w = p.continuation_window
                rule = (f"Continuation dose on study day {day.value}, when the subject's "
                        "regimen doses that day")
            timed.append((day.value, KIND_ORDER[EventKind.DOSE], day.visit_name,
                          f"{rule}; window -{w.before}/+{w.after} days", "End of dosing visit"))
    return timed


def _decision_visits(p: Protocol) -> list[_Timed]:
    """The continuation assessment, and a review at the end of each week after the induction."""
    aw = p.assessment_window
    timed: list[_Timed] = [
        (p.assessment_day.value, KIND_ORDER[EventKind.ASSESSMENT], p.assessment_visit,
         f"Continuation assessment on study day {p.assessment_day.value}; window "
         f"-{aw.before}/+{aw.after} days", "Investigator's continuation decision")]
    rw = p.review_window
    for week in review_weeks(p):  # only reviews the engine can plan: none on the cap day
        timed.append((7 * week, KIND_ORDER[EventKind.REVIEW], f"REV-W{week}",
                      f"Review (decision due) at the end of week {week} of a continuation; "
                      f"window -{rw.before}/+{rw.after} days", "Investigator's decision"))
    return timed


def _epoch_of(kind: EventKind) -> str:
    return "FOLLOW-UP" if kind is EventKind.FOLLOW_UP else "TREATMENT"


# ---- building the datasets ------------------------------------------------------------------

TV_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("VISITNUM", "Visit Number", "float"), _v("VISIT", "Visit Name"),
           _v("VISITDY", "Planned Study Day of Visit", "integer"),
           _v("ARMCD", "Planned Arm Code"), _v("TVSTRL", "Visit Start Rule"),
           _v("TVENRL", "Visit End Rule"))
TA_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("ARMCD", "Planned Arm Code"), _v("ARM", "Description of Planned Arm"),
           _v("TAETORD", "Planned Order of Element within Arm", "integer"),
           _v("ETCD", "Element Code"), _v("ELEMENT", "Description of Element"),
           _v("TABRANCH", "Branch"), _v("TATRANS", "Transition Rule"), _v("EPOCH", "Epoch"))
TE_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("ETCD", "Element Code"), _v("ELEMENT", "Description of Element"),
           _v("TESTRL", "Rule for Start of Element"), _v("TEENRL", "Rule for End of Element"),
           _v("TEDUR", "Planned Duration of Element"))
TI_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("IETESTCD", "Incl/Excl Criterion Short Name"),
           _v("IETEST", "Inclusion/Exclusion Criterion"),
           _v("IECAT", "Inclusion/Exclusion Category"), _v("TIVERS", "Protocol Criteria Versions"))
# SDTMIG 3.4 SV order (SV has no EPOCH in 3.4: the visit's epoch is in SE and in each
# observation of the visit)
SV_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("VISITNUM", "Visit Number", "float"),
           _v("VISIT", "Visit Name"), _v("SVPRESP", "Pre-specified"), _v("SVOCCUR", "Occurrence"),
           _v("SVREASOC", "Reason for Occur Value"),
           _v("VISITDY", "Planned Study Day of Visit", "integer"),
           _v("SVSTDTC", "Start Date/Time of Observation", "date"),
           _v("SVENDTC", "End Date/Time of Observation", "date"),
           _v("SVSTDY", "Study Day of Start of Observation", "integer"),
           _v("SVENDY", "Study Day of End of Observation", "integer"),
           _v("SVUPDES", "Description of Unplanned Visit"))
SE_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("SESEQ", "Sequence Number", "integer"),
           _v("ETCD", "Element Code"), _v("ELEMENT", "Description of Element"),
           _v("TAETORD", "Planned Order of Element within Arm", "integer"), _v("EPOCH", "Epoch"),
           _v("SESTDTC", "Start Date/Time of Element", "date"),
           _v("SEENDTC", "End Date/Time of Element", "date"),
           _v("SESTDY", "Study Day of Start of Element", "integer"),
           _v("SEENDY", "Study Day of End of Element", "integer"))
# SDTMIG 3.4 EX order: topic and qualifiers, then the timing variables
EX_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("EXSEQ", "Sequence Number", "integer"),
           _v("EXTRT", "Name of Treatment"), _v("EXDOSE", "Dose", "float"),
           _v("EXDOSTXT", "Dose Description"), _v("EXDOSU", "Dose Units"),
           _v("EXDOSFRM", "Dose Form"), _v("EXDOSFRQ", "Dosing Frequency per Interval"),
           _v("EXROUTE", "Route of Administration"),
           _v("VISITNUM", "Visit Number", "float"), _v("VISIT", "Visit Name"), _v("EPOCH", "Epoch"),
           _v("EXSTDTC", "Start Date/Time of Treatment", "date"),
           _v("EXENDTC", "End Date/Time of Treatment", "date"),
           _v("EXSTDY", "Study Day of Start of Treatment", "integer"),
           _v("EXENDY", "Study Day of End of Treatment", "integer"))


def element_table(p: Protocol) -> list[tuple[str, str, str, str, str, str | None]]:
    """(ETCD, ELEMENT, EPOCH, start rule, end rule, TEDUR) of the trial's elements."""
    rules = element_rules(p)

    def epoch(code: str) -> str:
        return {"SCRN": "SCREENING", "FU": "FOLLOW-UP"}.get(code, "TREATMENT")

    def duration(code: str) -> str | None:
        return {"SCRN": None, "IND": f"P{p.induction_weeks}W"}.get(code)

    return [(code, name, epoch(code), start, end, duration(code))
            for code, name, start, end in rules]


def to_sdtm(study: Study, plan: StudyPlan, *, studyid: str | None = None) -> tuple[Dataset, ...]:
    """The datasets TV, TA, TE, TI, TS, DM, SV, SE, EX, DS and DV (in that order) for ``study``
    and its plan."""
    p = study.protocol
    sid = studyid if studyid is not None else p.protocol_id
    arg = SourceRef(path="--studyid" if studyid is not None else p.source)
    tv = planned_visits(p)
    elements = element_table(p)
    by_name = {v.visit: v for v in tv}
    visitnum = {(sp.subject.subject_id, visit): n for sp in plan
                for visit, n in _visit_numbers(sp, by_name).items()}
    sv, se, ex = _subject_datasets(study, plan, tv, elements, sid, arg)
    return (*_trial_design(p, tv, elements, sid, arg), to_ts(study, sid),
            to_dm(study, plan, sid), sv, se, ex, to_ds(study, plan, sid),
            to_dv(study, plan, sid, visitnum))


def _trial_design(p: Protocol, tv: tuple[VisitDef, ...],
                  elements: list[tuple[str, str, str, str, str, str | None]], sid: str,
                  arg: SourceRef) -> tuple[Dataset, Dataset, Dataset, Dataset]:
    """TV, TA, TE and TI: from the protocol alone (every value's source is the protocol file,
    but ``STUDYID``'s, which is ``--studyid`` when given)."""
    proto = SourceRef(path=p.source)

    def design(name: str, label: str, variables: Sequence[Variable],
               rows: list[dict[str, Any]], keys: Sequence[str]) -> Dataset:
        return _dataset(name, label, variables,
                        [{"STUDYID": sid, "DOMAIN": name, **r} for r in rows], keys,
                        [{"STUDYID": arg, "*": proto} for _ in rows])

    tv_ds = design("TV", "Trial Visits", TV_VARS, [
        {"VISITNUM": float(v.visitnum), "VISIT": v.visit, "VISITDY": v.visitdy, "ARMCD": None,
         "TVSTRL": v.start_rule, "TVENRL": v.end_rule} for v in tv], ("VISITNUM",))
    order = {code: i for i, (code, *_) in enumerate(elements, start=1)}
    conts = [code for code, *_ in elements[2:-1]]
    cont_orders = f"{order[conts[0]]}..{order[conts[-1]]}" if conts else "-"
    fu = order[elements[-1][0]]
    trans = {"IND": f"If the investigator continues after Day {p.assessment_day.value}, go to the "
                    f"chosen regimen's element (TAETORD {cont_orders}); otherwise to TAETORD {fu}"}
    for code in conts:
        trans[code] = (f"On a switch of regimen, go to the new regimen's element; at the end of "
                       f"treatment (stop, or no dose left before study day "
                       f"{p.last_dose_day.value}), go to TAETORD {fu}")
    ta_ds = design("TA", "Trial Arms", TA_VARS, [
        {"ARMCD": ARMCD, "ARM": ARM, "TAETORD": i, "ETCD": code, "ELEMENT": name,
         "TABRANCH": None, "TATRANS": trans.get(code), "EPOCH": epoch}
        for i, (code, name, epoch, _, _, _) in enumerate(elements, start=1)], ("ARMCD", "TAETORD"))
    te_ds = design("TE", "Trial Elements", TE_VARS, [
        {"ETCD": code, "ELEMENT": name, "TESTRL": start, "TEENRL": end, "TEDUR": dur}
        for code, name, _, start, end, dur in elements], ("ETCD",))
    ti_ds = design("TI", "Trial Inclusion/Exclusion Criteria", TI_VARS, [
        {"IETESTCD": "INCL01", "IETEST": f"Aged {p.age_min_years} to {p.age_max_years} years "
         "inclusive on the date the informed consent is signed", "IECAT": "INCLUSION",
         "TIVERS": str(p.schema_version)}], ("IETESTCD",))
    return tv_ds, ta_ds, te_ds, ti_ds


_Rows = tuple[list[dict[str, Any]], list[dict[str, SourceRef]]]  # rows and their sources


def _subject_datasets(study: Study, plan: StudyPlan, tv: tuple[VisitDef, ...],
                      elements: list[tuple[str, str, str, str, str, str | None]], sid: str,
                      arg: SourceRef) -> tuple[Dataset, Dataset, Dataset]:
    """SV, SE and EX: each subject's rows, keyed by ``USUBJID``, in the plan's subject order."""
    p = study.protocol
    by_name = {v.visit: v for v in tv}
    recorded = {(v.subject_id, v.visit): v.source for v in study.visits}
    rows: dict[str, list[dict[str, Any]]] = {"SV": [], "SE": [], "EX": []}
    srcs: dict[str, list[dict[str, SourceRef]]] = {"SV": [], "SE": [], "EX": []}
    for sp in plan:
        usubjid = f"{sid}-{sp.subject.subject_id}"
        subj_src = {"USUBJID": sp.subject.source, "STUDYID": arg}
        parts = {"SV": _sv_rows(p, sp, by_name, recorded), "SE": _se_part(p, sp, elements),
                 "EX": _ex_rows(p, sp, by_name, recorded)}
        for domain, (part_rows, part_srcs) in parts.items():
            for r, s in zip(part_rows, part_srcs, strict=True):
                rows[domain].append({"STUDYID": sid, "DOMAIN": domain, "USUBJID": usubjid, **r})
                srcs[domain].append({**subj_src, **s})
    return (_dataset("SV", "Subject Visits", SV_VARS, rows["SV"],
                     ("STUDYID", "USUBJID", "VISITNUM"), srcs["SV"]),
            _dataset("SE", "Subject Elements", SE_VARS, rows["SE"],
                     ("STUDYID", "USUBJID", "SESEQ"), srcs["SE"]),
            _dataset("EX", "Exposure", EX_VARS, rows["EX"], ("STUDYID", "USUBJID", "EXSEQ"),
                     srcs["EX"]))


def _se_part(p: Protocol, sp: SubjectPlan,
             elements: list[tuple[str, str, str, str, str, str | None]]) -> _Rows:
    """The subject's SE rows numbered by ``SESEQ``; each row's source is the subject's."""
    rows = [{"SESEQ": seq, **r} for seq, r in enumerate(_se_rows(p, sp, elements), start=1)]
    return rows, [{"*": sp.subject.source} for _ in rows]


def _ex_rows(p: Protocol, sp: SubjectPlan, by_name: dict[str, VisitDef],
             recorded: dict[tuple[str, str], SourceRef]) -> _Rows:
    """One EX row per dose done, in the order of its date (missed doses are SV rows only)."""
    subject = sp.subject
    doses = [e for e in sp.events if e.kind is EventKind.DOSE and e.status is EventStatus.DONE
             and e.actual_date is not None]
    doses.sort(key=lambda e: (e.actual_date, e.study_day))
    numbers = _visit_numbers(sp, by_name)
    dose = ex_dose(p, subject)
    rows: list[dict[str, Any]] = []
    srcs: list[dict[str, SourceRef]] = []
    for seq, e in enumerate(doses, start=1):
        assert e.actual_date is not None
        dy = study_day(subject.first_dose_date, e.actual_date)
        rows.append({
            "EXSEQ": seq, "EXTRT": EXTRT, **dose, "EXDOSFRQ": _frequency(p, e),
            "EXSTDTC": e.actual_date.isoformat(), "EXENDTC": e.actual_date.isoformat(),
            "EXSTDY": dy, "EXENDY": dy, "EPOCH": "TREATMENT",
            "VISITNUM": numbers[e.visit], "VISIT": e.visit})
        srcs.append({"*": recorded.get((subject.subject_id, e.visit), subject.source)})
    return rows, srcs


def ex_dose(p: Protocol, subject: Subject) -> dict[str, Any]:
    """EXDOSE, EXDOSTXT, EXDOSU, EXDOSFRM and EXROUTE of the subject's doses: the amount and unit
    of the subject's dose level when the protocol states them (``[intervention.dose_levels]``),
    else the level's code in EXDOSTXT (never a guessed amount).

    >>> from cc312_schedule import load_protocol
    >>> from cc312_schedule.core.domain import Subject
    >>> s = Subject(subject_id="001", cohort="1", dose_level="DL1", first_dose_date=date(2026, 5, 4))
    >>> ex_dose(load_protocol(), s)
    {'EXDOSE': None, 'EXDOSTXT': 'DL1', 'EXDOSU': None, 'EXDOSFRM': 'INJECTION, SOLUTION', 'EXROUTE': 'INTRAVENOUS'}
    """
    iv = p.intervention
    level = iv.dose_level(subject.dose_level) if iv is not None else None
    if level is not None and level.amount is not None:
        amount: dict[str, Any] = {"EXDOSE": level.amount, "EXDOSTXT": None, "EXDOSU": level.unit}
    else:
        amount = {"EXDOSE": None, "EXDOSTXT": subject.dose_level or None, "EXDOSU": None}
    return {**amount, "EXDOSFRM": iv.dose_form if iv else None,
            "EXROUTE": iv.route if iv else None}


def _frequency(p: Protocol, e: PlannedEvent) -> str | None:
    """EXDOSFRQ: the CDISC Frequency (C71113) submission value of the dose's regimen."""
    if e.regimen is None:
        return None
    try:
        value = p.regimen(e.regimen).cdisc_frequency
    except KeyError:
        return None
    if not value:
        raise ProtocolError("the regimen has no CDISC frequency term, needed for SDTM EX.EXDOSFRQ",
                            path=p.source, key=f"regimens.{e.regimen}.cdisc_frequency",
                            hint='add the CDISC Frequency (C71113) submission value, e.g. '
                            'cdisc_frequency = "EVERY WEEK"')
    return value


def _visit_numbers(sp: SubjectPlan, by_name: dict[str, VisitDef]) -> dict[str, float]:
    """VISITNUM of each of the subject's visits: TV's, or previous planned + 0.01 (unplanned)."""
    numbers: dict[str, float] = {}
    extra: dict[int, int] = {}
    ordered = sorted(sp.events, key=lambda e: (e.date, e.study_day))
    last_planned = 1  # SCR
    for e in ordered:
        v = by_name.get(e.visit)
        if v is not None:
            numbers[e.visit] = float(v.visitnum)
            last_planned = max(last_planned, v.visitnum)
            continue
        base = max([last_planned, *(d.visitnum for d in by_name.values()
                                    if d.visitdy is not None and d.visitdy <= e.study_day.value)])
        extra[base] = extra.get(base, 0) + 1
        numbers[e.visit] = round(base + extra[base] / 100, 2)
    return numbers


def _sv_rows(p: Protocol, sp: SubjectPlan, by_name: dict[str, VisitDef],
             recorded: dict[tuple[str, str], SourceRef]
             ) -> tuple[list[dict[str, Any]], list[dict[str, SourceRef]]]:
    subject = sp.subject
    day1 = subject.first_dose_date
    rows: list[dict[str, Any]] = []
    srcs: list[dict[str, SourceRef]] = []
    if subject.consent_date is not None:
        dy = study_day(day1, subject.consent_date)
        rows.append({"VISITNUM": 1.0, "VISIT": SCREENING_VISIT, "VISITDY": None, "SVPRESP": "Y",
                     "SVOCCUR": "Y", "SVREASOC": None,
                     "SVSTDTC": subject.consent_date.isoformat(),
                     "SVENDTC": subject.consent_date.isoformat(), "SVSTDY": dy, "SVENDY": dy,
                     "SVUPDES": None})
        srcs.append({"*": subject.source})
    numbers = _visit_numbers(sp, by_name)
    for e in sp.events:
        if e.status not in (EventStatus.DONE, EventStatus.MISSED):
            continue
        v = by_name.get(e.visit)
        done = e.status is EventStatus.DONE and e.actual_date is not None
        dtc = e.actual_date.isoformat() if done and e.actual_date else None
        sdy = study_day(day1, e.actual_date) if done and e.actual_date else None
        row = {"VISITNUM": numbers[e.visit], "VISIT": e.visit,
               "VISITDY": v.visitdy if v is not None else None,
               "SVPRESP": "Y" if v is not None else None,
               "SVOCCUR": "Y" if done else "N",
               "SVREASOC": None if done else (e.note or None),
               "SVSTDTC": dtc, "SVENDTC": dtc, "SVSTDY": sdy,
               "SVENDY": sdy, "SVUPDES": None}
        if v is None:
            row["SVUPDES"] = (f"{e.visit} ({e.kind.value}) recorded on a day the protocol's "
                              "schedule has no such visit" + (f": {e.note}" if e.note else ""))
        rows.append(row)
        srcs.append({"*": recorded.get((subject.subject_id, e.visit), subject.source)})
    order = sorted(range(len(rows)), key=lambda i: rows[i]["VISITNUM"])
    return [rows[i] for i in order], [srcs[i] for i in order]


def _se_rows(p: Protocol, sp: SubjectPlan,
             elements: list[tuple[str, str, str, str, str, str | None]]) -> list[dict[str, Any]]:
    """The elements the subject actually passed through, from the recorded visits: screening from
    the consent, the induction from the first dose, a continuation element from the first dose of
    each run of one regimen (a switch starts a new element), follow-up from EOT. Each element ends
    the day before the next one starts (dates have no time: the first dose is never on the
    boundary of two epochs); the last ends with the last follow-up, or the withdrawal."""
    subject: Subject = sp.subject
    day1 = subject.first_dose_date
    done = {e.visit: e.actual_date for e in sp.events
            if e.status is EventStatus.DONE and e.actual_date is not None}
    last_induction = max(d.value for d in p.induction_days)
    order = {code: i for i, (code, *_) in enumerate(elements, start=1)}
    first_dose = done.get(p.induction_days[0].visit_name)
    starts: list[tuple[str, date]] = []  # (ETCD, start date)
    if subject.consent_date is not None:
        starts.append(("SCRN", subject.consent_date))
    if first_dose is not None:
        starts.append(("IND", first_dose))
    cont = sorted((e.actual_date, e.regimen) for e in sp.events if e.kind is EventKind.DOSE
                  and e.status is EventStatus.DONE and e.actual_date is not None
                  and e.study_day.value > last_induction)
    for on, regimen in cont:
        code = continuation_element(regimen) if regimen else None
        if code in order and (not starts or starts[-1][0] != code):
            starts.append((code, on))
    eot = done.get(p.eot_visit)
    if eot is not None:
        starts.append(("FU", eot))
    fus = [done.get(f.visit) for f in p.follow_up]
    final: date | None = None
    if eot is not None and fus and all(fus):
        final = max(d for d in fus if d is not None)
    elif subject.withdrawn_on is not None:
        final = subject.withdrawn_on
    rows = []
    for i, (code, start) in enumerate(starts):
        end = (max(start, starts[i + 1][1] - timedelta(days=1)) if i + 1 < len(starts)
               else final)
        _, name, epoch, *_ = elements[order[code] - 1]
        rows.append({"ETCD": code, "ELEMENT": name, "TAETORD": order[code], "EPOCH": epoch,
                     "SESTDTC": start.isoformat(), "SEENDTC": end.isoformat() if end else None,
                     "SESTDY": study_day(day1, start),
                     "SEENDY": study_day(day1, end) if end else None})
    return rows


_NAME = re.compile(r"[A-Z][A-Z0-9]{0,7}")


def check_metadata(ds: Dataset) -> None:
    """Our own metadata must fit SAS transport v5 (a programming error otherwise)."""
    assert _NAME.fullmatch(ds.name) and len(ds.label) <= 40, ds.name
    for v in ds.variables:
        assert _NAME.fullmatch(v.name) and len(v.label) <= 40, (ds.name, v.name, v.label)


# ---- writing a folder of datasets -----------------------------------------------------------

FORMATS = ("xpt", "json")


# Free-text variables whose non-ASCII values (Chinese notes, rationales) the transport file holds
# as a placeholder naming the Dataset-JSON file with the text, when that file is written too.
FREE_TEXT = frozenset({"SVREASOC", "SVUPDES", "DSTERM", "DVTERM", "TSVAL", "TVSTRL", "TVENRL",
                       "TESTRL", "TEENRL", "TATRANS", "IETEST"})


@dataclass(frozen=True, slots=True, kw_only=True)
class TransportSubstitute:
    """A value the transport (XPT) file holds as ``placeholder``; the text is in ``json_file``."""

    dataset: str
    variable: str
    value: str
    placeholder: str
    json_file: str
    source: SourceRef

    def describe(self, lang: str = "en") -> str:
        """What went where, in ``lang`` (the catalogue's ``sdtm.transport_text``).

        >>> TransportSubstitute(dataset="SV", variable="SVREASOC", value="发热",
        ...     placeholder=placeholder("SV"), json_file="sv.json",
        ...     source=SourceRef(path="visits.csv", line=55)).describe()
        "visits.csv:55: SV.SVREASOC: '发热' is in sv.json; sv.xpt holds '[non-ASCII text: see sv.json]' (SAS transport v5 holds ASCII only)"
        """
        return message(lang, "sdtm.transport_text", where=str(self.source), dataset=self.dataset,
                       variable=self.variable, value=self.value, json_file=self.json_file,
                       xpt_file=f"{self.dataset.lower()}.xpt", placeholder=self.placeholder)


def placeholder(ds_name: str) -> str:
    """The ASCII text an XPT file holds instead of a non-ASCII free text of dataset ``ds_name``.

    >>> placeholder("SV")
    '[non-ASCII text: see sv.json]'
    """
    return f"[non-ASCII text: see {ds_name.lower()}.json]"


def transport_copy(ds: Dataset) -> tuple[Dataset, tuple[TransportSubstitute, ...]]:
    """``ds`` with every non-ASCII value of a :data:`FREE_TEXT` variable replaced by
    :func:`placeholder`, and the list of what was replaced (nothing is dropped silently)."""
    subs: list[TransportSubstitute] = []
    rows = []
    js = [j for j, v in enumerate(ds.variables) if v.name in FREE_TEXT]
    for i, row in enumerate(ds.rows):
        new = list(row)
        for j in js:
            value = row[j]
            if isinstance(value, str) and not value.isascii():
                new[j] = placeholder(ds.name)
                subs.append(TransportSubstitute(
                    dataset=ds.name, variable=ds.variables[j].name, value=value,
                    placeholder=new[j], json_file=f"{ds.name.lower()}.json",
                    source=ds.source_of(i, ds.variables[j].name)))
        rows.append(tuple(new))
    if not subs:
        return ds, ()
    return replace(ds, rows=tuple(rows)), tuple(subs)


def write_sdtm(study: Study, plan: StudyPlan, folder: str | Path, *,
               formats: Sequence[str] = FORMATS, studyid: str | None = None,
               generated_at: datetime) -> tuple[Path, ...]:
    """Write every dataset as ``<name>.xpt`` (SAS transport v5) and/or ``<name>.json``
    (Dataset-JSON v1.1), and ``define.xml`` (Define-XML 2.1) describing them, into ``folder``,
    all or nothing; return the paths written.

    A non-ASCII free text (a Chinese note; see :data:`FREE_TEXT`) cannot go into a transport v5
    file: when the Dataset-JSON files are written too (``both``, the default), the XPT holds
    :func:`placeholder` and the text is in the JSON file; each such value is announced as a
    :class:`~cc312_schedule.core.warnings.TransportTextWarning` saying what went where. Every
    other value that does not fit the transport format (or any non-ASCII value with ``xpt``
    alone) is a problem: they are raised together as an
    :class:`~cc312_schedule.core.errors.InvalidStudyError`, each with its file, line and variable,
    before anything is written. The files are first written under temporary names in
    ``folder``, then renamed as a set.
    """

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError("unknown format", key="--format", value=unknown[0],
                         hint="use xpt, json or both")
    if studyid is not None and not studyid.strip():
        raise UsageError("the study id must not be empty", key="--studyid", value=studyid)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError("the output is not a folder", key="-o", value=str(target),
                         hint="give a folder (it is created if missing)")
    datasets = to_sdtm(study, plan, studyid=studyid)
    sid = studyid if studyid is not None else study.protocol.protocol_id
    transport: dict[str, Dataset] = {}
    substitutes: list[TransportSubstitute] = []
    if "xpt" in formats:
        problems, seen = [], set()
        for ds in datasets:
            xds, subs = transport_copy(ds) if "json" in formats else (ds, ())
            transport[ds.name] = xds
            substitutes.extend(subs)
            for e in xpt_problems(xds):
                variable = (e.key or "").rpartition(".")[2]  # once per value, not per dataset
                if (e.location, variable, e.message, repr(e.value)) not in seen:
                    seen.add((e.location, variable, e.message, repr(e.value)))
                    problems.append(e)
        if problems:
            raise InvalidStudyError(problems)
    files: dict[str, bytes] = {}
    for ds in datasets:
        check_metadata(ds)
        if "xpt" in formats:
            files[f"{ds.name.lower()}.xpt"] = to_xpt(transport[ds.name], generated_at=generated_at)
        if "json" in formats:
            files[f"{ds.name.lower()}.json"] = to_dataset_json_bytes(
                ds, study_oid=sid, generated_at=generated_at)
    ext = "xpt" if "xpt" in formats else "json"
    files["define.xml"] = to_define_xml(
        datasets, study_oid=sid, study_name=study.protocol.title, generated_at=generated_at,
        files={ds.name: f"{ds.name.lower()}.{ext}" for ds in datasets})
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder: {exc.strerror}", key="-o",
                         value=str(target)) from None
    paths = _write_set(target, files)
    for sub in substitutes:  # the warning carries what went where, to be said in any language
        note = TransportTextWarning(sub.describe())
        note.substitute = sub  # type: ignore[attr-defined]
        warnings.warn(note, stacklevel=2)
    return paths


def _write_set(folder: Path, files: dict[str, bytes]) -> tuple[Path, ...]:
    """Every dataset file renamed into place together (nothing half): the package's one writer."""
    try:
        with StagedFiles() as staged:
            for name, data in files.items():
                staged.stage(folder / name, [data])
            return staged.commit()
    except OSError as exc:
        raise cannot_write(exc, key="-o", value=str(folder)) from None
