"""The protocol's schedule of activities as a CDISC USDM v4.0 study definition (JSON).

Built from the protocol TOML (:class:`~cc312_schedule.core.protocol.Protocol`), never by hand: the
induction days, windows, assessment day, regimens, cap, EOT and follow-up visits and the
procedures all come from ``templates/cc312.toml``. The document is the USDM "Wrapper"
(``usdmVersion`` "4.0.0") of the DDF USDM API (cdisc-org/DDF-RA ``Deliverables/API/USDM_API.json``);
the tests validate it against that schema and check the CORE timeline rules.

How the schedule is modelled (one main ``ScheduleTimeline`` plus one sub-timeline per regimen):

* ``SCR`` (screening) -> ``W1D1``, the **Fixed Reference** anchor (study day 1, value ``P1D``,
  no window) -> the other induction doses and the Day 28 assessment, each timed ``After`` the
  anchor by (study day - 1) days, with the protocol's window as ``windowLower``/``windowUpper``;
* ``DEC`` (a ``ScheduledDecisionInstance``): the investigator's decision after Day 28, and again
  after each continuation cycle. Each regimen is a condition leading to ``CONT-<code>``, whose
  ``timelineId`` is that regimen's sub-timeline (one dosing cycle: ``D1`` anchor, then the other
  dosing days of the week); a review condition leads to ``REV``; both come back to ``DEC``, so
  the continuation loops while the cap allows (the condition texts name study day 168). The
  default (stop, or the cap reached) is ``EOT``;
* ``EOT`` -> ``FU1`` ... -> the exit. The follow-ups are timed ``After`` EOT (the protocol dates
  both from the last dose, which is not one fixed instance of the timeline).

>>> from cc312_schedule import load_protocol
>>> doc = to_usdm(load_protocol())
>>> doc["usdmVersion"], doc["study"]["versions"][0]["studyIdentifiers"][0]["text"]
('4.0.0', 'NCT07193810')
>>> main = doc["study"]["versions"][0]["studyDesigns"][0]["scheduleTimelines"][0]
>>> [t["value"] for t in main["timings"]][:10]
['P1D', 'P3D', 'P7D', 'P10D', 'P14D', 'P17D', 'P21D', 'P24D', 'P27D', 'P21D']
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..core.fileio import write_atomic
from ..core.protocol import Protocol, Regimen
from ..core.version import VERSION
from .datasets import element_rules

__all__ = ["USDM_VERSION", "to_usdm", "to_usdm_json", "write_usdm"]

USDM_VERSION = "4.0.0"
CDISC = "http://www.cdisc.org"
# The version of CDISC Controlled Terminology the codes below are taken from: the one the
# USDM v4.0 release examples (DDF-RA Documents/Examples) use; "Official Study Title" C207616
# is the code CT gives it after the examples' placeholder "C99905x2".
CT_VERSION = "2024-09-27"

Json = dict[str, Any]


class _Builder:
    """Makes USDM objects with deterministic ids: ``<instanceType>_<n>`` in creation order."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = defaultdict(int)

    def obj(self, kind: str, **fields: Any) -> Json:
        self._counts[kind] += 1
        return {"id": f"{kind}_{self._counts[kind]}", "extensionAttributes": [], **fields,
                "instanceType": kind}

    def code(self, code: str, decode: str) -> Json:
        return self.obj("Code", code=code, codeSystem=CDISC, codeSystemVersion=CT_VERSION,
                        decode=decode)

    def alias(self, code: str, decode: str) -> Json:
        return self.obj("AliasCode", standardCode=self.code(code, decode), standardCodeAliases=[])

    def quantity(self, value: float, unit: tuple[str, str] | None = None) -> Json:
        return self.obj("Quantity", value=value, unit=self.alias(*unit) if unit else None)


def _days(n: int) -> str:
    """An ISO 8601 duration of ``n`` days (``n`` >= 0): ``P27D``."""
    if n < 0:
        raise ValueError(f"a USDM duration is never negative: {n} days")
    return f"P{n}D"


def _window_label(before: int, after: int) -> str:
    return f"-{before}..+{after} days"


