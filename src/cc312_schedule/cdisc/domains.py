"""SDTM DM (demographics), TS (trial summary), DS (disposition) and DV (protocol deviations).

Built from the study (``subjects.csv``, ``decisions.csv``, the recorded visits), the engine's plan
and the registry record (:mod:`cc312_schedule.cdisc.record`); :mod:`cc312_schedule.cdisc.sdtm`
assembles them with the other datasets. Conventions (docs/data-managers.md):

* **DM**: ``RFSTDTC`` is study day 1 (``first_dose_date``); ``RFXSTDTC``/``RFXENDTC`` the first
  and last dose given; ``RFENDTC``/``RFPENDTC`` the last date of participation (the last visit
  done, or the withdrawal); ``AGE`` in years on the consent date (the record's rule); a subject
  without a dose has no ``ACTARMCD`` and ``ARMNRS = "ASSIGNED, NOT TREATED"``.
* **DS**: informed consent (a protocol milestone), then the disposition of the study treatment
  (a stop decision: ``PHYSICIAN DECISION`` with the investigator's rationale as ``DSTERM``;
  treatment over at the cap or at the end of a decided duration, EOT done: ``COMPLETED``) and of
  the study (``COMPLETED`` when every follow-up is done; ``WITHDRAWAL BY SUBJECT`` on
  ``withdrawn_on``; a withdrawal from treatment is the treatment's disposition instead).
* **DV**: a visit done outside its window (the engine's ``WindowDeviationWarning``): one row.

>>> from cc312_schedule import load_study, example_study_path, plan_study
>>> study = load_study(example_study_path())
>>> dm = to_dm(study, plan_study(study), "CC312-I-003")
>>> {k: dm.row_dict(0)[k] for k in ("USUBJID", "RFSTDTC", "RFICDTC", "AGE", "SEX", "COUNTRY")}
{'USUBJID': 'CC312-I-003-001', 'RFSTDTC': '2026-05-04', 'RFICDTC': '2026-04-13', 'AGE': 38, 'SEX': 'F', 'COUNTRY': 'CHN'}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from ..core.days import StudyDay
from ..core.domain import Action, SourceRef, Study, Subject, Withdrawal
from ..core.model import EventKind, EventStatus, StudyPlan, SubjectPlan
from . import record
from .datasets import Dataset, Variable

__all__ = ["COUNTRY", "SITEID", "to_dm", "to_ds", "to_dv", "to_ts"]

COUNTRY = "CHN"  # [record] "Countries: China" (ISO 3166-1 alpha-3, CDISC COUNTRY)
SITEID = "01"  # [record] one site, "Deyang People's Hospital": the project numbers it 01
ARMCD = ARM = "CC312"
CT_VERSION = "2026-03-27"  # the SDTM CT package the codes below are taken from (usdm4's cache)


def _v(name: str, label: str, kind: Literal["text", "date", "integer", "float"] = "text") -> Variable:
    return Variable(name=name, label=label, type="Char" if kind in ("text", "date") else "Num",
                    kind=kind)


def _dataset(name: str, label: str, variables: Sequence[Variable], rows: Iterable[dict[str, Any]],
             keys: Sequence[str], sources: Iterable[dict[str, SourceRef]]) -> Dataset:
    names = [v.name for v in variables]
    row_tuples = []
    for r in rows:
        assert not set(r) - set(names), set(r) - set(names)  # a programming error
        row_tuples.append(tuple(r.get(n) for n in names))
    return Dataset(name=name, label=label, variables=tuple(variables), rows=tuple(row_tuples),
                   keys=tuple(keys), sources=tuple(sources))


def _dy(day1: date, on: date) -> int:
    return StudyDay.of(day1, on).value


def _age(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (29 Feb birthdays reach a year on 28 Feb)."""
    years: int = relativedelta(on, born).years
    return years


# ---- DM ----------------------------------------------------------------------------------

