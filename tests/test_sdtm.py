"""SDTM export: literal rows for the example study, the study-day rule, VISITNUM order, EPOCH and
EXDOSFRQ values, SAS transport v5 read back with pyreadstat, Dataset-JSON against CDISC's schema,
and bad input refused with file, line and variable (exit 2, nothing written).

Expected dates and study days below are counted by hand from templates/example-study.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from jsonschema import Draft201909Validator, FormatChecker

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.cdisc.sdtm import Dataset, study_day, to_sdtm, write_sdtm
from cc312_schedule.cli import main

DATA = Path(__file__).parent / "data" / "cdisc"
GENERATED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
FREQUENCIES = {"2 TIMES PER WEEK", "EVERY WEEK", "EVERY 2 WEEKS", "EVERY 4 WEEKS"}


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    study = load_study(example_study_path())
    return {d.name: d for d in to_sdtm(study, plan_study(study))}


def rows_of(ds: Dataset, **match: Any) -> list[dict[str, Any]]:
    return [r for r in (ds.row_dict(i) for i in range(len(ds.rows)))
            if all(r[k] == v for k, v in match.items())]


def pick(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


# ---- the study-day rule: no day 0 ------------------------------------------------------------


@pytest.mark.parametrize(("day1", "on", "expected"), [
    (date(2026, 5, 4), date(2026, 5, 4), 1),      # the first dose is day 1
    (date(2026, 5, 4), date(2026, 5, 5), 2),
    (date(2026, 5, 4), date(2026, 5, 3), -1),     # the day before is -1, never 0
    (date(2026, 5, 4), date(2026, 4, 13), -21),   # 001's consent
    (date(2026, 5, 4), date(2026, 11, 2), 183),   # 001's FU1
    (date(2028, 2, 28), date(2028, 3, 1), 3),     # across 29 Feb 2028
    (date(2026, 12, 31), date(2027, 1, 1), 2),    # across the year end
], ids=["day1", "day2", "day-before", "consent", "fu1", "leap-day", "new-year"])
def test_study_day(day1: date, on: date, expected: int) -> None:
    assert study_day(day1, on) == expected


# ---- SV ----------------------------------------------------------------------------------------

SV_COLS = ("USUBJID", "VISITNUM", "VISIT", "VISITDY", "SVPRESP", "SVOCCUR", "SVREASOC",
           "SVSTDTC", "SVENDTC", "SVSTDY", "SVENDY", "SVUPDES")


@pytest.mark.parametrize("expected", [
    ("CC312-I-003-003", 1.0, "SCR", None, "Y", "Y", None, "2026-06-15", "2026-06-15", -21, -21, None),
    ("CC312-I-003-003", 2.0, "W1D1", 1, "Y", "Y", None, "2026-07-06", "2026-07-06", 1, 1, None),
    ("CC312-I-003-003", 6.0, "W3D1", 15, "Y", "N", "Subject unwell (fever); dose not made up", None, None, None, None, None),
    ("CC312-I-003-003", 10.0, "D28", 28, "Y", "Y", None, "2026-08-03", "2026-08-03", 29, 29, None),
    ("CC312-I-003-003", 27.0, "W10D4", 67, "Y", "Y", None, "2026-09-11", "2026-09-11", 68, 68, None),
    ("CC312-I-003-004", 14.0, "W6D1", 36, "Y", "Y", None, "2026-08-26", "2026-08-26", 38, 38, None),
    ("CC312-I-003-001", 22.0, "REV-W8", 56, "Y", "Y", None, "2026-06-29", "2026-06-29", 57, 57, None),
    ("CC312-I-003-001", 70.0, "EOT", None, "Y", "Y", None, "2026-10-12", "2026-10-12", 162, 162, None),
    ("CC312-I-003-001", 71.0, "FU1", None, "Y", "Y", None, "2026-11-02", "2026-11-02", 183, 183, None),
    ("CC312-I-003-002", 72.0, "FU2", None, "Y", "Y", None, "2026-10-08", "2026-10-08", 144, 144, None),
], ids=["003-SCR", "003-W1D1", "003-W3D1-missed", "003-D28", "003-W10D4-late", "004-W6D1-late",
        "001-REV-W8", "001-EOT", "001-FU1", "002-FU2"])
def test_sv_rows(datasets: dict[str, Dataset], expected: tuple[Any, ...]) -> None:
    (row,) = rows_of(datasets["SV"], USUBJID=expected[0], VISIT=expected[2])
    assert pick(row, *SV_COLS) == expected
    assert (row["STUDYID"], row["DOMAIN"]) == ("CC312-I-003", "SV")


def test_sv_has_only_visits_that_happened_or_were_missed(datasets: dict[str, Dataset]) -> None:
    sv = datasets["SV"]
    # 006: consent + 8 induction doses done; its D28 (planned, 2026-11-22) is not a row yet
    assert [r["VISIT"] for r in rows_of(sv, USUBJID="CC312-I-003-006")] == [
        "SCR", "W1D1", "W1D4", "W2D1", "W2D4", "W3D1", "W3D4", "W4D1", "W4D4"]
    # one row per visits.csv row plus one screening row per subject with a consent date
    assert len(sv.rows) == 137 + 6
    assert [r["VISIT"] for r in rows_of(sv, SVOCCUR="N")] == ["W3D1"]


def test_visitnum_is_unique_per_subject_and_ordered_like_visitdy(datasets: dict[str, Dataset]) -> None:
    sv = datasets["SV"]
    for usubjid in sorted(set(sv.column("USUBJID"))):
        rows = rows_of(sv, USUBJID=usubjid)
        nums = [r["VISITNUM"] for r in rows]
        assert nums == sorted(nums) and len(set(nums)) == len(nums), usubjid
        days = [r["VISITDY"] for r in rows if r["VISITDY"] is not None]
        assert days == sorted(days), usubjid
        assert all(isinstance(n, float) for n in nums)


def test_epoch_values(datasets: dict[str, Dataset]) -> None:
    assert "EPOCH" not in datasets["SV"].names  # SDTMIG 3.4 SV has no EPOCH (CORE)
    assert set(datasets["EX"].column("EPOCH")) == {"TREATMENT"}
    assert set(datasets["SE"].column("EPOCH")) == {"SCREENING", "TREATMENT", "FOLLOW-UP"}
    assert datasets["TA"].column("EPOCH") == ["SCREENING"] + ["TREATMENT"] * 5 + ["FOLLOW-UP"]


# ---- EX ----------------------------------------------------------------------------------------

EX_COLS = ("USUBJID", "EXSEQ", "EXTRT", "EXDOSFRQ", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY",
           "EPOCH", "VISITNUM", "VISIT")


@pytest.mark.parametrize("expected", [
    ("CC312-I-003-001", 1, "CC312", "2 TIMES PER WEEK", "2026-05-04", "2026-05-04", 1, 1, "TREATMENT", 2.0, "W1D1"),
    ("CC312-I-003-001", 16, "CC312", "2 TIMES PER WEEK", "2026-06-25", "2026-06-25", 53, 53, "TREATMENT", 21.0, "W8D4"),
    ("CC312-I-003-001", 17, "CC312", "EVERY 2 WEEKS", "2026-06-29", "2026-06-29", 57, 57, "TREATMENT", 23.0, "W9D1"),
    ("CC312-I-003-002", 9, "CC312", "EVERY WEEK", "2026-06-15", "2026-06-15", 29, 29, "TREATMENT", 11.0, "W5D1"),
    ("CC312-I-003-003", 4, "CC312", "2 TIMES PER WEEK", "2026-07-16", "2026-07-16", 11, 11, "TREATMENT", 5.0, "W2D4"),
    ("CC312-I-003-003", 5, "CC312", "2 TIMES PER WEEK", "2026-07-23", "2026-07-23", 18, 18, "TREATMENT", 7.0, "W3D4"),
    ("CC312-I-003-004", 10, "CC312", "EVERY WEEK", "2026-08-26", "2026-08-26", 38, 38, "TREATMENT", 14.0, "W6D1"),
    ("CC312-I-003-004", 16, "CC312", "EVERY WEEK", "2026-10-05", "2026-10-05", 78, 78, "TREATMENT", 32.0, "W12D1"),
    ("CC312-I-003-004", 17, "CC312", "EVERY 4 WEEKS", "2026-10-12", "2026-10-12", 85, 85, "TREATMENT", 35.0, "W13D1"),
], ids=["001-first", "001-last-BIW", "001-first-Q2W", "002-first-QW", "003-before-missed",
        "003-after-missed", "004-late", "004-last-QW", "004-first-Q4W"])
def test_ex_rows(datasets: dict[str, Dataset], expected: tuple[Any, ...]) -> None:
    (row,) = rows_of(datasets["EX"], USUBJID=expected[0], VISIT=expected[-1])
    assert pick(row, *EX_COLS) == expected


def test_missed_doses_are_not_ex_rows(datasets: dict[str, Dataset]) -> None:
    ex = datasets["EX"]
    assert rows_of(ex, USUBJID="CC312-I-003-003", VISIT="W3D1") == []
    # 003's visits.csv: doses W1D1 ... W20D4 (40), W3D1 missed: 39 rows, EXSEQ 1..39 without a gap
    assert [r["EXSEQ"] for r in rows_of(ex, USUBJID="CC312-I-003-003")] == list(range(1, 40))


def test_exdosfrq_uses_cdisc_submission_values_never_project_codes(datasets: dict[str, Dataset]) -> None:
    values = set(datasets["EX"].column("EXDOSFRQ"))
    assert values == FREQUENCIES
    assert values.isdisjoint({"BIW", "QW", "Q2W", "Q4W"})


# ---- SE, TV, TA, TE, TI ------------------------------------------------------------------------

SE_COLS = ("SESEQ", "ETCD", "TAETORD", "EPOCH", "SESTDTC", "SEENDTC", "SESTDY", "SEENDY")


@pytest.mark.parametrize(("usubjid", "expected"), [
    # each element ends the day before the next starts: W1D1 is never on an epoch boundary
    ("CC312-I-003-002", [
        (1, "SCRN", 1, "SCREENING", "2026-04-27", "2026-05-17", -21, -1),
        (2, "IND", 2, "TREATMENT", "2026-05-18", "2026-06-14", 1, 28),
        (3, "CQW", 4, "TREATMENT", "2026-06-15", "2026-07-19", 29, 63),
        (4, "FU", 7, "FOLLOW-UP", "2026-07-20", None, 64, None)]),   # FU3 not done yet
    ("CC312-I-003-006", [
        (1, "SCRN", 1, "SCREENING", "2026-10-05", "2026-10-25", -21, -1),
        (2, "IND", 2, "TREATMENT", "2026-10-26", None, 1, None)]),   # still in induction
    # switches of regimen are new elements: BIW from W5D1 (2026-06-01), Q2W from W9D1 (06-29)
    ("CC312-I-003-001", [
        (1, "SCRN", 1, "SCREENING", "2026-04-13", "2026-05-03", -21, -1),
        (2, "IND", 2, "TREATMENT", "2026-05-04", "2026-05-31", 1, 28),
        (3, "CBIW", 3, "TREATMENT", "2026-06-01", "2026-06-28", 29, 56),
        (4, "CQ2W", 5, "TREATMENT", "2026-06-29", "2026-10-11", 57, 161),
        (5, "FU", 7, "FOLLOW-UP", "2026-10-12", None, 162, None)]),
    # QW for 8 weeks from W5D1 (2026-08-17), then Q4W from W13D1 (2026-10-12)
    ("CC312-I-003-004", [
        (1, "SCRN", 1, "SCREENING", "2026-06-29", "2026-07-19", -21, -1),
        (2, "IND", 2, "TREATMENT", "2026-07-20", "2026-08-16", 1, 28),
        (3, "CQW", 4, "TREATMENT", "2026-08-17", "2026-10-11", 29, 84),
        (4, "CQ4W", 6, "TREATMENT", "2026-10-12", None, 85, None)]),
], ids=["002-stopped", "006-induction", "001-two-switches", "004-QW-then-Q4W"])
def test_se_rows(datasets: dict[str, Dataset], usubjid: str, expected: list[tuple[Any, ...]]) -> None:
    assert [pick(r, *SE_COLS) for r in rows_of(datasets["SE"], USUBJID=usubjid)] == expected


def test_tv_rows(datasets: dict[str, Dataset]) -> None:
    tv = datasets["TV"]
    got = [pick(r, "VISITNUM", "VISIT", "VISITDY", "ARMCD") for r in rows_of(tv)]
    assert got[:12] == [(1.0, "SCR", None, None), (2.0, "W1D1", 1, None), (3.0, "W1D4", 4, None),
                        (4.0, "W2D1", 8, None), (5.0, "W2D4", 11, None), (6.0, "W3D1", 15, None),
                        (7.0, "W3D4", 18, None), (8.0, "W4D1", 22, None), (9.0, "W4D4", 25, None),
                        (10.0, "D28", 28, None), (11.0, "W5D1", 29, None), (12.0, "W5D4", 32, None)]
    # issue 19: only visits the engine can plan; no review on day 168 (REV-W23 on day 161 is
    # the last), so the last dosing day of week 24 (W24D4, day 165) has the latest VISITDY
    assert got[-5:] == [(69.0, "W24D4", 165, None), (70.0, "EOT", None, None),
                        (71.0, "FU1", None, None), (72.0, "FU2", None, None), (73.0, "FU3", None, None)]
    assert [v for _, v, _, _ in got if v.startswith("REV-")][-1] == "REV-W23"
    assert max(d for d in tv.column("VISITDY") if d is not None) == 165
    (w2d1,) = rows_of(tv, VISIT="W2D1")
    assert w2d1["TVSTRL"] == "Induction BIW dose on study day 8; window -0/+1 days"
    (fu1,) = rows_of(tv, VISIT="FU1")
    assert fu1["TVSTRL"] == "Last dose + 28 days; window -7/+7 days"


def test_trial_design_datasets(datasets: dict[str, Dataset]) -> None:
    assert [pick(r, "TAETORD", "ETCD", "EPOCH") for r in rows_of(datasets["TA"])] == [
        (1, "SCRN", "SCREENING"), (2, "IND", "TREATMENT"), (3, "CBIW", "TREATMENT"),
        (4, "CQW", "TREATMENT"), (5, "CQ2W", "TREATMENT"), (6, "CQ4W", "TREATMENT"),
        (7, "FU", "FOLLOW-UP")]
    assert [pick(r, "ETCD", "TEDUR") for r in rows_of(datasets["TE"])] == [
        ("SCRN", None), ("IND", "P4W"), ("CBIW", None), ("CQW", None), ("CQ2W", None),
        ("CQ4W", None), ("FU", None)]
    (ind,) = rows_of(datasets["TA"], ETCD="IND")
    assert ind["TATRANS"] == ("If the investigator continues after Day 28, go to the chosen "
                              "regimen's element (TAETORD 3..6); otherwise to TAETORD 7")
    assert [pick(r, "IETESTCD", "IECAT") for r in rows_of(datasets["TI"])] == [("INCL01", "INCLUSION")]


def test_unplanned_visit_gets_a_decimal_visitnum(make_study: Callable[..., Path]) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,\n001,W1D4,2026-03-05,done,\n"
                               "001,W2D2,2026-03-10,done,extra dose after a delay\n")
    study = load_study(folder)
    with pytest.warns(Warning):
        plan = plan_study(study)
        plan.emit_warnings()
    sv = {d.name: d for d in to_sdtm(study, plan)}["SV"]
    (row,) = rows_of(sv, VISIT="W2D2")
    assert pick(row, "VISITNUM", "VISITDY", "SVPRESP", "SVOCCUR", "SVSTDY") == (4.01, None, None, "Y", 9)
    assert row["SVUPDES"] == ("W2D2 (dose) recorded on a day the protocol's schedule has no such visit: "
                              "extra dose after a delay")
    ex = {d.name: d for d in to_sdtm(study, plan)}["EX"]
    assert [pick(r, "EXSEQ", "VISIT", "VISITNUM", "EXSTDY", "EXDOSFRQ") for r in rows_of(ex)] == [
        (1, "W1D1", 2.0, 1, "2 TIMES PER WEEK"), (2, "W1D4", 3.0, 4, "2 TIMES PER WEEK"),
        (3, "W2D2", 4.01, 9, None)]   # a dose outside the plan has no regimen: EXDOSFRQ null


# ---- SAS transport v5 ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdtm")
    study = load_study(example_study_path())
    write_sdtm(study, plan_study(study), out, generated_at=GENERATED)
    return out


NAMES = ["tv", "ta", "te", "ti", "ts", "dm", "sv", "se", "ex", "ds", "dv"]


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_xpt_is_version_5_and_reads_back(written: Path, datasets: dict[str, Dataset], name: str) -> None:
    data = (written / f"{name}.xpt").read_bytes()
    assert data[:80].startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")
    assert b"LIBV8" not in data[:80]
    assert b"25NOV26:08:00:00" in data[:560]  # --generated-at, not the clock
    frame, meta = pyreadstat.read_xport(str(written / f"{name}.xpt"))
    ds = datasets[name.upper()]
    assert meta.table_name == ds.name and meta.file_label == ds.label
    assert list(frame.columns) == list(ds.names)
    assert meta.column_names_to_labels == {v.name: v.label for v in ds.variables}
    for v in ds.variables:
        assert len(v.name) <= 8 and len(v.label) <= 40
        got = list(frame[v.name])
        want = ds.column(v.name)
        if v.is_char:
            assert got == ["" if x is None else x for x in want], v.name
            assert all(len(x.encode("ascii")) <= 200 for x in got)
        else:
            assert [None if math.isnan(x) else x for x in got] == [
                None if x is None else float(x) for x in want], v.name


def test_same_study_same_bytes(tmp_path: Path) -> None:
    args = ["sdtm", str(example_study_path()), "--generated-at", "2026-11-25T08:00:00Z"]
    assert main([*args, "-o", str(tmp_path / "a")], stderr=io.StringIO()) == 0
    assert main([*args, "-o", str(tmp_path / "b")], stderr=io.StringIO()) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([f"{n}.xpt" for n in NAMES] + [f"{n}.json" for n in NAMES] + ["define.xml"])
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n


# ---- Dataset-JSON v1.1 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset_json_validator() -> Draft201909Validator:
    return Draft201909Validator(json.loads((DATA / "dataset.schema.json").read_text(encoding="utf-8")),
                                format_checker=FormatChecker())


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_dataset_json_validates_against_the_v1_1_schema(
        written: Path, datasets: dict[str, Dataset], name: str,
        dataset_json_validator: Draft201909Validator) -> None:
    doc = json.loads((written / f"{name}.json").read_text(encoding="utf-8"))
    assert [e.message for e in dataset_json_validator.iter_errors(doc)] == []
    ds = datasets[name.upper()]
    assert doc["records"] == len(doc["rows"]) == len(ds.rows)
    assert [c["name"] for c in doc["columns"]] == list(ds.names)
    assert doc["rows"] == [list(r) for r in ds.rows]
    assert doc["datasetJSONVersion"] == "1.1.0"
    assert doc["datasetJSONCreationDateTime"] == "2026-11-25T08:00:00+00:00"
    assert [c["name"] for c in sorted((c for c in doc["columns"] if "keySequence" in c),
                                      key=lambda c: c["keySequence"])] == list(ds.keys)


def test_dataset_json_check_can_fail(dataset_json_validator: Draft201909Validator) -> None:
    assert list(dataset_json_validator.iter_errors({"datasetJSONVersion": "1.0", "records": -1}))


# ---- bad input: refused with file, line and variable; exit 2; nothing written -----------------


def test_non_ascii_note_is_refused_for_xpt_alone(make_study: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,\n001,W1D4,,missed,患者发烧\n")
    out = tmp_path / "out"
    err = io.StringIO()
    assert main(["sdtm", str(folder), "-o", str(out), "--format", "xpt"], stderr=err) == 2
    text = err.getvalue()
    assert "error: visits.csv:3: SV.SVREASOC: not ASCII" in text  # named inside the study folder
    assert "--format both" in text and "Traceback" not in text
    assert text.count("error:") == 1
    assert not out.exists()


def test_existing_files_are_left_alone_when_refused(make_study: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,\n001,W1D4,,missed,患者发烧\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sv.xpt").write_bytes(b"previous export")
    assert main(["sdtm", str(folder), "-o", str(out), "--format", "xpt"], stderr=io.StringIO()) == 2
    assert sorted(p.name for p in out.iterdir()) == ["sv.xpt"]
    assert (out / "sv.xpt").read_bytes() == b"previous export"


def test_json_carries_unicode(make_study: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,\n001,W1D4,,missed,患者发烧\n")
    out = tmp_path / "out"
    assert main(["sdtm", str(folder), "-o", str(out), "--format", "json"], stderr=io.StringIO()) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.json" for n in NAMES] + ["define.xml"])
    doc = json.loads((out / "sv.json").read_text(encoding="utf-8"))
    col = [c["name"] for c in doc["columns"]].index("SVREASOC")
    assert [r[col] for r in doc["rows"] if r[col]] == ["患者发烧"]


def test_a_note_no_variable_carries_does_not_block(make_study: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,按时给药\n")   # a done visit's note is not exported
    assert main(["sdtm", str(folder), "-o", str(tmp_path / "out"), "--format", "xpt"],
                stderr=io.StringIO()) == 0


def test_over_length_id_is_refused_with_its_line(make_study: Callable[..., Path], tmp_path: Path) -> None:
    # subject ids are at most 40 characters (read rule), so USUBJID passes 200 bytes only with a
    # long --studyid: 159 + "-" + 40 = 200 fits, 160 + "-" + 40 = 201 does not
    long_id = "S" * 40
    folder = make_study(subjects=f"001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n"
                                 f"{long_id},1,DL1,2026-03-09,SLE,2026-02-01,1980-01-01,F\n")
    out = tmp_path / "out"
    assert main(["sdtm", str(folder), "-o", str(out), "--studyid", "X" * 159],
                stderr=io.StringIO()) == 0
    out2 = tmp_path / "out2"
    err = io.StringIO()
    assert main(["sdtm", str(folder), "-o", str(out2), "--studyid", "X" * 160], stderr=err) == 2
    lines = [ln for ln in err.getvalue().splitlines() if ln.startswith("error:")]
    assert lines == [f"error: subjects.csv:3: DM.USUBJID: 201 characters, over the "
                     f"200-byte limit of a SAS transport v5 character value: '{'X' * 160}-{long_id}' "
                     "(shorten the subject id (USUBJID is STUDYID-SUBJID) or give a shorter --studyid)"]
    assert not out2.exists()


@pytest.mark.parametrize(("studyid", "message"), [
    ("试验312", "--studyid: TV.STUDYID: not ASCII"),
    ("X" * 201, "--studyid: TV.STUDYID: 201 characters, over the 200-byte limit"),
], ids=["non-ascii", "too-long"])
def test_bad_studyid_is_refused(tmp_path: Path, studyid: str, message: str) -> None:
    err = io.StringIO()
    out = tmp_path / "out"
    assert main(["sdtm", str(example_study_path()), "-o", str(out), "--studyid", studyid],
                stderr=err) == 2
    assert message in err.getvalue()
    assert not out.exists()


def test_studyid_option(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["sdtm", str(example_study_path()), "-o", str(out), "--studyid", "CC312X",
                 "--format", "xpt"], stderr=io.StringIO()) == 0
    frame, _ = pyreadstat.read_xport(str(out / "sv.xpt"))
    assert set(frame["STUDYID"]) == {"CC312X"} and frame["USUBJID"][0] == "CC312X-001"


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    err = io.StringIO()
    assert main(["sdtm", str(example_study_path()), "-o", str(target)], stderr=err) == 2
    assert "-o: the output is not a folder" in err.getvalue()
    assert target.read_text(encoding="utf-8") == "x"


def test_a_failure_while_writing_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    real_fsync, calls = os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 5:   # the fifth of twenty-three files
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    out = tmp_path / "out"
    out.mkdir()
    err = io.StringIO()
    assert main(["sdtm", str(example_study_path()), "-o", str(out)], stderr=err) == 2
    assert "cannot write: No space left on device" in err.getvalue()
    assert list(out.iterdir()) == []   # neither the four staged files nor their temporary names


def test_te_and_the_usdm_elements_agree(datasets: dict[str, Dataset]) -> None:
    from cc312_schedule import load_protocol
    from cc312_schedule.cdisc.usdm import to_usdm

    design = to_usdm(load_protocol())["study"]["versions"][0]["studyDesigns"][0]
    usdm = [(e["name"], e["transitionStartRule"]["text"], e["transitionEndRule"]["text"])
            for e in design["elements"]]
    assert [pick(r, "ETCD", "TESTRL", "TEENRL") for r in rows_of(datasets["TE"])] == usdm


def test_visitnum_on_a_shared_day_puts_the_decision_before_the_dose() -> None:
    # the issue-9 edge study's protocol has QW7 (day 7 of each week): W5D7 and REV-W5 share
    # study day 35; the review (where the investigator decides) comes first, as in the plan
    from cc312_schedule import load_protocol
    from cc312_schedule.cdisc.sdtm import planned_visits

    p = load_protocol(Path(__file__).parent / "studies" / "issue-9-edges" / "protocol.toml")
    day35 = [(v.visitnum, v.visit) for v in planned_visits(p) if v.visitdy == 35]
    assert [name for _, name in day35] == ["REV-W5", "W5D7"]
    assert day35[0][0] + 1 == day35[1][0]
