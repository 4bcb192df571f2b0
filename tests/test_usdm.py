"""USDM v4.0 export: CDISC's own schema, the CORE timeline rules, and the schedule's content.

The schema is the official DDF USDM API (tests/data/cdisc/USDM_API.json, see its README); the
rules are those of CDISC's USDM_CORE_Rules.xlsx that concern timelines (their ids in the names).
Each rule check is also run on a copy of our document broken on purpose, so a check that could
never fail is caught here.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from cc312_schedule import bundled_protocol_path, example_study_path, load_protocol
from cc312_schedule.cdisc.usdm import to_usdm, to_usdm_json
from cc312_schedule.cli import main
from cc312_schedule.core.protocol import load_protocol_text

DATA = Path(__file__).parent / "data" / "cdisc"
ISO_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")
FIXED, AFTER, BEFORE, START_TO_START = "C201358", "C201356", "C201357", "C201355"

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    api = json.loads((DATA / "USDM_API.json").read_text(encoding="utf-8"))
    # with format checking: "uuid" (Study.id) and "date" are checked, as usdm4's load does
    return Draft202012Validator({"$ref": "#/components/schemas/Wrapper-Input",
                                 "components": api["components"]}, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def doc() -> Doc:
    return to_usdm(load_protocol())


def design(d: Doc) -> Doc:
    return d["study"]["versions"][0]["studyDesigns"][0]  # type: ignore[no-any-return]


def timelines(d: Doc) -> list[Doc]:
    return design(d)["scheduleTimelines"]  # type: ignore[no-any-return]


def main_timeline(d: Doc) -> Doc:
    return next(t for t in timelines(d) if t["mainTimeline"])


def instance(d: Doc, name: str) -> Doc:
    return next(i for t in timelines(d) for i in t["instances"] if i["name"] == name)


# ---- schema ---------------------------------------------------------------------------------


def test_validates_against_the_official_usdm_v4_schema(validator: Draft202012Validator,
                                                        doc: Doc) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert errors == []
    assert doc["usdmVersion"] == "4.0.0"


def test_the_schema_check_can_fail(validator: Draft202012Validator, doc: Doc) -> None:
    bad = copy.deepcopy(doc)
    del bad["study"]["versions"][0]["titles"][0]["type"]
    main_timeline(bad)["timings"][1]["value"] = 3
    assert len(list(validator.iter_errors(bad))) >= 2


@pytest.mark.parametrize("study_id", ["Study_1", "608153a7-ef95-56e8-8054-4cbb7d1c7f9", ""],
                         ids=["usdm-style-id", "uuid-one-digit-short", "empty"])
def test_the_format_checker_refuses_a_study_id_that_is_not_a_uuid(
        validator: Draft202012Validator, doc: Doc, study_id: str) -> None:
    bad = copy.deepcopy(doc)
    bad["study"]["id"] = study_id
    (error,) = validator.iter_errors(bad)  # Study.id is anyOf(uuid, null): the uuid branch says why
    assert list(error.absolute_path) == ["study", "id"]
    assert f"{study_id!r} is not a 'uuid'" in [c.message for c in error.context]


def test_study_id_is_the_uuid5_of_the_registry_id(doc: Doc) -> None:
    # uuid5(NAMESPACE_URL, "https://clinicaltrials.gov/study/NCT07193810"), written out once
    assert doc["study"]["id"] == "608153a7-ef95-56e8-8054-4cbb7d1c7f90"


# ---- the CORE timeline rules, as checks that return the violations ---------------------------


def _all_timings(d: Doc) -> Iterator[tuple[Doc, Doc]]:
    for t in timelines(d):
        for tm in t.get("timings", []):
            yield t, tm


def ddf00012_one_main_timeline(d: Doc) -> list[str]:
    n = sum(1 for t in timelines(d) if t["mainTimeline"])
    return [] if n == 1 else [f"{n} main timelines"]


def ddf00108_every_timeline_has_an_exit(d: Doc) -> list[str]:
    return [t["id"] for t in timelines(d) if not t.get("exits")]


def ddf00037_an_instance_points_to_each_timeline_exit(d: Doc) -> list[str]:
    bad = []
    for t in timelines(d):
        exits = {x["id"] for x in t.get("exits", [])}
        pointed = {i.get("timelineExitId") for i in t["instances"]}
        if not exits & pointed:
            bad.append(t["id"])
    return bad


def ddf00008_default_condition_xor_exit(d: Doc) -> list[str]:
    return [i["id"] for t in timelines(d) for i in t["instances"]
            if i["instanceType"] == "ScheduledActivityInstance"
            and bool(i.get("defaultConditionId")) == bool(i.get("timelineExitId"))]


def ddf00038_decision_has_a_default(d: Doc) -> list[str]:
    return [i["id"] for t in timelines(d) for i in t["instances"]
            if i["instanceType"] == "ScheduledDecisionInstance" and not i.get("defaultConditionId")]


def ddf00046_timing_within_its_timeline(d: Doc) -> list[str]:
    bad = []
    for t, tm in _all_timings(d):
        own = {i["id"] for i in t["instances"]}
        for key in ("relativeFromScheduledInstanceId", "relativeToScheduledInstanceId"):
            if tm.get(key) is not None and tm[key] not in own:
                bad.append(f"{tm['id']}.{key}")
    return bad


def ddf00009_each_timeline_has_an_anchor(d: Doc) -> list[str]:
    return [t["id"] for t in timelines(d)
            if not any(tm["type"]["code"] == FIXED for tm in t.get("timings", []))]


def ddf00007_anchor_refers_to_itself(d: Doc) -> list[str]:
    return [tm["id"] for _, tm in _all_timings(d) if tm["type"]["code"] == FIXED
            and tm.get("relativeToScheduledInstanceId") not in (None, tm["relativeFromScheduledInstanceId"])]


def ddf00036_anchor_is_start_to_start(d: Doc) -> list[str]:
    return [tm["id"] for _, tm in _all_timings(d) if tm["type"]["code"] == FIXED
            and tm["relativeToFrom"]["code"] != START_TO_START]


def ddf00025_anchor_has_no_window(d: Doc) -> list[str]:
    return [tm["id"] for _, tm in _all_timings(d) if tm["type"]["code"] == FIXED
            and (tm.get("windowLower") or tm.get("windowUpper") or tm.get("windowLabel"))]


def ddf00031_non_anchor_between_two_instances(d: Doc) -> list[str]:
    return [tm["id"] for _, tm in _all_timings(d) if tm["type"]["code"] != FIXED
            and (not tm.get("relativeToScheduledInstanceId")
                 or tm["relativeToScheduledInstanceId"] == tm["relativeFromScheduledInstanceId"])]


def ddf00060_62_durations_are_non_negative_iso8601(d: Doc) -> list[str]:
    bad = []
    for _, tm in _all_timings(d):
        for key in ("value", "windowLower", "windowUpper"):
            v = tm.get(key)
            if v is not None and not (isinstance(v, str) and ISO_DURATION.fullmatch(v)):
                bad.append(f"{tm['id']}.{key}={v!r}")
    return bad


def ddf00006_window_fields_all_or_none(d: Doc) -> list[str]:
    return [tm["id"] for _, tm in _all_timings(d)
            if len({bool(tm.get(k)) for k in ("windowLabel", "windowLower", "windowUpper")}) != 1]


def ddf00153_main_timeline_has_a_planned_duration(d: Doc) -> list[str]:
    return [] if main_timeline(d).get("plannedDuration") else ["no plannedDuration"]


def every_id_reference_resolves(d: Doc) -> list[str]:
    ids: set[str] = set()
    refs: list[tuple[str, str]] = []

    def walk(o: Any, key: str = "") -> None:
        if isinstance(o, dict):
            if "id" in o and "instanceType" in o:
                ids.add(o["id"])
            for k, v in o.items():
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str) and (key.endswith("Id") or key.endswith("Ids")) and key != "id":
            refs.append((key, o))

    walk(d)
    return [f"{k}={v}" for k, v in refs if v not in ids]


def _first(d: Doc, kind: str) -> Doc:
    return next(tm for _, tm in _all_timings(d) if tm["type"]["code"] == kind)


def _sub(d: Doc) -> Doc:
    return next(t for t in timelines(d) if not t["mainTimeline"])


def every_main_timeline_instance_has_a_timing(d: Doc) -> list[str]:
    """What usdm4's Expander needs to compute the main timeline: a timing from each instance."""
    main = main_timeline(d)
    timed = {tm["relativeFromScheduledInstanceId"] for tm in main["timings"]}
    return [i["name"] for i in main["instances"] if i["id"] not in timed]


