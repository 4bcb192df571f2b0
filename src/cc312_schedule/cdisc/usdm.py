"""The protocol's schedule of activities as a CDISC USDM v4.0 study definition (JSON).

Built from the protocol TOML (:class:`~cc312_schedule.core.protocol.Protocol`), never by hand: the
induction days, windows, assessment day, regimens, cap, EOT and follow-up visits and the
procedures all come from ``templates/cc312.toml``. The document is the USDM "Wrapper"
(``usdmVersion`` "4.0.0") of the DDF USDM API (cdisc-org/DDF-RA ``Deliverables/API/USDM_API.json``);
the tests validate it against that schema and check the CORE timeline rules.

How the schedule is modelled: the main ``ScheduleTimeline`` is one straight chain of visits, each
with a ``Timing`` (so that usdm4's ``Expander``, what USDM viewers use to draw a schedule, can
compute it); the investigator's choices live in a sub-timeline:

* ``SCR`` (screening, ``Before`` W1D1 by one day, window back to the protocol's screening days)
  -> ``W1D1``, the **Fixed Reference** anchor (study day 1, value ``P1D``, no window) -> the
  other induction doses and the Day 28 assessment, each ``After`` the anchor by (study day - 1)
  days, with the protocol's window as ``windowLower``/``windowUpper``;
* ``CONT`` (``After`` the anchor by 28 days: the first continuation dose day, W5D1) whose
  ``timelineId`` is the **Continuation** sub-timeline: ``CONT-START`` (its anchor) -> ``DEC``, the
  investigator's decision (a ``ScheduledDecisionInstance``): a condition per regimen leads to
  ``CYC-<code>`` (one dosing cycle, itself a sub-timeline: ``D1`` anchor, then the other dosing
  days of the week), one to ``REV`` (the review); all come back to ``DEC``, so the continuation
  loops while the 24-week cap allows (the condition texts name study day 168, and the cap is a
  ``Condition`` of the study version). The default (stop, or the cap reached) is ``CONT-END``,
  the sub-timeline's exit;
* ``EOT`` (``After`` W4D4 by 7 days: the last dose + 7 when the investigator does not continue)
  -> ``FU1`` ... -> the exit. The follow-ups are timed ``After`` EOT (the protocol dates both
  from the last dose, which is not one fixed instance of the timeline).

The timeline's ``plannedDuration`` is the cap, 24 weeks (``durationWillVary``: the investigator
decides). ``study.id`` is a UUID 5 of the registry id, so the same protocol gives the same file.
Facts of the registry record beyond the schedule (phase, objectives, criteria...) come from
:mod:`cc312_schedule.cdisc.record`.

>>> from cc312_schedule import load_protocol
>>> doc = to_usdm(load_protocol())
>>> doc["usdmVersion"], doc["study"]["versions"][0]["studyIdentifiers"][0]["text"]
('4.0.0', 'NCT07193810')
>>> main = doc["study"]["versions"][0]["studyDesigns"][0]["scheduleTimelines"][0]
>>> [t["value"] for t in main["timings"]][:11]
['P1D', 'P1D', 'P3D', 'P7D', 'P10D', 'P14D', 'P17D', 'P21D', 'P24D', 'P27D', 'P28D']
>>> doc["study"]["id"]
'...-...-5...-...-...'

"""

from __future__ import annotations

import html
import json
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..core.fileio import write_atomic
from ..core.protocol import DoseLevel, Intervention, Protocol, Regimen
from ..core.version import VERSION
from . import record
from .datasets import UNIT_CODES, element_rules

__all__ = ["USDM_VERSION", "to_usdm", "to_usdm_json", "write_usdm"]