DM_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("SUBJID", "Subject Identifier for the Study"),
           _v("RFSTDTC", "Subject Reference Start Date/Time", "date"),
           _v("RFENDTC", "Subject Reference End Date/Time", "date"),
           _v("RFXSTDTC", "Date/Time of First Study Treatment", "date"),
           _v("RFXENDTC", "Date/Time of Last Study Treatment", "date"),
           _v("RFICDTC", "Date/Time of Informed Consent", "date"),
           _v("RFPENDTC", "Date/Time of End of Participation", "date"),
           _v("SITEID", "Study Site Identifier"), _v("BRTHDTC", "Date/Time of Birth", "date"),
           _v("AGE", "Age", "integer"), _v("AGEU", "Age Units"), _v("SEX", "Sex"),
           _v("ARMCD", "Planned Arm Code"), _v("ARM", "Description of Planned Arm"),
           _v("ACTARMCD", "Actual Arm Code"), _v("ACTARM", "Description of Actual Arm"),
           _v("ARMNRS", "Reason Arm and/or Actual Arm is Null"), _v("COUNTRY", "Country"))


def _done(sp: SubjectPlan) -> list[tuple[date, str, EventKind]]:
    return sorted((e.actual_date, e.visit, e.kind) for e in sp.events
                  if e.status is EventStatus.DONE and e.actual_date is not None)


def to_dm(study: Study, plan: StudyPlan, sid: str) -> Dataset:
    """One row per subject, in the plan's order."""
    rows, srcs = [], []
    for sp in plan:
        s: Subject = sp.subject
        done = _done(sp)
        doses = [d for d, _, k in done if k is EventKind.DOSE]
        end = max([d for d, _, _ in done] + ([s.withdrawn_on] if s.withdrawn_on else []),
                  default=None)
        age = _age(s.date_of_birth, s.consent_date) if s.date_of_birth and s.consent_date else None
        treated = bool(doses)
        rows.append({
            "STUDYID": sid, "DOMAIN": "DM", "USUBJID": f"{sid}-{s.subject_id}",
            "SUBJID": s.subject_id, "RFSTDTC": s.first_dose_date.isoformat(),
            "RFENDTC": end.isoformat() if end else None,
            "RFXSTDTC": doses[0].isoformat() if doses else None,
            "RFXENDTC": doses[-1].isoformat() if doses else None,
            "RFICDTC": s.consent_date.isoformat() if s.consent_date else None,
            "RFPENDTC": end.isoformat() if end else None, "SITEID": SITEID,
            "BRTHDTC": s.date_of_birth.isoformat() if s.date_of_birth else None,
            "AGE": age, "AGEU": "YEARS" if age is not None else None,
            "SEX": s.sex if s.sex in ("F", "M") else ("U" if s.sex else None),
            "ARMCD": ARMCD, "ARM": ARM, "ACTARMCD": ARMCD if treated else None,
            "ACTARM": ARM if treated else None,
            "ARMNRS": None if treated else "ASSIGNED, NOT TREATED", "COUNTRY": COUNTRY})
        srcs.append({"*": s.source})
    return _dataset("DM", "Demographics", DM_VARS, rows, ("STUDYID", "USUBJID"), srcs)


# ---- TS ----------------------------------------------------------------------------------

TS_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("TSSEQ", "Sequence Number", "integer"), _v("TSPARMCD", "Trial Summary Parameter Short Name"),
           _v("TSPARM", "Trial Summary Parameter"), _v("TSVAL", "Parameter Value"),
           _v("TSVALCD", "Parameter Value Code"), _v("TSVCDREF", "Name of the Reference Terminology"),
           _v("TSVCDVER", "Version of the Reference Terminology"))