# (rule, how to break our document so the rule must report it)
RULES: list[tuple[Callable[[Doc], list[str]], Callable[[Doc], None]]] = [
    (ddf00012_one_main_timeline, lambda d: _sub(d).update(mainTimeline=True)),
    (ddf00108_every_timeline_has_an_exit, lambda d: _sub(d).update(exits=[])),
    (ddf00037_an_instance_points_to_each_timeline_exit,
     lambda d: [i.update(timelineExitId=None) for i in main_timeline(d)["instances"]]),
    (ddf00008_default_condition_xor_exit,
     lambda d: instance(d, "FU3").update(defaultConditionId=instance(d, "EOT")["id"])),
    (ddf00038_decision_has_a_default, lambda d: instance(d, "DEC").update(defaultConditionId=None)),
    (ddf00046_timing_within_its_timeline,
     lambda d: _sub(d)["timings"][0].update(relativeToScheduledInstanceId=instance(d, "W1D1")["id"])),
    (ddf00009_each_timeline_has_an_anchor, lambda d: _sub(d)["timings"].pop(0)),
    (ddf00007_anchor_refers_to_itself,
     lambda d: _first(d, FIXED).update(relativeToScheduledInstanceId=instance(d, "D28")["id"])),
    (ddf00036_anchor_is_start_to_start,
     lambda d: _first(d, FIXED)["relativeToFrom"].update(code="C201354")),
    (ddf00025_anchor_has_no_window,
     lambda d: _first(d, FIXED).update(windowLower="P0D", windowUpper="P1D", windowLabel="x")),
    (ddf00031_non_anchor_between_two_instances,
     lambda d: _first(d, AFTER).update(
         relativeToScheduledInstanceId=_first(d, AFTER)["relativeFromScheduledInstanceId"])),
    (ddf00060_62_durations_are_non_negative_iso8601, lambda d: _first(d, AFTER).update(value="-P3D")),
    (ddf00006_window_fields_all_or_none, lambda d: _first(d, AFTER).update(windowLabel=None)),
    (ddf00153_main_timeline_has_a_planned_duration,
     lambda d: main_timeline(d).update(plannedDuration=None)),
    (every_id_reference_resolves, lambda d: instance(d, "SCR").update(encounterId="Encounter_999")),
    (every_main_timeline_instance_has_a_timing, lambda d: main_timeline(d)["timings"].pop()),
]
RULE_IDS = [r.__name__ for r, _ in RULES]