USDM_VERSION = "4.0.0"
CDISC = "http://www.cdisc.org"
# The version of CDISC Controlled Terminology the codes below are taken from: the one the
# USDM v4.0 release examples (DDF-RA Documents/Examples) use; "Official Study Title" C207616
# is the code CT gives it after the examples' placeholder "C99905x2".
CT_VERSION = "2024-09-27"
# Procedures have no CDISC codelist; rather than guess NCI codes, they carry this project's own
# code system (the procedure's name as written in the protocol template).
PROCEDURE_CODES = "https://cc312-schedule/protocol-template/procedures"

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
                  environmentalSettings=[b.code("C16696", "HOSPITAL")],
                  contactModes=[b.code("C175574", "IN PERSON")], transitionStartRule=None,
                  transitionEndRule=None, notes=[])
        self.encounters.append(e)
        return str(e["id"])

    def visit(self, name: str, label: str, description: str, epoch: str,
              activity_ids: list[str], encounter_id: str | None = None) -> Json:
        """An instance with its own encounter, or sharing ``encounter_id``."""
        return self.b.obj("ScheduledActivityInstance", name=name, label=label,
                          description=description, defaultConditionId=None, epochId=epoch,
                          timelineId=None, timelineExitId=None, activityIds=activity_ids,
                          encounterId=encounter_id or self.encounter(name, label, description))

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


def study_uuid(p: Protocol) -> str:
    """``study.id``: a UUID 5 of the registry id (the schema wants a UUID; the same protocol gives
    the same id).

    >>> from cc312_schedule import load_protocol
    >>> study_uuid(load_protocol())
    '608153a7-ef95-56e8-8054-4cbb7d1c7f90'
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://clinicaltrials.gov/study/{p.registry_id}"))


def to_usdm(protocol: Protocol) -> Json:
    """The protocol as a USDM v4.0 ``Wrapper`` document (a dict ready for ``json.dumps``).

    Every object's id but the study's counts its kind in creation order, so the parts are built
    in a fixed order: organisations, eligibility, intervention, design structure, activities,
    the timelines.
    """
    b = _Builder()
    p = protocol
    registry, sponsor = _organisations(b, p)
    identifiers = [b.obj("StudyIdentifier", text=p.registry_id, scopeId=registry["id"]),
                   b.obj("StudyIdentifier", text=p.protocol_id, scopeId=sponsor["id"])]
    titles = [b.obj("StudyTitle", text=p.title, type=b.code("C207616", "Official Study Title"))]
    roles = [b.obj("StudyRole", name="SPONSOR", label="Sponsor", description=p.sponsor,
                   code=b.code("C70793", "Sponsor"), appliesToIds=[], assignedPersons=[],
                   organizationIds=[sponsor["id"]], masking=None, notes=[])]
    items, criteria, population = _eligibility(b, p)
    intervention, products = _intervention(b, p)
    arm = _arm(b, p)
    epochs = _epochs(b)
    elements = _elements(b, p, intervention)
    cells = _cells(b, arm, epochs, elements)
    s = _Schedule(b, _activities(b, p, intervention))
    epoch_ids = tuple(str(e["id"]) for e in epochs)
    timelines = _timelines(s, p, epoch_ids)
    _link(s.encounters)
    phase, blinding = record.PHASE, record.BLINDING
    design = b.obj(
        "InterventionalStudyDesign", name="CC312 design", label="Single-group, open-label, MAD",
        description="Open-label multiple ascending dose study of CC312, single group",
        studyType=b.code("C98388", "INTERVENTIONAL"), studyPhase=b.alias(phase[1], phase[0]),
        therapeuticAreas=[], characteristics=[], encounters=s.encounters,
        activities=list(s.activities.values()), arms=[arm], studyCells=cells,
        rationale="Safety, tolerability, PK and preliminary efficacy of CC312 in relapsed or "
        "refractory autoimmune disease (the registry record's brief summary)",
        epochs=epochs, elements=elements, estimands=[], indications=_indications(b),
        studyInterventionIds=[] if intervention is None else [intervention["id"]],
        objectives=_objectives(b), population=population, scheduleTimelines=timelines,
        biospecimenRetentions=[], documentVersionIds=[], eligibilityCriteria=criteria,
        analysisPopulations=[], notes=[], subTypes=[],
        model=b.code("C82640", "SINGLE GROUP"), intentTypes=[b.code("C49656", "TREATMENT")],
        blindingSchema=b.alias(blinding[1], blinding[0]))
    cap = _cap_condition(b, p, timelines, s.activities[_ADMINISTRATION])
    version = b.obj(
        "StudyVersion", versionIdentifier=str(p.schema_version),
        rationale=f"Schedule of activities of {p.protocol_id}, generated from the protocol "
        "template by cc312-schedule",
        documentVersionIds=[], dateValues=[], amendments=[], businessTherapeuticAreas=[],
        studyIdentifiers=identifiers, referenceIdentifiers=[], studyDesigns=[design],
        titles=titles, eligibilityCriterionItems=items, narrativeContentItems=[],
        abbreviations=[], roles=roles, organizations=[registry, sponsor],
        studyInterventions=[] if intervention is None else [intervention],
        administrableProducts=products, medicalDevices=[], productOrganizationRoles=[],
        biomedicalConcepts=[], bcCategories=[], bcSurrogates=[], dictionaries=[],
        conditions=[cap], notes=[])
    study = {"id": study_uuid(p), "extensionAttributes": [], "name": p.protocol_id,
             "description": p.title, "label": p.title, "versions": [version], "documentedBy": [],
             "instanceType": "Study"}
    roles[0]["appliesToIds"] = [version["id"]]  # DDF00203: the sponsor of this version
    return {"study": study, "usdmVersion": USDM_VERSION, "systemName": "cc312-schedule",
            "systemVersion": VERSION}


# ---- study, eligibility, design structure -------------------------------------------------


def _organisations(b: _Builder, p: Protocol) -> tuple[Json, Json]:
    """The registry and the sponsor: the scopes of the study's two identifiers."""
    registry = b.obj("Organization", name="CT-GOV", label="ClinicalTrials.gov",
                     type=b.code("C93453", "Clinical Study Registry"), identifierScheme="USGOV",
                     identifier="CT-GOV", legalAddress=None, managedSites=[])
    kind, code = record.SPONSOR_TYPE
    sponsor = b.obj("Organization", name=p.sponsor, label=p.sponsor, type=b.code(code, kind),
                    identifierScheme="SPONSOR", identifier=p.sponsor, legalAddress=None,
                    managedSites=[])
    return registry, sponsor