def to_ts(study: Study, sid: str) -> Dataset:
    """The trial summary: the registry record's facts and the protocol's (one row per value)."""
    p = study.protocol
    ct = ("CDISC CT", CT_VERSION)
    iso = ("ISO 8601", None)
    params: list[tuple[str, str, str, str | None, tuple[str, str | None] | None]] = [
        ("TITLE", "Trial Title", p.title, None, None),
        ("REGID", "Registry Identifier", p.registry_id, p.registry_id, ("ClinicalTrials.gov", None)),
        ("SPONSOR", "Clinical Study Sponsor", p.sponsor, None, None),
        ("TPHASE", "Trial Phase Classification", record.PHASE[0], record.PHASE[1], ct),
        ("STYPE", "Study Type", "INTERVENTIONAL", "C98388", ct),
        ("INTMODEL", "Intervention Model", "SINGLE GROUP", "C82640", ct),
        ("TBLIND", "Trial Blinding Schema", record.BLINDING[0], record.BLINDING[1], ct),
        ("RANDOM", "Trial is Randomized", "N", "C49487", ct),
        ("TCNTRL", "Control Type", "NONE", "C41132", ct),
        ("TINDTP", "Trial Intent Type", "TREATMENT", "C49656", ct),
        ("TTYPE", "Trial Type", "SAFETY", "C49667", ct),
        ("TTYPE", "Trial Type", "PHARMACOKINETIC", "C49663", ct),
        ("TTYPE", "Trial Type", "EFFICACY", "C49666", ct),
        ("NARMS", "Planned Number of Arms", "1", None, None),
        ("PLANSUB", "Planned Number of Subjects", str(record.ENROLMENT), None, None),
        ("AGEMIN", "Planned Minimum Age of Subjects", f"P{p.age_min_years}Y", None, iso),
        ("AGEMAX", "Planned Maximum Age of Subjects", f"P{p.age_max_years}Y", None, iso),
        ("SEXPOP", "Sex of Participants", "BOTH", "C49636", ct),
        ("HLTSUBJI", "Healthy Subject Indicator", "N", "C49487", ct),
        ("SSTDTC", "Study Start Date", p.start_date.isoformat(), None, iso),
        ("FCNTRY", "Planned Country of Investigational Sites", COUNTRY, None, ("ISO 3166", None)),
        ("TRT", "Investigational Therapy or Treatment", "CC312", None, None),
        ("DOSFRQ", "Dosing Frequency", p.induction.cdisc_frequency or p.induction_regimen,
         p.induction.nci_code, ct),
        ("TDIGRP", "Diagnosis Group", "Relapsed or refractory autoimmune disease", None, None),
    ]
    for code, name in record.CONDITIONS:
        params.append(("INDIC", "Trial Disease/Condition Indication", f"{name} ({code})", None, None))
    iv = p.intervention
    if iv is not None:
        params.append(("INTTYPE", "Intervention Type", iv.type, iv.type_code, ct))
        params.append(("ROUTE", "Route of Administration", iv.route, iv.route_code, ct))
        params.append(("DOSFRM", "Dose Form", iv.dose_form, iv.dose_form_code, ct))
    for level, (objective_level, text, _) in zip(("OBJPRIM", "OBJSEC", "OBJEXP"), record.OBJECTIVES,
                                                  strict=True):
        name = {"OBJPRIM": "Trial Primary Objective", "OBJSEC": "Trial Secondary Objective",
                "OBJEXP": "Trial Exploratory Objective"}[level]
        assert objective_level in name.lower()
        params.append((level, name, text, None, None))
    rows: list[dict[str, Any]] = []
    seq: dict[str, int] = {}
    for code, name, value, value_code, ref in params:
        seq[code] = seq.get(code, 0) + 1
        rows.append({"STUDYID": sid, "DOMAIN": "TS", "TSSEQ": seq[code], "TSPARMCD": code,
                     "TSPARM": name, "TSVAL": value, "TSVALCD": value_code,
                     "TSVCDREF": ref[0] if ref else None, "TSVCDVER": ref[1] if ref else None})
    src = SourceRef(path=p.source)
    return _dataset("TS", "Trial Summary", TS_VARS, rows, ("STUDYID", "TSPARMCD", "TSSEQ"),
                    [{"*": src} for _ in rows])