@pytest.mark.parametrize(("rule", "breaker"), RULES, ids=RULE_IDS)
def test_core_timeline_rule_holds(rule: Callable[[Doc], list[str]], breaker: Callable[[Doc], None],
                                  doc: Doc) -> None:
    assert rule(doc) == []


@pytest.mark.parametrize(("rule", "breaker"), RULES, ids=RULE_IDS)
def test_core_timeline_rule_catches_a_broken_document(rule: Callable[[Doc], list[str]],
                                                      breaker: Callable[[Doc], None],
                                                      doc: Doc) -> None:
    bad = copy.deepcopy(doc)
    breaker(bad)
    assert rule(bad) != []


# ---- the schedule's content, written out by hand ---------------------------------------------


def _timing_of(d: Doc, name: str) -> Doc:
    inst = instance(d, name)
    return next(tm for _, tm in _all_timings(d) if tm["relativeFromScheduledInstanceId"] == inst["id"])


@pytest.mark.parametrize(("visit", "kind", "value", "lower", "upper"), [
    ("SCR", BEFORE, "P1D", "P27D", "P0D"),   # consent on study day -28 .. -1 ([screening] days = 28)
    ("W1D1", FIXED, "P1D", None, None),
    ("W1D4", AFTER, "P3D", "P0D", "P1D"),
    ("W2D1", AFTER, "P7D", "P0D", "P1D"),
    ("W2D4", AFTER, "P10D", "P0D", "P1D"),
    ("W3D1", AFTER, "P14D", "P0D", "P1D"),
    ("W3D4", AFTER, "P17D", "P0D", "P1D"),
    ("W4D1", AFTER, "P21D", "P0D", "P1D"),
    ("W4D4", AFTER, "P24D", "P0D", "P1D"),
    ("D28", AFTER, "P27D", "P2D", "P3D"),
    ("CONT", AFTER, "P28D", "P1D", "P1D"),   # the first continuation day, study day 29 (W5D1)
    ("EOT", AFTER, "P7D", "P3D", "P3D"),     # after W4D4: last dose + 7 when not continued
    ("FU1", AFTER, "P21D", "P7D", "P7D"),    # EOT (last dose + 7) + 21 = last dose + 28
    ("CONT-START", FIXED, "P1D", None, None),
    ("REV", AFTER, "P27D", "P3D", "P3D"),    # 4 weeks into the continuation: study day 56
    ("CYC-QW", AFTER, "P0D", "P1D", "P1D"),
    ("CONT-END", AFTER, "P0D", "P0D", "P139D"),  # study day 29 .. 168
    ("FU2", AFTER, "P77D", "P7D", "P7D"),    # last dose + 84
    ("FU3", AFTER, "P161D", "P7D", "P7D"),   # last dose + 168
], ids=lambda v: str(v))
def test_timings_are_the_protocols_study_days(doc: Doc, visit: str, kind: str, value: str,
                                              lower: str | None, upper: str | None) -> None:
    tm = _timing_of(doc, visit)
    assert (tm["type"]["code"], tm["value"], tm["windowLower"], tm["windowUpper"]) == (
        kind, value, lower, upper)