class _Schedule:
    """The schedule's visits: each a ``ScheduledActivityInstance`` with its own ``Encounter``,
    doing some of the ``activities``; timings relate one instance to another."""

    def __init__(self, b: _Builder, activities: dict[str, Json]) -> None:
        self.b = b
        self.activities = activities
        self.encounters: list[Json] = []

    def ids(self, *items: str) -> list[str]:
        return [self.activities[n]["id"] for n in items]

    def encounter(self, name: str, label: str, description: str) -> str:
        b = self.b
        e = b.obj("Encounter", name=name, label=label, description=description,
                  type=b.code("C25716", "Visit"), previousId=None, nextId=None, scheduledAtId=None,
                  environmentalSettings=[b.code("C51282", "Clinic")],
                  contactModes=[b.code("C175574", "In Person")], transitionStartRule=None,
                  transitionEndRule=None, notes=[])
        self.encounters.append(e)
        return str(e["id"])

    def visit(self, name: str, label: str, description: str, epoch: str,
              activity_ids: list[str]) -> Json:
        return self.b.obj("ScheduledActivityInstance", name=name, label=label,
                          description=description, defaultConditionId=None, epochId=epoch,
                          timelineId=None, timelineExitId=None, activityIds=activity_ids,
                          encounterId=self.encounter(name, label, description))

    def timing(self, name: str, label: str, inst: Json, anchor: Json, kind: str, value: str,
               value_label: str, window: tuple[int, int] | None) -> Json:
        b = self.b
        type_code = {"After": "C201356", "Before": "C201357", "Fixed Reference": "C201358"}[kind]
        lo, hi = (None, None) if window is None else (_days(window[0]), _days(window[1]))
        return b.obj("Timing", name=name, label=label, description=None,
                     type=b.code(type_code, kind), value=value, valueLabel=value_label,
                     relativeToFrom=b.code("C201355", "Start to Start"),
                     relativeFromScheduledInstanceId=inst["id"],
                     relativeToScheduledInstanceId=anchor["id"],
                     windowLower=lo, windowUpper=hi,
                     windowLabel=None if window is None else _window_label(*window))


def _chain(instances: list[Json]) -> None:
    """Each instance leads to the next by default."""
    for a, nxt in zip(instances, instances[1:], strict=False):
        a["defaultConditionId"] = nxt["id"]


def _link(items: list[Json]) -> None:
    """``previousId``/``nextId`` of an ordered list of objects."""
    for a, nxt in zip(items, items[1:], strict=False):
        a["nextId"], nxt["previousId"] = nxt["id"], a["id"]


def to_usdm(protocol: Protocol) -> Json:
    """The protocol as a USDM v4.0 ``Wrapper`` document (a dict ready for ``json.dumps``).

    Every object's id counts its kind in creation order, so the parts are built in a fixed
    order: organisations, eligibility, design structure, activities, the timelines.
    """
    b = _Builder()
    p = protocol
    registry, sponsor = _organisations(b, p)
    identifiers = [b.obj("StudyIdentifier", text=p.registry_id, scopeId=registry["id"]),
                   b.obj("StudyIdentifier", text=p.protocol_id, scopeId=sponsor["id"])]
    titles = [b.obj("StudyTitle", text=p.title, type=b.code("C207616", "Official Study Title"))]
    age_item, age_criterion, population = _eligibility(b, p)
    arm = _arm(b, p)
    epochs = _epochs(b)
    elements = _elements(b, p)
    cells = _cells(b, arm, epochs, elements)
    s = _Schedule(b, _activities(b, p))
    epoch_ids = tuple(str(e["id"]) for e in epochs)
    sub_timelines = [_cycle_timeline(s, p, r, epoch_ids[1]) for r in p.regimens]
    main = _main_timeline(s, p, epoch_ids, sub_timelines)
    design = b.obj(
        "InterventionalStudyDesign", name="CC312 design", label="Single-group, open-label, MAD",
        description="Open-label multiple ascending dose study of CC312, single group",
        studyType=b.code("C98388", "Interventional Study"), studyPhase=None,
        therapeuticAreas=[], characteristics=[], encounters=s.encounters,
        activities=list(s.activities.values()), arms=[arm], studyCells=cells,
        rationale="Safety, tolerability, PK and B-cell depletion of CC312 in autoimmune disease",
        epochs=epochs, elements=elements, estimands=[], indications=[], studyInterventionIds=[],
        objectives=[], population=population, scheduleTimelines=[main, *sub_timelines],
        biospecimenRetentions=[], documentVersionIds=[], eligibilityCriteria=[age_criterion],
        analysisPopulations=[], notes=[], subTypes=[],
        model=b.code("C82640", "Single Group Study"), intentTypes=[], blindingSchema=None)
    version = b.obj(
        "StudyVersion", versionIdentifier=str(p.schema_version),
        rationale=f"Schedule of activities of {p.protocol_id}, generated from the protocol "
        "template by cc312-schedule",
        documentVersionIds=[], dateValues=[], amendments=[], businessTherapeuticAreas=[],
        studyIdentifiers=identifiers, referenceIdentifiers=[], studyDesigns=[design],
        titles=titles, eligibilityCriterionItems=[age_item], narrativeContentItems=[],
        abbreviations=[], roles=[], organizations=[registry, sponsor], studyInterventions=[],
        administrableProducts=[], medicalDevices=[], productOrganizationRoles=[],
        biomedicalConcepts=[], bcCategories=[], bcSurrogates=[], dictionaries=[], conditions=[],
        notes=[])
    study = b.obj("Study", name=p.protocol_id, description=p.title, label=p.title,
                  versions=[version], documentedBy=[])
    return {"study": study, "usdmVersion": USDM_VERSION, "systemName": "cc312-schedule",
            "systemVersion": VERSION}