# ---- DS ----------------------------------------------------------------------------------

DS_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("DSSEQ", "Sequence Number", "integer"),
           _v("DSTERM", "Reported Term for the Disposition Event"),
           _v("DSDECOD", "Standardized Disposition Term"), _v("DSCAT", "Category for Disposition Event"),
           _v("DSSCAT", "Subcategory for Disposition Event"), _v("EPOCH", "Epoch"),
           _v("DSSTDTC", "Start Date/Time of Disposition Event", "date"),
           _v("DSSTDY", "Study Day of Start of Disposition Event", "integer"))


def to_ds(study: Study, plan: StudyPlan, sid: str) -> Dataset:
    """Consent, the treatment's disposition and the study's, per subject in date order."""
    p = study.protocol
    rows: list[dict[str, Any]] = []
    srcs: list[dict[str, SourceRef]] = []
    for sp in plan:
        s = sp.subject
        events: list[tuple[date, dict[str, Any], SourceRef]] = []
        if s.consent_date is not None:
            events.append((s.consent_date, {
                "DSTERM": "INFORMED CONSENT OBTAINED", "DSDECOD": "INFORMED CONSENT OBTAINED",
                "DSCAT": "PROTOCOL MILESTONE", "DSSCAT": None, "EPOCH": "SCREENING"}, s.source))
        done = {visit: on for on, visit, _ in _done(sp)}
        stop = next((d for d in study.decisions_of(s.subject_id) if d.action is Action.STOP), None)
        from_treatment = s.withdrawn_on is not None and s.withdrawal is Withdrawal.TREATMENT
        if stop is not None:
            events.append((stop.decided_on, {
                "DSTERM": stop.rationale or "Investigator stopped the study treatment",
                "DSDECOD": "PHYSICIAN DECISION", "DSCAT": "DISPOSITION EVENT",
                "DSSCAT": "STUDY TREATMENT", "EPOCH": "TREATMENT"}, stop.source))
        elif from_treatment:  # the participant stopped the treatment, stays for follow-up
            assert s.withdrawn_on is not None
            events.append((s.withdrawn_on, {
                "DSTERM": "Withdrawal from study treatment", "DSDECOD": "WITHDRAWAL BY SUBJECT",
                "DSCAT": "DISPOSITION EVENT", "DSSCAT": "STUDY TREATMENT",
                "EPOCH": _epoch_on(sp, s.withdrawn_on)}, s.source))
        elif p.eot_visit in done and (s.withdrawn_on is None or done[p.eot_visit] < s.withdrawn_on):
            last_dose = max((e.actual_date for e in sp.events if e.kind is EventKind.DOSE
                             and e.status is EventStatus.DONE and e.actual_date), default=None)
            if last_dose is not None:
                events.append((last_dose, {
                    "DSTERM": "Study treatment completed (cap or decided duration reached)",
                    "DSDECOD": "COMPLETED", "DSCAT": "DISPOSITION EVENT",
                    "DSSCAT": "STUDY TREATMENT", "EPOCH": "TREATMENT"}, s.source))
        fus = [done.get(f.visit) for f in p.follow_up]
        if s.withdrawn_on is not None and not from_treatment:
            events.append((s.withdrawn_on, {
                "DSTERM": "Withdrawal of consent", "DSDECOD": "WITHDRAWAL BY SUBJECT",
                "DSCAT": "DISPOSITION EVENT", "DSSCAT": "STUDY PARTICIPATION",
                "EPOCH": _epoch_on(sp, s.withdrawn_on)}, s.source))
        elif fus and all(fus):
            last = max(d for d in fus if d is not None)
            events.append((last, {
                "DSTERM": "Completed the study (last follow-up visit done)",
                "DSDECOD": "COMPLETED", "DSCAT": "DISPOSITION EVENT",
                "DSSCAT": "STUDY PARTICIPATION", "EPOCH": "FOLLOW-UP"}, s.source))
        events.sort(key=lambda t: t[0])
        for seq, (on, values, src) in enumerate(events, start=1):
            rows.append({"STUDYID": sid, "DOMAIN": "DS", "USUBJID": f"{sid}-{s.subject_id}",
                         "DSSEQ": seq, **values, "DSSTDTC": on.isoformat(),
                         "DSSTDY": _dy(s.first_dose_date, on)})
            srcs.append({"*": src})
    return _dataset("DS", "Disposition", DS_VARS, rows, ("STUDYID", "USUBJID", "DSSEQ"), srcs)