def test_main_timeline_has_eight_induction_doses_anchored_on_w1d1(doc: Doc) -> None:
    main = main_timeline(doc)
    doses = [i["name"] for i in main["instances"] if re.fullmatch(r"W\dD\d", i["name"])]
    assert doses == ["W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4", "W4D1", "W4D4"]
    anchor = _first(doc, FIXED)
    assert anchor["relativeFromScheduledInstanceId"] == instance(doc, "W1D1")["id"]
    order = []  # follow the default conditions from the entry
    i = next(x for x in main["instances"] if x["id"] == main["entryId"])
    while i["instanceType"] == "ScheduledActivityInstance" and i.get("defaultConditionId"):
        order.append(i["name"])
        i = next(x for x in main["instances"] if x["id"] == i["defaultConditionId"])
    assert order == ["SCR", *doses, "D28", "CONT", "EOT", "FU1", "FU2"] and i["name"] == "FU3"
    assert i["timelineExitId"] == main["exits"][0]["id"]


def _continuation(d: Doc) -> Doc:
    return next(t for t in timelines(d) if t["id"] == instance(d, "CONT")["timelineId"])


def test_decision_leads_to_each_regimens_cycle_or_a_review_and_defaults_to_the_end(doc: Doc) -> None:
    dec = instance(doc, "DEC")
    targets = {a["conditionTargetId"]: a["condition"] for a in dec["conditionAssignments"]}
    by_id = {i["id"]: i for i in _continuation(doc)["instances"]}
    assert sorted(by_id[t]["name"] for t in targets) == ["CYC-BIW", "CYC-Q2W", "CYC-Q4W",
                                                         "CYC-QW", "REV"]
    end = by_id[dec["defaultConditionId"]]
    assert end["name"] == "CONT-END" and end["timelineExitId"] == _continuation(doc)["exits"][0]["id"]
    # the loop: each cycle and the review come back to the decision; the cap is in the conditions
    for t, text in targets.items():
        assert by_id[t]["defaultConditionId"] == dec["id"]
        if by_id[t]["name"].startswith("CYC-"):
            assert "study day 168" in text