# ---- study, eligibility, design structure -------------------------------------------------


def _organisations(b: _Builder, p: Protocol) -> tuple[Json, Json]:
    """The registry and the sponsor: the scopes of the study's two identifiers."""
    registry = b.obj("Organization", name="CT-GOV", label="ClinicalTrials.gov",
                     type=b.code("C93453", "Study Registry"), identifierScheme="USGOV",
                     identifier="CT-GOV", legalAddress=None, managedSites=[])
    sponsor = b.obj("Organization", name=p.sponsor, label=p.sponsor,
                    type=b.code("C70793", "Clinical Study Sponsor"), identifierScheme="SPONSOR",
                    identifier=p.sponsor, legalAddress=None, managedSites=[])
    return registry, sponsor


def _eligibility(b: _Builder, p: Protocol) -> tuple[Json, Json, Json]:
    """The criteria the template holds (the age range): item, criterion and population."""
    age_item = b.obj("EligibilityCriterionItem", name="IN01", label="Age", description=None,
                     text=f"Aged {p.age_min_years} to {p.age_max_years} years inclusive on the "
                     "date the informed consent is signed.", dictionaryId=None, notes=[])
    age_criterion = b.obj("EligibilityCriterion", name="IN01", label="Age", description=None,
                          category=b.code("C25532", "Inclusion Criteria"), identifier="01",
                          criterionItemId=age_item["id"], nextId=None, previousId=None, notes=[])
    population = b.obj(
        "StudyDesignPopulation", name="POP1", label="Study population",
        description="Adults with relapsed/refractory SLE, IIM or SSc",
        includesHealthySubjects=False, plannedEnrollmentNumber=None,
        plannedCompletionNumber=None, plannedSex=[b.code("C49636", "Both")],
        criterionIds=[age_criterion["id"]],
        plannedAge=b.obj("Range", minValue=b.quantity(float(p.age_min_years), ("C29848", "Year")),
                         maxValue=b.quantity(float(p.age_max_years), ("C29848", "Year")),
                         isApproximate=False),
        notes=[], cohorts=[])
    return age_item, age_criterion, population


def _arm(b: _Builder, p: Protocol) -> Json:
    return b.obj("StudyArm", name="CC312", label="CC312",
                 description=f"CC312 {p.induction_regimen} for {p.induction_weeks} weeks, then as "
                 f"the investigator decides, no dose after study day {p.last_dose_day.value}",
                 type=b.code("C174266", "Investigational Arm"),
                 dataOriginDescription="Data collected from subjects",
                 dataOriginType=b.code("C188866", "Data Generated Within Study"),
                 populationIds=[], notes=[])


def _epochs(b: _Builder) -> list[Json]:
    """Screening, treatment and follow-up, linked in that order."""
    epoch_defs = [("SCREENING", "Screening", "C202487", "Screening Epoch"),
                  ("TREATMENT", "Treatment", "C101526", "Treatment Epoch"),
                  ("FOLLOW-UP", "Follow-up", "C202578", "Follow-Up Epoch")]
    epochs = [b.obj("StudyEpoch", name=name, label=label, description=f"{label} epoch",
                    type=b.code(c, d), previousId=None, nextId=None, notes=[])
              for name, label, c, d in epoch_defs]
    _link(epochs)
    return epochs


