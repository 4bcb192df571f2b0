"""The protocol's [participant] lay wording and study.toml's [site] table: loading and bad input."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from cc312_schedule import load_study
from cc312_schedule.cli import main
from cc312_schedule.core.errors import InvalidStudyError
from cc312_schedule.core.model import EventKind
from cc312_schedule.core.protocol import VISIT_KINDS, bundled_protocol_path, load_protocol_text
from conftest import write_study

TEMPLATE = bundled_protocol_path().read_text(encoding="utf-8")


def test_visit_kinds_are_the_models() -> None:
    assert tuple(k.value for k in EventKind) == VISIT_KINDS


def test_bundled_wording_covers_every_kind_and_procedure_in_both_languages() -> None:
    p = load_protocol_text(TEMPLATE)
    assert p.participant is not None and p.participant.version == "1.1"
    assert p.participant.version_date == date(2026, 12, 4)
    items = {i for name in ("first_dose", "induction_dose", "continuation_dose", "assessment",
                            "review", "eot", "follow_up") for i in getattr(p.procedures, name)}
    for lang in ("en", "zh-CN"):
        assert p.participant.title(lang)
        for kind in VISIT_KINDS:
            assert p.participant.visit(kind, lang)
        for item in items:
            assert p.participant.procedure(item, lang)
    assert p.participant.visit("dose", "zh-CN") == "静脉输液研究药物 CC312（约2小时）。"


# (replace this, with that) in the template -> what the error names
BAD = [
    pytest.param('"PK post-dose" = { en = "blood sample after the infusion", zh-CN = "输液后采血" }\n', "",
                 "participant.procedures.PK post-dose: no lay wording for this procedure",
                 id="procedure-without-wording"),
    pytest.param('"vital signs" = { en = "blood pressure, pulse and temperature", ',
                 '"vital sign" = { en = "blood pressure, pulse and temperature", ',
                 "participant.procedures.vital sign: not an item of [procedures]", id="typo-in-item"),
    pytest.param(', zh-CN = "输液后采血" }', " }",
                 "participant.procedures.PK post-dose.zh-CN: missing required key",
                 id="language-missing"),
    pytest.param('zh-CN = "治疗结束后，了解您的身体情况。"', 'zh-CN = ""',
                 "participant.visits.follow-up.zh-CN: must be a non-empty string: ''", id="empty-text"),
    pytest.param('eot = { en = "A check-up', 'eos = { en = "A check-up',
                 "participant.visits.eot: missing required table", id="visit-kind-missing"),
    pytest.param('version = "1.1"', "version = 1",
                 "participant.version: must be a non-empty string: 1", id="version-not-text"),
    pytest.param("version_date = 2026-12-04", 'version_date = "2026-12-04"',
                 "participant.version_date: must be a TOML date (YYYY-MM-DD, unquoted)",
                 id="version-date-quoted"),
    pytest.param('title = { en = "A study', 'title = { fr = "x", en = "A study',
                 "participant.title.fr: unknown key: 'x'", id="unknown-language"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_bad_wording_is_refused_with_its_key(old: str, new: str, expected: str, tmp_path: Path) -> None:
    assert old in TEMPLATE
    bad = TEMPLATE.replace(old, new, 1)
    with pytest.raises(InvalidStudyError) as info:
        load_protocol_text(bad, source="bad.toml")
    assert expected in str(info.value)
    study = write_study(tmp_path / "s", study='name = "x"\nprotocol = "bad.toml"\n',
                        files={"bad.toml": bad})
    out = tmp_path / "h.pdf"
    err = io.StringIO()
    assert main(["handout", str(study), "001", "-o", str(out)], stdout=io.StringIO(), stderr=err) == 2
    assert expected in err.getvalue() and not out.exists()


def test_protocol_without_participant_loads_but_handout_refuses(tmp_path: Path) -> None:
    own = TEMPLATE[:TEMPLATE.index("\n[participant]")] + "\n"
    assert load_protocol_text(own).participant is None
    study = write_study(tmp_path / "s", study='name = "x"\nprotocol = "own.toml"\n',
                        files={"own.toml": own})
    out, err = tmp_path / "h.html", io.StringIO()
    assert main(["handout", str(study), "001", "-o", str(out)], stdout=io.StringIO(), stderr=err) == 2
    assert "protocol: the protocol has no [participant] wording" in err.getvalue()
    assert not out.exists()


@pytest.mark.parametrize(("toml", "site", "phone"), [
    pytest.param('name = "x"\nsite = "Ward 7"\n', "Ward 7", "", id="site-as-text"),
    pytest.param('name = "x"\n[site]\nname = "Ward 7"\nphone = " 0838-1234 "\n', "Ward 7", "0838-1234",
                 id="site-table"),
    pytest.param('name = "x"\nsite.phone = "0838-1234"\n', "", "0838-1234", id="phone-only"),
])
def test_site_name_and_phone(toml: str, site: str, phone: str, tmp_path: Path) -> None:
    config = load_study(write_study(tmp_path / "s", study=toml)).config
    assert (config.site, config.site_phone) == (site, phone)


@pytest.mark.parametrize(("toml", "expected"), [
    pytest.param('name = "x"\n[site]\nphone = 8381234\n',
                 "study.toml: site.phone: must be a string: 8381234", id="phone-not-text"),
    pytest.param('name = "x"\n[site]\nfax = "1"\n', "study.toml: site.fax: unknown key: '1'",
                 id="unknown-site-key"),
])
def test_bad_site_table(toml: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidStudyError) as info:
        load_study(write_study(tmp_path / "s", study=toml))
    assert expected in str(info.value)


# Review A11: the footer prints 版本号 and 版本日期 apart, dates as Chinese documents write
# them; a study's older copy of the protocol file (its date inside `version`, no
# `version_date`) still loads and prints its version alone.
@pytest.mark.parametrize(("old", "new", "lang", "expected"), [
    pytest.param("", "", "zh-CN",
                 "NCT07193810 / CC312-I-003 · 受试者访视安排表 · 版本号：1.1 · "
                 "版本日期：2026年12月4日 · 计划生成于2026年11月29日", id="zh-dated"),
    pytest.param("", "", "en",
                 "NCT07193810 / CC312-I-003 · participant schedule, version 1.1 of 2026-12-04 · "
                 "plan of 2026-11-29", id="en-dated"),
    pytest.param('version = "1.1"', 'version = "1.0 (2026-11-30)"', "zh-CN",
                 "NCT07193810 / CC312-I-003 · 受试者访视安排表 · 版本号：1.0 (2026-11-30) · "
                 "计划生成于2026年11月29日", id="zh-older-copy"),
    pytest.param('version = "1.1"', 'version = "1.0 (2026-11-30)"', "en",
                 "NCT07193810 / CC312-I-003 · participant schedule, version 1.0 (2026-11-30) · "
                 "plan of 2026-11-29", id="en-older-copy"),
])
def test_handout_footer_version_and_dates(old: str, new: str, lang: str, expected: str,
                                          tmp_path: Path) -> None:
    import html
    import re

    from cc312_schedule import plan_study
    from cc312_schedule.reports.handout import plan_handout
    from cc312_schedule.reports.pages import to_handout_html

    own = TEMPLATE
    if old:
        assert old in own and "version_date = 2026-12-04" in own
        own = own.replace(old, new, 1).replace("version_date = 2026-12-04", "", 1)
    folder = write_study(tmp_path / "s", study=f'name = "x"\nlanguage = "{lang}"\n'
                         'protocol = "own.toml"\n', files={"own.toml": own})
    study = load_study(folder)
    plan = plan_study(study, today=date(2026, 11, 30))
    h = plan_handout(study, plan, plan.subjects[0].subject_id, today=date(2026, 11, 30),
                     generated=date(2026, 11, 29), language=lang)
    page = html.unescape(re.sub(r"\s+", " ", to_handout_html(h)))
    assert expected in page