def test_the_24_week_cap_is_a_condition_and_the_planned_duration(doc: Doc) -> None:
    duration = main_timeline(doc)["plannedDuration"]
    rng = duration["quantity"]
    assert (rng["minValue"]["value"], rng["maxValue"]["value"], rng["maxValue"]["unit"]["standardCode"]["code"],
            duration["durationWillVary"]) == (4.0, 24.0, "C29844", False)
    (cap,) = doc["study"]["versions"][0]["conditions"]
    assert cap["text"].startswith("No dose after study day 168: the treatment period is at most 24 weeks")
    assert cap["appliesToIds"] == [next(a["id"] for a in design(doc)["activities"]
                                        if a["name"] == "CC312 administration")]
    assert sorted(instance(doc, n)["id"] for n in ("CYC-BIW", "CYC-QW", "CYC-Q2W", "CYC-Q4W")) == sorted(
        cap["contextIds"])


@pytest.mark.parametrize(("regimen", "instances", "values"), [
    ("BIW", ["BIW-D1", "BIW-D4"], ["P1D", "P3D"]),
    ("QW", ["QW-D1"], ["P1D"]),
    ("Q2W", ["Q2W-D1"], ["P1D"]),
    ("Q4W", ["Q4W-D1"], ["P1D"]),
], ids=["BIW", "QW", "Q2W", "Q4W"])
def test_each_regimen_has_a_one_cycle_sub_timeline(doc: Doc, regimen: str, instances: list[str],
                                                    values: list[str]) -> None:
    cont = instance(doc, f"CYC-{regimen}")
    sub = next(t for t in timelines(doc) if t["id"] == cont["timelineId"])
    assert [i["name"] for i in sub["instances"]] == instances
    assert [tm["value"] for tm in sub["timings"]] == values


def test_encounters_follow_the_main_timeline_in_one_chain(doc: Doc) -> None:
    """usdm4 DDF00087: the previous/next chain is the order of the main timeline's visits."""
    encounters = design(doc)["encounters"]
    by_id = {e["id"]: e for e in encounters}
    heads = [e for e in encounters if e["previousId"] is None]
    assert len(heads) == 1
    chain, e = [], heads[0]
    while e is not None:
        chain.append(e["name"])
        e = by_id.get(e["nextId"])
    assert chain == ["SCR", "W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4", "W4D1", "W4D4", "D28",
                     "CONT", "EOT", "FU1", "FU2", "FU3"]


def test_the_registry_record_is_in_the_design(doc: Doc) -> None:
    d, version = design(doc), doc["study"]["versions"][0]
    assert (d["studyPhase"]["standardCode"]["code"], d["blindingSchema"]["standardCode"]["code"],
            d["population"]["plannedEnrollmentNumber"]["value"]) == ("C54721", "C49659", 6.0)
    assert [i["name"] for i in d["indications"]] == ["SLE", "IIM", "SSc"]
    assert [(o["level"]["code"], o["endpoints"][0]["level"]["code"]) for o in d["objectives"]] == [
        ("C85826", "C94496"), ("C85827", "C139173"), ("C163559", "C170559")]
    (role,) = version["roles"]
    sponsor = next(o for o in version["organizations"] if o["id"] == role["organizationIds"][0])
    assert (role["code"]["code"], sponsor["name"], sponsor["type"]["code"]) == (
        "C70793", "CytoCares Inc", "C54149")
    assert [i["text"] for i in version["studyIdentifiers"] if i["scopeId"] == sponsor["id"]] == ["CC312-I-003"]
    (intervention,) = version["studyInterventions"]
    assert [(a["name"], a["route"]["standardCode"]["code"], a["frequency"]["standardCode"]["code"])
            for a in intervention["administrations"]] == [
        ("CC312 BIW", "C38276", "C64497"), ("CC312 QW", "C38276", "C67069"),
        ("CC312 Q2W", "C38276", "C71127"), ("CC312 Q4W", "C38276", "C64529")]
    dose = next(a for a in d["activities"] if a["name"] == "CC312 administration")
    assert dose["definedProcedures"][0]["studyInterventionId"] == intervention["id"]
    assert all(a["definedProcedures"] for a in d["activities"])