def _elements(b: _Builder, p: Protocol) -> list[Json]:
    """The trial elements (shared with SDTM TE: :func:`~cc312_schedule.cdisc.datasets.element_rules`)."""

    def rule(name: str, text: str) -> Json:
        return b.obj("TransitionRule", name=name, label=None, description=None, text=text)

    elements = []
    for i, (name, label, start, end) in enumerate(element_rules(p), start=1):
        elements.append(b.obj("StudyElement", name=name, label=label, description=label,
                              transitionStartRule=rule(f"ELEMENT_START_RULE_{i}", start),
                              transitionEndRule=rule(f"ELEMENT_END_RULE_{i}", end),
                              studyInterventionIds=[], notes=[]))
    return elements


def _cells(b: _Builder, arm: Json, epochs: list[Json], elements: list[Json]) -> list[Json]:
    """The arm's cells: screening, treatment (induction and continuation), follow-up."""
    scr_epoch, trt_epoch, fu_epoch = (e["id"] for e in epochs)
    return [b.obj("StudyCell", armId=arm["id"], epochId=scr_epoch, elementIds=[elements[0]["id"]]),
            b.obj("StudyCell", armId=arm["id"], epochId=trt_epoch,
                  elementIds=[elements[1]["id"], elements[2]["id"]]),
            b.obj("StudyCell", armId=arm["id"], epochId=fu_epoch, elementIds=[elements[3]["id"]])]


def _activities(b: _Builder, p: Protocol) -> dict[str, Json]:
    """The procedures, plus consent and the dose itself, by name, linked in order."""
    pr = p.procedures
    names: list[str] = ["informed consent", "eligibility check", "CC312 administration"]
    for items in (pr.first_dose, pr.induction_dose, pr.continuation_dose, pr.assessment,
                  pr.review, pr.eot, pr.follow_up, ("investigator's continuation decision",)):
        names.extend(n for n in items if n not in names)
    activities = {n: b.obj("Activity", name=n, label=n,
                           description=_activity_description(p, n), previousId=None,
                           nextId=None, childIds=[], definedProcedures=[],
                           biomedicalConceptIds=[], bcCategoryIds=[], bcSurrogateIds=[],
                           timelineId=None, notes=[])
                  for n in names}
    _link(list(activities.values()))
    return activities


def _activity_description(p: Protocol, name: str) -> str:
    if name == "disease activity score":
        return "The score of the subject's disease: " + ", ".join(
            f"{score} for {disease}" for disease, score in p.disease_scores)
    return name


# ---- the timelines --------------------------------------------------------------------------


def _cycle_timeline(s: _Schedule, p: Protocol, r: Regimen, epoch: str) -> Json:
    """One dosing cycle of ``r``: the first dosing day is the anchor, the others ``After`` it."""
    w = p.continuation_window
    activity_ids = s.ids("CC312 administration", *p.procedures.continuation_dose)
    instances = [s.visit(f"{r.code}-D{d}", f"{r.code} cycle, day {d} of the dosing week",
                         f"CC312 {r.cdisc_frequency or r.label} dose", epoch, list(activity_ids))
                 for d in r.days_in_week]
    first = r.days_in_week[0]
    timings = [s.timing(f"TIM_{r.code}_D{first}", "Cycle day 1", instances[0], instances[0],
                        "Fixed Reference", "P1D", "Cycle day 1", None)]
    for inst, d in zip(instances[1:], r.days_in_week[1:], strict=True):
        timings.append(s.timing(f"TIM_{r.code}_D{d}", f"Cycle day {d - first + 1}", inst,
                                instances[0], "After", _days(d - first),
                                f"Cycle day {d - first + 1}", (w.before, w.after)))
    exit_ = s.b.obj("ScheduleTimelineExit")
    _chain(instances)
    instances[-1]["timelineExitId"] = exit_["id"]
    return s.b.obj("ScheduleTimeline", name=f"Continuation {r.code}",
                   label=f"One {7 * r.every_weeks}-day cycle of {r.code}",
                   description=f"{r.label}: {r.cdisc_frequency or r.code} "
                   f"({r.nci_code or 'no code'}); each dose window -{w.before}/+{w.after} days "
                   "(the anchor itself is the planned day of the cycle's first dose)",
                   mainTimeline=False, entryCondition=f"The investigator continues with {r.code}",
                   entryId=instances[0]["id"], exits=[exit_], timings=timings,
                   instances=instances, plannedDuration=None)