def _epoch_on(sp: SubjectPlan, on: date) -> str:
    """The epoch a date falls in: before the first dose screening; after EOT follow-up."""
    if on < sp.subject.first_dose_date:
        return "SCREENING"
    eot = next((e.actual_date for e in sp.events if e.kind is EventKind.EOT
                and e.status is EventStatus.DONE and e.actual_date), None)
    return "FOLLOW-UP" if eot is not None and on >= eot else "TREATMENT"


# ---- DV ----------------------------------------------------------------------------------

DV_VARS = (_v("STUDYID", "Study Identifier"), _v("DOMAIN", "Domain Abbreviation"),
           _v("USUBJID", "Unique Subject Identifier"), _v("DVSEQ", "Sequence Number", "integer"),
           _v("DVTERM", "Protocol Deviation Term"), _v("DVDECOD", "Protocol Deviation Coded Term"),
           _v("DVCAT", "Category for Protocol Deviation"), _v("VISITNUM", "Visit Number", "float"),
           _v("VISIT", "Visit Name"), _v("EPOCH", "Epoch"),
           _v("DVSTDTC", "Start Date/Time of Deviation", "date"),
           _v("DVSTDY", "Study Day of Start of Deviation", "integer"))


def to_dv(study: Study, plan: StudyPlan, sid: str, visitnum: dict[tuple[str, str], float]) -> Dataset:
    """A visit done outside its window, one row each (the visit's VISITNUM from SV)."""
    recorded = {(v.subject_id, v.visit): v.source for v in study.visits}
    rows: list[dict[str, Any]] = []
    srcs: list[dict[str, SourceRef]] = []
    for sp in plan:
        s = sp.subject
        late = sorted((e for e in sp.events if e.deviation and e.status is EventStatus.DONE
                       and e.actual_date is not None), key=lambda e: (e.actual_date, e.visit))
        for seq, e in enumerate(late, start=1):
            assert e.actual_date is not None
            dose = e.kind is EventKind.DOSE
            rows.append({
                "STUDYID": sid, "DOMAIN": "DV", "USUBJID": f"{sid}-{s.subject_id}", "DVSEQ": seq,
                "DVTERM": f"{e.visit} {'dose given' if dose else 'visit done'} on "
                f"{e.actual_date.isoformat()}, outside its window {e.window_start.isoformat()} to "
                f"{e.window_end.isoformat()}",
                "DVDECOD": "DOSE OUTSIDE WINDOW" if dose else "VISIT OUTSIDE WINDOW",
                "DVCAT": "STUDY TREATMENT" if dose else "VISIT SCHEDULE",
                "VISITNUM": visitnum.get((s.subject_id, e.visit)), "VISIT": e.visit,
                "EPOCH": "FOLLOW-UP" if e.kind is EventKind.FOLLOW_UP else "TREATMENT",
                "DVSTDTC": e.actual_date.isoformat(), "DVSTDY": _dy(s.first_dose_date, e.actual_date)})
            srcs.append({"*": recorded.get((s.subject_id, e.visit), s.source)})
    return _dataset("DV", "Protocol Deviations", DV_VARS, rows, ("STUDYID", "USUBJID", "DVSEQ"), srcs)