def _eligibility(b: _Builder, p: Protocol) -> tuple[list[Json], list[Json], Json]:
    """Every criterion of the registry record (items, criteria linked in order) and the population."""
    items: list[Json] = []
    criteria: list[Json] = []
    for category, code, rows in (("INCLUSION", "C25532", record.INCLUSION),
                                 ("EXCLUSION", "C25370", record.EXCLUSION)):
        for name, text in rows:
            item = b.obj("EligibilityCriterionItem", name=name, label=name, description=None,
                         text=html.escape(text, quote=False),  # USDM text is XHTML
                         dictionaryId=None, notes=[])
            items.append(item)
            criteria.append(b.obj("EligibilityCriterion", name=name, label=name, description=None,
                                  category=b.code(code, category), identifier=name[2:],
                                  criterionItemId=item["id"], nextId=None, previousId=None,
                                  notes=[]))
    _link(criteria)
    population = b.obj(
        "StudyDesignPopulation", name="POP1", label="Study population",
        description="Adults with relapsed/refractory SLE, IIM or SSc",
        includesHealthySubjects=False,  # [record] "Accepts Healthy Volunteers No"
        plannedEnrollmentNumber=b.quantity(float(record.ENROLMENT)),
        plannedCompletionNumber=None,
        plannedSex=[b.code("C16576", "F"), b.code("C20197", "M")],  # [record] "Eligible Sex ALL"
        criterionIds=[c["id"] for c in criteria],
        plannedAge=b.obj("Range", minValue=b.quantity(float(p.age_min_years), ("C29848", "YEARS")),
                         maxValue=b.quantity(float(p.age_max_years), ("C29848", "YEARS")),
                         isApproximate=False),
        notes=[], cohorts=[])
    return items, criteria, population


def _indications(b: _Builder) -> list[Json]:
    """The record's three conditions (no dictionary codes: see record.CONDITIONS)."""
    return [b.obj("Indication", name=code, label=name, description=name, codes=[],
                  isRareDisease=False, notes=[]) for code, name in record.CONDITIONS]