def _main_timeline(s: _Schedule, p: Protocol, epoch_ids: tuple[str, ...],
                   sub_timelines: list[Json]) -> Json:
    """Screening -> induction -> assessment -> the decision loop -> EOT -> follow-up -> exit."""
    b = s.b
    scr_epoch, trt_epoch, fu_epoch = epoch_ids
    cap, aday = p.last_dose_day.value, p.assessment_day.value
    scr, doses, assessment, timings = _induction(s, p, scr_epoch, trt_epoch)
    decision, review, continuations = _decision(s, p, trt_epoch, sub_timelines)
    eot, fus, fu_timings = _end_of_treatment(s, p, trt_epoch, fu_epoch)
    decision["defaultConditionId"] = eot["id"]  # stop, or the cap reached
    exit_ = b.obj("ScheduleTimelineExit")
    _chain([scr, *doses, assessment])
    assessment["defaultConditionId"] = decision["id"]
    _chain([eot, *fus])
    (fus[-1] if fus else eot)["timelineExitId"] = exit_["id"]
    last_fu = max([f.days_after_last_dose for f in p.follow_up] or [p.eot_days_after_last_dose])
    return b.obj(
        "ScheduleTimeline", name="Main Timeline", label="CC312 schedule of activities",
        description=f"Screening, {p.induction_weeks}-week {p.induction_regimen} induction, the "
        f"Day {aday} assessment, continuation as the investigator decides (no dose after study "
        f"day {cap}), end of treatment and follow-up",
        mainTimeline=True, entryCondition="Informed consent signed", entryId=scr["id"],
        exits=[exit_], timings=[*timings, *fu_timings],
        instances=[scr, *doses, assessment, decision, review, *continuations, eot, *fus],
        plannedDuration=b.obj(
            "Duration", text=f"Up to {p.max_treatment_weeks} weeks of treatment (no dose after "
            f"study day {cap}), then follow-up until the last dose + {last_fu} days",
            quantity=None, durationWillVary=True,
            reasonDurationWillVary="Continuation, dosing frequency and treatment duration after "
            f"Day {aday} are decided per subject by the investigator, up to {p.max_treatment_weeks} "
            "weeks"),
    )


def _induction(s: _Schedule, p: Protocol, scr_epoch: str, trt_epoch: str
               ) -> tuple[Json, list[Json], Json, list[Json]]:
    """Screening, the induction doses and the assessment, with their timings: W1D1 is the
    ``Fixed Reference`` anchor, the others ``After`` it by (study day - 1) days."""
    pr = p.procedures
    scr = s.visit("SCR", "Screening", "Informed consent and eligibility (age on the consent date)",
                  scr_epoch, s.ids("informed consent", "eligibility check"))
    doses: list[Json] = []
    timings: list[Json] = []
    for n, day in enumerate(p.induction_days, start=1):
        first = n == 1
        inst = s.visit(day.visit_name, f"Induction dose {n} ({day.visit_name})",
                       f"CC312 {p.induction_regimen} induction dose {n}, study day {day.value}",
                       trt_epoch, s.ids("CC312 administration",
                                        *(pr.first_dose if first else pr.induction_dose)))
        doses.append(inst)
    anchor = doses[0]
    timings.append(s.timing("TIM_W1D1", "Day 1 (first dose)", anchor, anchor, "Fixed Reference",
                            "P1D", "Day 1", None))
    for inst, day in zip(doses[1:], p.induction_days[1:], strict=True):
        w = p.induction_window
        timings.append(s.timing(f"TIM_{day.visit_name}", f"Study day {day.value}", inst, anchor,
                                "After", _days(day.value - 1), f"Day {day.value}",
                                (w.before, w.after)))
    aday = p.assessment_day.value
    assessment = s.visit(p.assessment_visit, f"Day {aday} continuation assessment",
                         f"Assessment on study day {aday}; the investigator's decision is taken "
                         f"on or after this day, never earlier", trt_epoch, s.ids(*pr.assessment))
    aw = p.assessment_window
    timings.append(s.timing(f"TIM_{p.assessment_visit}", f"Study day {aday}", assessment, anchor,
                            "After", _days(aday - 1), f"Day {aday}", (aw.before, aw.after)))
    return scr, doses, assessment, timings