def test_dose_levels_with_amounts_become_doses_of_each_administration() -> None:
    text = bundled_protocol_path().read_text(encoding="utf-8").replace(
        'label = "Dose level 2"', 'label = "Dose level 2"\namount = 0.3\nunit = "mg/kg"')
    (intervention,) = to_usdm(load_protocol_text(text))["study"]["versions"][0]["studyInterventions"]
    doses = {a["name"]: a["dose"] for a in intervention["administrations"]}
    assert sorted(doses) == ["CC312 BIW DL2", "CC312 Q2W DL2", "CC312 Q4W DL2", "CC312 QW DL2"]
    assert (doses["CC312 QW DL2"]["value"], doses["CC312 QW DL2"]["unit"]["standardCode"]["code"]) == (
        0.3, "C67401")


def test_epochs_arm_population_and_criteria(doc: Doc) -> None:
    d = design(doc)
    assert [(e["name"], e["type"]["code"]) for e in d["epochs"]] == [
        ("SCREENING", "C202487"), ("TREATMENT", "C101526"), ("FOLLOW-UP", "C202578")]
    assert d["model"]["code"] == "C82640" and len(d["arms"]) == 1
    assert len(d["studyCells"]) == 3 and all(c["elementIds"] for c in d["studyCells"])
    age = d["population"]["plannedAge"]
    assert (age["minValue"]["value"], age["maxValue"]["value"]) == (18.0, 65.0)
    version = doc["study"]["versions"][0]
    items = version["eligibilityCriterionItems"]
    assert len(items) == 31 and len(d["population"]["criterionIds"]) == 31  # 7 inclusion, 24 exclusion
    assert items[1]["text"] == ("Aged 18-65 years (inclusive, based on the date of signing the "
                                "informed consent form), regardless of gender.")
    assert "serum IgA level &lt;10 mg/dL" in items[13]["text"]  # XHTML: the record's "<" escaped
    ident = version["studyIdentifiers"][0]
    org = next(o for o in version["organizations"] if o["id"] == ident["scopeId"])
    assert (ident["text"], org["type"]["code"], org["type"]["decode"]) == (
        "NCT07193810", "C93453", "Clinical Study Registry")
    epoch_of = {e["id"]: e["name"] for e in d["epochs"]}
    assert {n: epoch_of[instance(doc, n)["epochId"]] for n in ("SCR", "W1D1", "D28", "EOT", "FU1")} == {
        "SCR": "SCREENING", "W1D1": "TREATMENT", "D28": "TREATMENT", "EOT": "TREATMENT",
        "FU1": "FOLLOW-UP"}


def test_built_from_the_protocol_not_by_hand(validator: Draft202012Validator) -> None:
    text = bundled_protocol_path().read_text(encoding="utf-8")
    text = text.replace("study_day = 28 ", "study_day = 29 ").replace(
        "window = { before = 0, after = 1 }   # [default] other", "window = { before = 1, after = 1 }   # other")
    d = to_usdm(load_protocol_text(text))
    assert _timing_of(d, "D28")["value"] == "P28D"
    assert (_timing_of(d, "W2D1")["windowLower"], _timing_of(d, "W2D1")["windowUpper"]) == ("P1D", "P1D")
    assert list(validator.iter_errors(d)) == []


# ---- the command ---------------------------------------------------------------------------


def test_cli_writes_the_same_bytes_from_a_study_or_the_protocol(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    err = io.StringIO()
    assert main(["usdm", str(example_study_path()), "-o", str(out1)], stderr=err) == 0
    assert main(["usdm", "--protocol", str(bundled_protocol_path()), "-o", str(out2)],
                stderr=io.StringIO()) == 0
    assert out1.read_bytes() == out2.read_bytes() == to_usdm_json(load_protocol())
    assert "USDM 4.0.0" in err.getvalue()


def test_cli_bad_protocol_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text(bundled_protocol_path().read_text(encoding="utf-8").replace(
        "max_treatment_weeks = 24", "max_treatment_weeks = 3"), encoding="utf-8")
    err = io.StringIO()
    assert main(["usdm", "--protocol", str(bad), "-o", str(tmp_path / "u.json")], stderr=err) == 2
    assert "dosing.max_treatment_weeks" in err.getvalue() and "Traceback" not in err.getvalue()
    assert not (tmp_path / "u.json").exists()


def test_cli_writes_to_stdout() -> None:
    out = io.StringIO()
    assert main(["usdm", "-o", "-"], stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue().encode("utf-8") == to_usdm_json(load_protocol())