def _objectives(b: _Builder) -> list[Json]:
    """The record's aims, one objective and endpoint per level (see record.OBJECTIVES)."""
    levels = {"primary": (("C85826", "Study Primary Objective"), ("C94496", "Primary Endpoint")),
              "secondary": (("C85827", "Study Secondary Objective"),
                            ("C139173", "Secondary Endpoint")),
              "exploratory": (("C163559", "Exploratory Objective"),
                              ("C170559", "Exploratory Endpoint"))}
    out = []
    for n, (level, objective, endpoint) in enumerate(record.OBJECTIVES, start=1):
        obj_level, end_level = levels[level]
        ep = b.obj("Endpoint", name=f"END{n}", label=f"{level.title()} endpoint",
                   description=None, text=endpoint, dictionaryId=None, notes=[],
                   purpose=objective.removeprefix("To evaluate the ").split(" of ")[0],
                   level=b.code(*end_level))
        out.append(b.obj("Objective", name=f"OBJ{n}", label=f"{level.title()} objective",
                         description=None, text=objective, dictionaryId=None, notes=[],
                         level=b.code(*obj_level), endpoints=[ep]))
    return out


def _intervention(b: _Builder, p: Protocol) -> tuple[Json | None, list[Json]]:
    """The study intervention (``[intervention]``): the product, and one administration per
    regimen (its CDISC frequency), per dose level when the protocol states the amount."""
    iv: Intervention | None = p.intervention
    if iv is None:
        return None, []
    product = b.obj("AdministrableProduct", name=iv.name, label=iv.name,
                    description=f"{iv.name} ({iv.type})", pharmacologicClass=None,
                    administrableDoseForm=b.alias(iv.dose_form_code, iv.dose_form),
                    productDesignation=b.code("C202579", "IMP"), sourcing=None, properties=[],
                    identifiers=[], ingredients=[], notes=[])
    levels: list[DoseLevel | None] = [lv for lv in iv.dose_levels if lv.amount is not None] or [None]
    administrations = []
    for r in p.regimens:
        for lv in levels:
            dose = None
            if lv is not None and lv.amount is not None and lv.unit is not None:
                unit = UNIT_CODES.get(lv.unit)
                dose = b.quantity(lv.amount, (unit, lv.unit) if unit else None)
            name = f"{iv.name} {r.code}" + (f" {lv.code}" if lv is not None else "")
            administrations.append(b.obj(
                "Administration", name=name, label=f"{iv.name} {r.label}",
                description=(f"{lv.label}: {lv.amount:g} {lv.unit} per dose" if lv is not None
                             else "Dose: the subject's dose level (the protocol states no amount)"),
                duration=b.obj("Duration", text=f"{p.dosing_duration_minutes}-minute infusion",
                               quantity=b.quantity(float(p.dosing_duration_minutes),
                                                   ("C48154", "min")),
                               durationWillVary=False, reasonDurationWillVary=None),
                dose=dose, route=b.alias(iv.route_code, iv.route),
                frequency=b.alias(r.nci_code, r.cdisc_frequency) if r.nci_code and r.cdisc_frequency
                else None,
                # USDM DDF00185: a product reference needs a dose; without an amount the
                # administration names the route and frequency only
                administrableProductId=product["id"] if dose is not None else None,
                medicalDeviceId=None, notes=[]))
    intervention = b.obj("StudyIntervention", name=iv.name, label=iv.name,
                         description=f"{iv.name}, {iv.type.lower()}, {iv.route.lower()}",
                         role=b.code("C41161", "Experimental Intervention"),
                         type=b.code(iv.type_code, iv.type), minimumResponseDuration=None,
                         codes=[], administrations=administrations, notes=[])
    return intervention, [product]


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


