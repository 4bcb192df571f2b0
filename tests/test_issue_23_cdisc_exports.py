"""Issue 23: CDISC exports a reviewer and a USDM tool can use.

DM, TS, DS and DV from the example study (expected values written out by hand from
templates/example-study), EX's dose variables, define.xml valid against the Define-XML 2.1
schema (odmlib's copy, checked by SHA-256), and the Chinese example exported with the default
format: a Chinese free text goes to Dataset-JSON, the XPT holds a placeholder naming that file.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyreadstat
import pytest

from cc312_schedule import bundled_protocol_path, example_study_path, load_study, plan_study
from cc312_schedule.cdisc.datasets import Dataset
from cc312_schedule.cdisc.sdtm import placeholder, to_sdtm, write_sdtm
from cc312_schedule.cli import main
from cc312_schedule.core.warnings import TransportTextWarning

DATA = Path(__file__).parent / "data" / "cdisc"
WHEN = datetime(2026, 11, 25, 8, tzinfo=UTC)


def rows(ds: Dataset, **where: Any) -> list[dict[str, Any]]:
    out = [ds.row_dict(i) for i in range(len(ds.rows))]
    return [r for r in out if all(r[k] == v for k, v in where.items())]


def pick(row: dict[str, Any], *cols: str) -> tuple[Any, ...]:
    return tuple(row[c] for c in cols)


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    study = load_study(example_study_path())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the example's own plan warnings (a late dose, ...)
        plan = plan_study(study)
    return {d.name: d for d in to_sdtm(study, plan)}


# ---- DM ------------------------------------------------------------------------------------

DM_COLS = ("SUBJID", "RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFICDTC", "BRTHDTC", "AGE",
           "SEX", "ACTARMCD", "COUNTRY")


@pytest.mark.parametrize("expected", [
    # RFENDTC: the last visit done (001: FU1 2026-11-02); RFXENDTC: the last dose (W23D1 10-05)
    ("001", "2026-05-04", "2026-11-02", "2026-05-04", "2026-10-05", "2026-04-13", "1988-02-29", 38, "F", "CC312", "CHN"),
    # stopped on 07-20 after the last dose on 07-13; FU2 done on 10-08
    ("002", "2026-05-18", "2026-10-08", "2026-05-18", "2026-07-13", "2026-04-27", "1971-09-14", 54, "M", "CC312", "CHN"),
    # consent on 2026-06-29, the day before her 31st birthday: 30
    ("004", "2026-07-20", "2026-11-09", "2026-07-20", "2026-11-09", "2026-06-29", "1995-06-30", 30, "F", "CC312", "CHN"),
    ("005", "2026-09-07", "2026-11-02", "2026-09-07", "2026-10-26", "2026-08-17", "1964-01-20", 62, "M", "CC312", "CHN"),
], ids=["001-leap-day-birth", "002-stopped", "004-day-before-birthday", "005-on-hold"])
def test_dm_rows(datasets: dict[str, Dataset], expected: tuple[Any, ...]) -> None:
    (row,) = rows(datasets["DM"], SUBJID=expected[0])
    assert pick(row, *DM_COLS) == expected
    assert pick(row, "USUBJID", "AGEU", "ARMCD", "SITEID") == (
        f"CC312-I-003-{expected[0]}", "YEARS", "CC312", "01")


def test_dm_subject_never_dosed_has_no_actual_arm(make_study: Any) -> None:
    folder = make_study(subjects="001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = load_study(folder)
        dm = {d.name: d for d in to_sdtm(study, plan_study(study))}["DM"]
    assert pick(dm.row_dict(0), "ACTARMCD", "ACTARM", "ARMNRS", "RFXSTDTC", "AGE") == (
        None, None, "ASSIGNED, NOT TREATED", None, 46)


# ---- DS, DV, TS ----------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "expected"), [
    ("002", [("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", None, "SCREENING", "2026-04-27", -21),
             ("PHYSICIAN DECISION", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-07-20", 64)]),
    ("001", [("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", None, "SCREENING", "2026-04-13", -21),
             ("COMPLETED", "DISPOSITION EVENT", "STUDY TREATMENT", "TREATMENT", "2026-10-05", 155)]),
    ("006", [("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", None, "SCREENING", "2026-10-05", -21)]),
], ids=["002-stopped", "001-treated-to-the-end", "006-in-induction"])
def test_ds_rows(datasets: dict[str, Dataset], subject: str, expected: list[tuple[Any, ...]]) -> None:
    got = rows(datasets["DS"], USUBJID=f"CC312-I-003-{subject}")
    assert [pick(r, "DSDECOD", "DSCAT", "DSSCAT", "EPOCH", "DSSTDTC", "DSSTDY") for r in got] == expected
    assert [r["DSSEQ"] for r in got] == list(range(1, len(expected) + 1))


def test_ds_stop_keeps_the_investigators_words(datasets: dict[str, Dataset]) -> None:
    (row,) = rows(datasets["DS"], USUBJID="CC312-I-003-002", DSDECOD="PHYSICIAN DECISION")
    assert row["DSTERM"] == "Grade 3 infusion reaction; treatment stopped, follow-up continues"


def test_a_withdrawal_is_a_ds_row(make_study: Any) -> None:
    folder = make_study(visits="001,W1D1,2026-03-02,done,\n", files={"subjects.csv": (
        "subject_id,cohort,dose_level,first_dose_date,disease,consent_date,date_of_birth,sex,"
        "initials,withdrawn_on\n001,1,DL1,2026-03-02,SLE,2026-02-01,1980-01-01,F,,2026-03-20\n")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = load_study(folder)
        ds = {d.name: d for d in to_sdtm(study, plan_study(study))}["DS"]
    assert [pick(r, "DSDECOD", "DSSCAT", "EPOCH", "DSSTDTC", "DSSTDY") for r in rows(ds)] == [
        ("INFORMED CONSENT OBTAINED", None, "SCREENING", "2026-02-01", -29),
        ("WITHDRAWAL BY SUBJECT", "STUDY PARTICIPATION", "TREATMENT", "2026-03-20", 19)]


def test_dv_a_dose_outside_its_window(datasets: dict[str, Dataset]) -> None:
    # 004's W6D1: target 2026-08-24 (study day 36), window -1/+1 (08-23..08-25), given 08-26
    assert [pick(r, "USUBJID", "DVDECOD", "DVCAT", "VISITNUM", "VISIT", "EPOCH", "DVSTDTC", "DVSTDY")
            for r in rows(datasets["DV"])] == [
        ("CC312-I-003-004", "DOSE OUTSIDE WINDOW", "STUDY TREATMENT", 14.0, "W6D1", "TREATMENT",
         "2026-08-26", 38)]
    assert rows(datasets["DV"])[0]["DVTERM"] == (
        "W6D1 dose given on 2026-08-26, outside its window 2026-08-23 to 2026-08-25")


@pytest.mark.parametrize(("code", "values"), [
    ("REGID", [("NCT07193810", "NCT07193810")]),
    ("TPHASE", [("EARLY PHASE I", "C54721")]),
    ("TBLIND", [("OPEN LABEL", "C49659")]),
    ("PLANSUB", [("6", None)]),
    ("AGEMIN", [("P18Y", None)]),
    ("AGEMAX", [("P65Y", None)]),
    ("SSTDTC", [("2025-09-30", None)]),
    ("DOSFRQ", [("2 TIMES PER WEEK", "C64497")]),
    ("ROUTE", [("INTRAVENOUS", "C38276")]),
    ("TTYPE", [("SAFETY", "C49667"), ("PHARMACOKINETIC", "C49663"), ("EFFICACY", "C49666")]),
    ("INDIC", [("Systemic Lupus Erythematosus (SLE)", None),
               ("Idiopathic Inflammatory Myopathies (IIM)", None), ("Systemic Sclerosis (SSc)", None)]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_ts_parameters(datasets: dict[str, Dataset], code: str, values: list[tuple[Any, ...]]) -> None:
    got = rows(datasets["TS"], TSPARMCD=code)
    assert [pick(r, "TSVAL", "TSVALCD") for r in got] == values
    assert [r["TSSEQ"] for r in got] == list(range(1, len(values) + 1))


# ---- EX dose variables -----------------------------------------------------------------------


def test_ex_without_amounts_names_the_dose_level(datasets: dict[str, Dataset]) -> None:
    (row,) = rows(datasets["EX"], USUBJID="CC312-I-003-003", VISIT="W1D1")
    assert pick(row, "EXDOSE", "EXDOSTXT", "EXDOSU", "EXDOSFRM", "EXROUTE", "EXDOSFRQ") == (
        None, "DL2", None, "INJECTION, SOLUTION", "INTRAVENOUS", "2 TIMES PER WEEK")


def test_ex_carries_the_dose_levels_amount_and_unit(make_study: Any, tmp_path: Path) -> None:
    text = bundled_protocol_path().read_text(encoding="utf-8").replace(
        'label = "Dose level 1"', 'label = "Dose level 1"\namount = 0.3\nunit = "mg/kg"')
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    folder = make_study(study=f'name = "T"\nprotocol = "{tmp_path / "p.toml"}"\n',
                        visits="001,W1D1,2026-03-02,done,\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = load_study(folder)
        ex = {d.name: d for d in to_sdtm(study, plan_study(study))}["EX"]
    assert pick(ex.row_dict(0), "EXDOSE", "EXDOSTXT", "EXDOSU", "EXDOSFRM", "EXROUTE") == (
        0.3, None, "mg/kg", "INJECTION, SOLUTION", "INTRAVENOUS")


@pytest.mark.parametrize(("dataset", "order"), [
    ("SV", ["STUDYID", "DOMAIN", "USUBJID", "VISITNUM", "VISIT", "SVPRESP", "SVOCCUR", "SVREASOC",
            "VISITDY", "SVSTDTC", "SVENDTC", "SVSTDY", "SVENDY", "SVUPDES"]),
    ("EX", ["STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSTXT", "EXDOSU",
            "EXDOSFRM", "EXDOSFRQ", "EXROUTE", "VISITNUM", "VISIT", "EPOCH", "EXSTDTC", "EXENDTC",
            "EXSTDY", "EXENDY"]),
], ids=["SV", "EX"])
def test_variable_order_is_sdtmig_3_4s(datasets: dict[str, Dataset], dataset: str, order: list[str]) -> None:
    assert list(datasets[dataset].names) == order


# ---- define.xml ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def define_schema() -> Any:
    import odmlib
    from lxml import etree

    root = Path(odmlib.__file__).parent / "schemas"
    for line in (DATA / "define-xml-2.1.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name
    return etree.XMLSchema(etree.parse(str(root / "define" / "2.1" / "define2-1-0.xsd")))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdtm")
    assert main(["sdtm", str(example_study_path()), "-o", str(out), "--generated-at",
                 "2026-11-25T08:00:00Z"], stderr=io.StringIO()) == 0
    return out


def test_define_xml_is_valid_define_2_1(written: Path, define_schema: Any,
                                        datasets: dict[str, Dataset]) -> None:
    from lxml import etree

    doc = etree.parse(str(written / "define.xml"))
    assert define_schema.validate(doc), define_schema.error_log
    ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1",
          "xlink": "http://www.w3.org/1999/xlink"}
    groups = doc.findall(".//odm:ItemGroupDef", ns)
    assert [g.get("Name") for g in groups] == ["TV", "TA", "TE", "TI", "TS", "DM", "SV", "SE", "EX", "DS", "DV"]
    assert [g.find("def:leaf", ns).get(f"{{{ns['xlink']}}}href") for g in groups][:2] == ["tv.xpt", "ta.xpt"]
    # every variable of every dataset, once, with an origin
    items = doc.findall(".//odm:ItemDef", ns)
    assert len(items) == sum(len(d.variables) for d in datasets.values())
    assert all(i.find("def:Origin", ns) is not None for i in items)
    epoch = doc.find(".//odm:CodeList[@OID='CL.EPOCH']", ns)
    assert [(e.get("CodedValue"), e.find("odm:Alias", ns).get("Name"))
            for e in epoch.findall("odm:EnumeratedItem", ns)] == [
        ("FOLLOW-UP", "C202578"), ("SCREENING", "C202487"), ("TREATMENT", "C101526")]


def test_the_define_schema_check_can_fail(written: Path, define_schema: Any) -> None:
    from lxml import etree

    doc = etree.parse(str(written / "define.xml"))
    leaf = doc.find(".//{http://www.cdisc.org/ns/def/v2.1}leaf")
    leaf.getparent().remove(leaf)  # an ItemGroupDef without its file
    item = doc.find(".//{http://www.cdisc.org/ns/odm/v1.3}ItemDef")
    item.set("DataType", "number")  # not an ODM data type
    assert not define_schema.validate(doc)


# ---- the Chinese example with the default format ---------------------------------------------


def test_chinese_example_exports_with_the_default_format(tmp_path: Path) -> None:
    out, err = tmp_path / "out", io.StringIO()
    assert main(["sdtm", str(example_study_path("zh-CN")), "-o", str(out)], stderr=err) == 0
    notes = [ln for ln in err.getvalue().splitlines() if ln.startswith("注意：")]
    assert notes == [  # in the study's language (review F7); the placeholder is the file's text
        "注意：visits.csv:55：SV.SVREASOC：“受试者发热，本次未给药，不予补给”保存在 sv.json 中；sv.xpt 中为占位文本"
        "“[non-ASCII text: see sv.json]”（SDTM XPT 仅支持 ASCII）",
        "注意：decisions.csv:5：DS.DSTERM：“3级输注反应；停止治疗，继续随访”保存在 ds.json 中；ds.xpt 中"
        "为占位文本“[non-ASCII text: see ds.json]”（SDTM XPT 仅支持 ASCII）"]
    frame, _ = pyreadstat.read_xport(str(out / "sv.xpt"))
    assert [x for x in frame["SVREASOC"] if x] == ["[non-ASCII text: see sv.json]"]
    doc = json.loads((out / "sv.json").read_text(encoding="utf-8"))
    col = [c["name"] for c in doc["columns"]].index("SVREASOC")
    assert [r[col] for r in doc["rows"] if r[col]] == ["受试者发热，本次未给药，不予补给"]
    assert (out / "define.xml").exists()


@pytest.mark.parametrize("fmt", ["both", "json"], ids=["both", "json"])
def test_chinese_example_other_formats(tmp_path: Path, fmt: str) -> None:
    assert main(["sdtm", str(example_study_path("zh-CN")), "-o", str(tmp_path), "--format", fmt],
                stderr=io.StringIO()) == 0
    assert (tmp_path / "sv.json").exists() and (tmp_path / "sv.xpt").exists() == (fmt == "both")


def test_the_placeholder_is_announced_as_a_warning_class(tmp_path: Path) -> None:
    study = load_study(example_study_path("zh-CN"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = plan_study(study)
    with pytest.warns(TransportTextWarning) as caught:
        write_sdtm(study, plan, tmp_path, generated_at=WHEN)
    assert len(caught) == 2
    assert placeholder("DS") == "[non-ASCII text: see ds.json]"