def _decision(s: _Schedule, p: Protocol, trt_epoch: str, sub_timelines: list[Json]
              ) -> tuple[Json, Json, list[Json]]:
    """The investigator's decision: a condition per regimen leading to its continuation cycle
    (the sub-timeline), one leading to the review; all come back to the decision."""
    b = s.b
    cap, aday = p.last_dose_day.value, p.assessment_day.value
    decision = b.obj("ScheduledDecisionInstance", name="DEC",
                     label="Investigator's continuation decision",
                     description=f"After the Day {aday} assessment, and after each continuation "
                     f"cycle: continue (regimen, duration), review, or stop. No dose after study "
                     f"day {cap} ({p.max_treatment_weeks} weeks).",
                     defaultConditionId=None, epochId=trt_epoch, conditionAssignments=[])
    continuations = []
    for r, tl in zip(p.regimens, sub_timelines, strict=True):
        cont = b.obj("ScheduledActivityInstance", name=f"CONT-{r.code}",
                     label=f"Continuation cycle {r.code}",
                     description=f"One {7 * r.every_weeks}-day cycle of {r.label} "
                     f"({r.cdisc_frequency or r.code})", defaultConditionId=decision["id"],
                     epochId=trt_epoch, timelineId=tl["id"], timelineExitId=None,
                     activityIds=[], encounterId=None)
        continuations.append(cont)
        decision["conditionAssignments"].append(b.obj(
            "ConditionAssignment",
            condition=f"The investigator continues (or has continued) with {r.code} "
            f"({r.cdisc_frequency or r.label}) and the cycle's first dose falls on or before "
            f"study day {cap}",
            conditionTargetId=cont["id"]))
    review = s.visit("REV", "Review (decision due)",
                     f"Every {p.review_every_weeks} weeks of a continuation, counted from the start "
                     "of the week of the regimen's first dose, and at the end of a continuation "
                     "given for a set time", trt_epoch,
                     s.ids(*p.procedures.review, "investigator's continuation decision"))
    review["defaultConditionId"] = decision["id"]
    decision["conditionAssignments"].insert(0, b.obj(
        "ConditionAssignment",
        condition=f"A review is due ({p.review_every_weeks} weeks into the continuation, or its "
        "set time has ended)",
        conditionTargetId=review["id"]))
    return decision, review, continuations


def _end_of_treatment(s: _Schedule, p: Protocol, trt_epoch: str, fu_epoch: str
                      ) -> tuple[Json, list[Json], list[Json]]:
    """EOT, the follow-ups and their timings: each follow-up ``After`` EOT (the protocol dates
    both from the last dose, which is not one fixed instance of the timeline)."""
    eot = s.visit(p.eot_visit, "End of treatment",
                  f"Last dose + {p.eot_days_after_last_dose} days (actual last dose if recorded), "
                  "never before a stop decision", trt_epoch, s.ids(*p.procedures.eot))
    fus = [s.visit(f.visit, f"Follow-up {f.visit}",
                   f"Last dose + {f.days_after_last_dose} days", fu_epoch,
                   s.ids(*p.procedures.follow_up))
           for f in p.follow_up]
    timings = []
    for f, inst in zip(p.follow_up, fus, strict=True):
        after_eot = f.days_after_last_dose - p.eot_days_after_last_dose
        timings.append(s.timing(f"TIM_{f.visit}", f"Last dose + {f.days_after_last_dose} days",
                                inst, eot, "After", _days(after_eot), f"EOT + {after_eot} days",
                                (f.window.before, f.window.after)))
    return eot, fus, timings


def to_usdm_json(protocol: Protocol) -> bytes:
    """The USDM document as UTF-8 JSON bytes (deterministic: same protocol, same bytes)."""
    return (json.dumps(to_usdm(protocol), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_usdm(path: str | Path, protocol: Protocol) -> Path:
    """Write the USDM JSON to ``path`` atomically; return the path."""
    target = Path(path)
    write_atomic(target, to_usdm_json(protocol))
    return target