def _elements(b: _Builder, p: Protocol, intervention: Json | None) -> list[Json]:
    """The trial elements (shared with SDTM TE: :func:`~cc312_schedule.cdisc.datasets.element_rules`);
    the induction and continuation give the study intervention."""

    def rule(name: str, text: str) -> Json:
        return b.obj("TransitionRule", name=name, label=None, description=None, text=text)

    elements = []
    for i, (name, label, start, end) in enumerate(element_rules(p), start=1):
        gives = intervention is not None and name not in ("SCRN", "FU")
        elements.append(b.obj("StudyElement", name=name, label=label, description=label,
                              transitionStartRule=rule(f"ELEMENT_START_RULE_{i}", start),
                              transitionEndRule=rule(f"ELEMENT_END_RULE_{i}", end),
                              studyInterventionIds=[intervention["id"]] if gives and intervention
                              else [], notes=[]))
    return elements


def _cells(b: _Builder, arm: Json, epochs: list[Json], elements: list[Json]) -> list[Json]:
    """The arm's cells: screening, treatment (induction and each continuation), follow-up."""
    scr_epoch, trt_epoch, fu_epoch = (e["id"] for e in epochs)
    return [b.obj("StudyCell", armId=arm["id"], epochId=scr_epoch, elementIds=[elements[0]["id"]]),
            b.obj("StudyCell", armId=arm["id"], epochId=trt_epoch,
                  elementIds=[e["id"] for e in elements[1:-1]]),
            b.obj("StudyCell", armId=arm["id"], epochId=fu_epoch, elementIds=[elements[-1]["id"]])]


_ADMINISTRATION = "CC312 administration"
_WEEKS = ("C29844", "WEEKS")


def _activities(b: _Builder, p: Protocol, intervention: Json | None) -> dict[str, Json]:
    """The procedures, plus consent and the dose itself, by name, linked in order; each does one
    procedure of the same name (the dose's refers to the study intervention)."""
    pr = p.procedures
    names: list[str] = ["informed consent", "eligibility check", _ADMINISTRATION]
    for items in (pr.first_dose, pr.induction_dose, pr.continuation_dose, pr.assessment,
                  pr.review, pr.eot, pr.follow_up, ("investigator's continuation decision",)):
        names.extend(n for n in items if n not in names)
    activities = {}
    for n in names:
        procedure = b.obj(
            "Procedure", name=n, label=n, description=_activity_description(p, n),
            procedureType="Administration" if n == _ADMINISTRATION else "Assessment",
            code=b.obj("Code", code=n, codeSystem=PROCEDURE_CODES,
                       codeSystemVersion=str(p.schema_version), decode=n),
            studyInterventionId=intervention["id"] if n == _ADMINISTRATION and intervention
            else None, notes=[])
        activities[n] = b.obj("Activity", name=n, label=n,
                              description=_activity_description(p, n), previousId=None,
                              nextId=None, childIds=[], definedProcedures=[procedure],
                              biomedicalConceptIds=[], bcCategoryIds=[], bcSurrogateIds=[],
                              timelineId=None, notes=[])
    _link(list(activities.values()))
    return activities


def _activity_description(p: Protocol, name: str) -> str:
    if name == "disease activity score":
        return "The score of the subject's disease: " + ", ".join(
            f"{score} for {disease}" for disease, score in p.disease_scores)
    return name


def _cap_condition(b: _Builder, p: Protocol, timelines: list[Json], dose: Json) -> Json:
    """The 24-week cap as a ``Condition``: on the dose (the activity), in the context of the
    continuation's cycles."""
    cont = next(t for t in timelines if t["name"] == "Continuation")
    context = [i["id"] for i in cont["instances"] if i["name"].startswith("CYC-")]
    return b.obj("Condition", name="CAP", label=f"{p.max_treatment_weeks}-week treatment cap",
                 description="[record] \"The maximum planned treatment period is 24 weeks\"",
                 text=f"No dose after study day {p.last_dose_day.value}: the treatment period is at "
                 f"most {p.max_treatment_weeks} weeks from the first dose (study day 1), the "
                 "induction included; holds and missed doses do not extend it",
                 dictionaryId=None, notes=[], contextIds=context, appliesToIds=[dose["id"]])


# ---- the timelines --------------------------------------------------------------------------


def _timelines(s: _Schedule, p: Protocol, epoch_ids: tuple[str, ...]) -> list[Json]:
    """The main timeline first, then the continuation and each regimen's cycle."""
    scr_epoch, trt_epoch, fu_epoch = epoch_ids
    scr, doses, assessment, timings = _induction(s, p, scr_epoch, trt_epoch)
    cont_encounter = s.encounter("CONT", "Continuation visits",
                                 "The continuation's dose and review visits, as the investigator "
                                 f"decides after Day {p.assessment_day.value}")
    cycles = [_cycle_timeline(s, p, r, trt_epoch, cont_encounter) for r in p.regimens]
    continuation = _continuation_timeline(s, p, trt_epoch, cont_encounter, cycles)
    eot, fus, end_timings = _end_of_treatment(s, p, trt_epoch, fu_epoch, doses[-1])
    return [_main_timeline(s, p, scr, doses, assessment, timings, continuation, cont_encounter,
                           eot, fus, end_timings), continuation, *cycles]


def _cycle_timeline(s: _Schedule, p: Protocol, r: Regimen, epoch: str, encounter: str) -> Json:
    """One dosing cycle of ``r``: the first dosing day is the anchor, the others ``After`` it."""
    w = p.continuation_window
    activity_ids = s.ids(_ADMINISTRATION, *p.procedures.continuation_dose)
    instances = [s.visit(f"{r.code}-D{d}", f"{r.code} cycle, day {d} of the dosing week",
                         f"CC312 {r.cdisc_frequency or r.label} dose", epoch, list(activity_ids),
                         encounter)
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
    return s.b.obj("ScheduleTimeline", name=f"Cycle {r.code}",
                   label=f"One {7 * r.every_weeks}-day cycle of {r.code}",
                   description=f"{r.label}: {r.cdisc_frequency or r.code} "
                   f"({r.nci_code or 'no code'}); each dose window -{w.before}/+{w.after} days "
                   "(the anchor itself is the planned day of the cycle's first dose)",
                   mainTimeline=False, entryCondition=f"The investigator continues with {r.code}",
                   entryId=instances[0]["id"], exits=[exit_], timings=timings,
                   instances=instances,
                   plannedDuration=s.b.obj("Duration", text=f"{7 * r.every_weeks} days",
                                           quantity=s.b.quantity(float(7 * r.every_weeks),
                                                                 ("C25301", "DAYS")),
                                           durationWillVary=False, reasonDurationWillVary=None))


def _continuation_timeline(s: _Schedule, p: Protocol, trt_epoch: str, encounter: str,
                           cycles: list[Json]) -> Json:
    """The investigator's decision loop after Day 28: a condition per regimen leading to its
    cycle, one leading to the review; all come back to the decision; the default ends it."""
    b = s.b
    cap, aday = p.last_dose_day.value, p.assessment_day.value
    start = s.visit("CONT-START", "Start of the continuation",
                    f"The first possible continuation dose day, study day {aday + 1}", trt_epoch,
                    [], encounter)
    decision = b.obj("ScheduledDecisionInstance", name="DEC",
                     label="Investigator's continuation decision",
                     description=f"After the Day {aday} assessment, and after each continuation "
                     f"cycle or review: continue (regimen, duration), review, or stop. No dose "
                     f"after study day {cap} ({p.max_treatment_weeks} weeks).",
                     defaultConditionId=None, epochId=trt_epoch, conditionAssignments=[])
    review = s.visit("REV", "Review (decision due)",
                     f"Every {p.review_every_weeks} weeks of a continuation, counted from the start "
                     "of the week of the regimen's first dose, and at the end of a continuation "
                     "given for a set time", trt_epoch,
                     s.ids(*p.procedures.review, "investigator's continuation decision"), encounter)
    review["defaultConditionId"] = decision["id"]
    decision["conditionAssignments"].append(b.obj(
        "ConditionAssignment",
        condition=f"A review is due ({p.review_every_weeks} weeks into the continuation, or its "
        "set time has ended)", conditionTargetId=review["id"]))
    cycle_instances = []
    for r, tl in zip(p.regimens, cycles, strict=True):
        cyc = b.obj("ScheduledActivityInstance", name=f"CYC-{r.code}",
                    label=f"Continuation cycle {r.code}",
                    description=f"One {7 * r.every_weeks}-day cycle of {r.label} "
                    f"({r.cdisc_frequency or r.code})", defaultConditionId=decision["id"],
                    epochId=trt_epoch, timelineId=tl["id"], timelineExitId=None,
                    activityIds=[], encounterId=encounter)
        cycle_instances.append(cyc)
        decision["conditionAssignments"].append(b.obj(
            "ConditionAssignment",
            condition=f"The investigator continues (or has continued) with {r.code} "
            f"({r.cdisc_frequency or r.label}) and the cycle's first dose falls on or before "
            f"study day {cap}", conditionTargetId=cyc["id"]))
    end = s.visit("CONT-END", "End of the continuation",
                  f"The investigator stops, or no dose is left on or before study day {cap}",
                  trt_epoch, [], encounter)
    exit_ = b.obj("ScheduleTimelineExit")
    start["defaultConditionId"] = decision["id"]
    decision["defaultConditionId"] = end["id"]
    end["timelineExitId"] = exit_["id"]
    w, rw = p.continuation_window, p.review_window
    last = cap - (aday + 1)  # days from the first continuation day to the cap
    timings = [s.timing("TIM_CONT_START", f"Study day {aday + 1}", start, start, "Fixed Reference",
                        "P1D", f"Day {aday + 1}", None),
               s.timing("TIM_REV", f"Review {p.review_every_weeks} weeks in", review, start,
                        "After", _days(7 * p.review_every_weeks - 1),
                        f"Continuation day {7 * p.review_every_weeks}", (rw.before, rw.after))]
    for r, cyc in zip(p.regimens, cycle_instances, strict=True):
        timings.append(s.timing(f"TIM_CYC_{r.code}", f"First {r.code} cycle", cyc, start, "After",
                                _days(0), "From the first continuation day", (w.before, w.after)))
    timings.append(s.timing("TIM_CONT_END", "End of the continuation", end, start, "After",
                            _days(0), f"Study day {aday + 1} to {cap}", (0, last)))
    return b.obj("ScheduleTimeline", name="Continuation",
                 label=f"Continuation after Day {aday}",
                 description=f"The investigator's decisions after Day {aday}: cycles of a regimen "
                 f"and reviews until a stop, or until no dose is left on or before study day {cap}",
                 mainTimeline=False, entryCondition=f"The investigator continues after Day {aday}",
                 entryId=start["id"], exits=[exit_], timings=timings,
                 instances=[start, decision, review, *cycle_instances, end],
                 plannedDuration=b.obj(
                     "Duration", text=f"Up to study day {cap}", quantity=None,
                     durationWillVary=True,
                     reasonDurationWillVary="The investigator decides the regimen, duration, "
                     "holds and stop"))


def _main_timeline(s: _Schedule, p: Protocol, scr: Json, doses: list[Json], assessment: Json,
                   timings: list[Json], continuation: Json, encounter: str, eot: Json,
                   fus: list[Json], end_timings: list[Json]) -> Json:
    """Screening -> induction -> assessment -> the continuation -> EOT -> follow-up -> exit."""
    b = s.b
    cap, aday = p.last_dose_day.value, p.assessment_day.value
    w = p.continuation_window
    cont = b.obj("ScheduledActivityInstance", name="CONT",
                 label="Continuation (as the investigator decides)",
                 description=f"From study day {aday + 1}: the continuation sub-timeline (skipped "
                 "when the investigator stops at the assessment)", defaultConditionId=None,
                 epochId=doses[0]["epochId"], timelineId=continuation["id"], timelineExitId=None,
                 activityIds=[], encounterId=encounter)
    cont_timing = s.timing("TIM_CONT", f"Study day {aday + 1}", cont, doses[0], "After",
                           _days(aday), f"Day {aday + 1}", (w.before, w.after))
    exit_ = b.obj("ScheduleTimelineExit")
    _chain([scr, *doses, assessment, cont, eot, *fus])
    (fus[-1] if fus else eot)["timelineExitId"] = exit_["id"]
    last_fu = max([f.days_after_last_dose for f in p.follow_up] or [p.eot_days_after_last_dose])
    return b.obj(
        "ScheduleTimeline", name="Main Timeline", label="CC312 schedule of activities",
        description=f"Screening, {p.induction_weeks}-week {p.induction_regimen} induction, the "
        f"Day {aday} assessment, continuation as the investigator decides (no dose after study "
        f"day {cap}), end of treatment and follow-up",
        mainTimeline=True, entryCondition="Informed consent signed", entryId=scr["id"],
        exits=[exit_], timings=[*timings, cont_timing, *end_timings],
        instances=[scr, *doses, assessment, cont, eot, *fus],
        plannedDuration=b.obj(
            "Duration", text=f"{p.induction_weeks} to {p.max_treatment_weeks} weeks of treatment "
            f"(no dose after study day {cap}), then follow-up until the last dose + {last_fu} days",
            quantity=b.obj("Range", minValue=b.quantity(float(p.induction_weeks), _WEEKS),
                           maxValue=b.quantity(float(p.max_treatment_weeks), _WEEKS),
                           isApproximate=False),
            # USDM DDF00039: a duration that will vary has no quantity; the range states the
            # variation (the induction at least, the cap at most), so it does not "vary" beyond it
            durationWillVary=False, reasonDurationWillVary=None),
    )


def _induction(s: _Schedule, p: Protocol, scr_epoch: str, trt_epoch: str
               ) -> tuple[Json, list[Json], Json, list[Json]]:
    """Screening, the induction doses and the assessment, with their timings: W1D1 is the
    ``Fixed Reference`` anchor, the others ``After`` it by (study day - 1) days, screening
    ``Before`` it by one day (it ends the day before the first dose)."""
    pr = p.procedures
    scr = s.visit("SCR", "Screening", "Informed consent and eligibility (age on the consent date)",
                  scr_epoch, s.ids("informed consent", "eligibility check"))
    doses: list[Json] = []
    timings: list[Json] = []
    for n, day in enumerate(p.induction_days, start=1):
        first = n == 1
        inst = s.visit(day.visit_name, f"Induction dose {n} ({day.visit_name})",
                       f"CC312 {p.induction_regimen} induction dose {n}, study day {day.value}",
                       trt_epoch, s.ids(_ADMINISTRATION,
                                        *(pr.first_dose if first else pr.induction_dose)))
        doses.append(inst)
    anchor = doses[0]
    timings.append(s.timing("TIM_W1D1", "Day 1 (first dose)", anchor, anchor, "Fixed Reference",
                            "P1D", "Day 1", None))
    timings.append(s.timing("TIM_SCR", "Screening", scr, anchor, "Before", "P1D", "Day -1",
                            (p.screening_days - 1, 0)))
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


def _end_of_treatment(s: _Schedule, p: Protocol, trt_epoch: str, fu_epoch: str, last_induction: Json
                      ) -> tuple[Json, list[Json], list[Json]]:
    """EOT and the follow-ups with their timings: EOT ``After`` the last induction dose (the
    last dose when the investigator does not continue), each follow-up ``After`` EOT (the protocol
    dates both from the last dose, which is not one fixed instance of the timeline)."""
    eot = s.visit(p.eot_visit, "End of treatment",
                  f"Last dose + {p.eot_days_after_last_dose} days (actual last dose if recorded), "
                  "never before a stop decision", trt_epoch, s.ids(*p.procedures.eot))
    fus = [s.visit(f.visit, f"Follow-up {f.visit}",
                   f"Last dose + {f.days_after_last_dose} days", fu_epoch,
                   s.ids(*p.procedures.follow_up))
           for f in p.follow_up]
    ew = p.eot_window
    timings = [s.timing(f"TIM_{p.eot_visit}", f"Last dose + {p.eot_days_after_last_dose} days",
                        eot, last_induction, "After", _days(p.eot_days_after_last_dose),
                        f"Last dose + {p.eot_days_after_last_dose} days", (ew.before, ew.after))]
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
