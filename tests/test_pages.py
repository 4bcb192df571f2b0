"""The printed pages with the real programs: WeasyPrint PDFs read back by poppler (pdfinfo, pdffonts,
pdftotext) and the HTML pages opened, printed and photographed by headless Chromium.

tests/setup-system.sh installs chromium, poppler-utils, fonts-noto-cjk and libharfbuzz-subset0.
In CI (``CI`` set) a missing program is a failure; elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from conftest import copy_example_study, require_program
from pictures import WINDOW, chromium, png_size, print_to_pdf, screenshot

pytestmark = pytest.mark.slow


def need(program: str | None, name: str) -> str:
    """The program's path; a missing one skips the test with the reason (fails it in CI)."""
    return require_program(program or name, what=name)


def poppler(tool: str, pdf: Path) -> str:
    exe = need(shutil.which(tool), f"{tool} (poppler-utils)")
    args = [exe, str(pdf)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def flat(text: str) -> str:
    """pdftotext output without whitespace: a table cell may break a line anywhere."""
    return re.sub(r"\s+", "", text)


def run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    code = main(list(args), stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """The example study with identifying values in every optional subject column of 003."""
    folder = copy_example_study(tmp_path / "study")
    subjects = folder / "subjects.csv"
    subjects.write_text(subjects.read_text(encoding="utf-8").replace(
        "003,2,DL2,2026-07-06,SSc,2026-06-15,1979-12-01,F,HMY,",
        "003,2,DL2,2026-07-06,SSc,2026-06-16,1979-12-03,F,QJX,"), encoding="utf-8")
    return folder


# 003 from 2026-11-30: BIW to the cap (doses 43-48), EOT, FU1-FU3 (plan of the example study)
VISITS_003 = {
    "en": ["Monday 30 November 2026", "Thursday 3 December 2026", "Monday 7 December 2026",
           "Thursday 10 December 2026", "Monday 14 December 2026", "Thursday 17 December 2026",
           "Thursday 24 December 2026", "Thursday 14 January 2027", "Thursday 11 March 2027",
           "Thursday 3 June 2027"],
    "zh-CN": ["2026年11月30日 星期一", "2026年12月3日 星期四", "2026年12月7日 星期一",
              "2026年12月10日 星期四", "2026年12月14日 星期一", "2026年12月17日 星期四",
              "2026年12月24日 星期四", "2027年1月14日 星期四", "2027年3月11日 星期四",
              "2027年6月3日 星期四"],
}
LABELS = {
    "en": ["Your visit schedule", "Your study number", "Contraception", "Contact",
           "Study team telephone: +86 838 000 0000", "page 1 of 1",
           "If you cannot come on this day, you may come from … to …", "Wed 2 Dec to Fri 4 Dec",
           "version 1.1 of 2026-12-04", "plan of 2026-11-29"],
    "zh-CN": ["您的访视安排", "您的受试者编号", "避孕", "联系方式", "研究团队联系电话：+86 838 000 0000",
              "第 1 页，共 1 页", "如当天无法到访，可在以下日期之间到访", "12月2日（星期三）至 12月4日（星期五）", "上午9:00",
              "版本号：1.1 · 版本日期：2026年12月4日", "计划生成于2026年11月29日", "测量血压、脉搏和体温"],
}
#: Values of 003's optional columns (and its disease) that must never reach the paper.
SECRETS = ["1979-12-03", "1979年12月3日", "3 December 1979", "2026-06-16", "2026年6月16日",
           "16 June 2026", "QJX", "mRSS", "SSc"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_handout_pdf(study: Path, tmp_path: Path, lang: str) -> None:
    pdf = tmp_path / f"handout-{lang}.pdf"
    code, err = run("handout", str(study), "003", "-o", str(pdf), "--language", lang,
                    "--today", "2026-11-30", "--generated-at", "2026-11-29T02:00:00Z")
    assert code == 0, err
    info = poppler("pdfinfo", pdf)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 3
    fonts = poppler("pdffonts", pdf).splitlines()[2:]
    assert fonts, "no font at all"
    for line in fonts:  # name type encoding emb sub uni ...: every font embedded, one family
        assert line.split()[-5] == "yes", line
        assert "Noto-Sans-CJK-SC" in line.split()[0], line
    text = flat(poppler("pdftotext", pdf))
    for d in VISITS_003[lang]:
        assert flat(d) in text, d
    for label in LABELS[lang]:
        assert flat(label) in text, label
    for secret in SECRETS:
        assert flat(secret) not in text, secret
    # the disease-specific score is worded generically
    assert flat({"en": "how active your disease is", "zh-CN": "评估疾病活动度"}[lang]) in text


def test_handout_provisional_visits_are_to_be_confirmed(tmp_path: Path, study: Path) -> None:
    # 006 awaits the decision of its D28 assessment: with --assume QW its doses are provisional
    pdf = tmp_path / "006.pdf"
    code, err = run("handout", str(study), "006", "-o", str(pdf), "--language", "zh-CN",
                    "--today", "2026-11-30", "--assume", "QW")
    assert code == 0, err
    text = flat(poppler("pdftotext", pdf))
    assert flat("自该日期起暂无已确认的访视。") in text  # nothing confirmed
    tbc = text.index(flat("待确认的访视"))
    for d in ("2026年12月7日 星期一", "2026年12月14日 星期一"):  # provisional QW doses
        assert text.index(flat(d)) > tbc
    assert flat("如继续输液，日期将相应推后") in text


def test_missing_phone_renders_a_blank_and_warns(tmp_path: Path, study: Path) -> None:
    toml = study / "study.toml"
    toml.write_text(re.sub(r"(?m)^site\.phone = .*$", "", toml.read_text(encoding="utf-8")),
                    encoding="utf-8")
    out = tmp_path / "h.html"
    code, err = run("handout", str(study), "003", "-o", str(out), "--today", "2026-11-30")
    assert code == 0
    assert "warning: 003: study.toml has no [site] phone" in err
    assert "[MissingContactWarning]" in err
    html = out.read_text(encoding="utf-8")
    assert re.search(r'Study team telephone:\s*<span class="blank">', html)


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["999", "-o", "{tmp}/h.pdf"],
                 "SUBJECT: unknown subject: '999' (known subjects: 001, 002, 003, 004, 005, 006)",
                 id="unknown-subject"),
    pytest.param(["003", "-o", "{tmp}/h.docx"], "-o: the output must end in .pdf or .html",
                 id="not-pdf-or-html"),
    pytest.param(["003", "-o", "{tmp}/missing/h.pdf"], "-o: cannot write: the folder does not exist",
                 id="no-such-folder"),
    pytest.param(["003", "-o", "{tmp}/h.pdf", "--language", "fr"], "invalid choice: 'fr'",
                 id="bad-language"),
    pytest.param(["003", "-o", "{tmp}/h.pdf", "--assume", "Q3W"], "Q3W", id="unknown-regimen"),
])
def test_handout_bad_input(study: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code, err = run("handout", str(study), *[a.format(tmp=out) for a in args])
    assert code == 2 and message in err and "Traceback" not in err
    assert list(out.iterdir()) == []


# ---- Chromium ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "args", "expected"), [
    pytest.param("handout", ["handout", "{study}", "003", "-o", "{out}", "--language", "zh-CN",
                             "--today", "2026-11-30"],
                 ["您的访视安排", "2026年12月3日 星期四", "2027年6月3日 星期四", "第 1 页，共 1 页"],
                 id="handout-zh-CN"),
    pytest.param("due", ["due", "{study}", "--from", "2026-11-27", "--to", "2026-11-30",
                         "--format", "html", "-o", "{out}", "--language", "zh-CN"],
                 ["每日访视清单", "2026-11-28（周六）", "中心停诊：周六", "W21D4", "应决策"],
                 id="due-zh-CN"),
    pytest.param("due", ["due", "{study}", "--on", "2026-11-30", "--format", "html", "-o", "{out}",
                         "--language", "en"],
                 # a past day (the clock's today is later): "that day", not "today" (wave-cli3)
                 ["due list Mon 2026-11-30", "visits that day", "W22D1", "REV-W12",
                  "decisions due"], id="due-en"),
])
def test_html_pages_in_chromium(study: Path, tmp_path: Path, kind: str, args: list[str],
                                expected: list[str]) -> None:
    need(chromium(), "chromium")
    html = tmp_path / f"{kind}.html"
    code, err = run(*[a.format(study=study, out=html) for a in args])
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "<script" not in page
    pdf, png = tmp_path / f"{kind}.pdf", tmp_path / f"{kind}.png"
    print_to_pdf(html, pdf)
    screenshot(html, png)
    assert "(A4)" in poppler("pdfinfo", pdf)
    text = flat(poppler("pdftotext", pdf))
    for label in expected:
        assert flat(label) in text, label
    assert png_size(png) == WINDOW
    assert png.stat().st_size > 30_000  # a rendered page, not a blank one (blank: ~5 KB)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_longest_schedule_fits_three_pages(study: Path, tmp_path: Path, lang: str) -> None:
    # the most visits one schedule can hold: a subject before its first dose, BIW assumed to the
    # cap: 8 induction doses, D28, 40 provisional doses, 5 reviews, EOT and 3 follow-ups
    with (study / "subjects.csv").open("a", encoding="utf-8") as fh:
        fh.write("007,3,DL3,2026-12-07,SLE,2026-11-20,1980-01-01,F,,\n")
    pdf = tmp_path / "007.pdf"
    code, err = run("handout", str(study), "007", "-o", str(pdf), "--language", lang,
                    "--today", "2026-12-01", "--assume", "BIW")
    assert code == 0 and {"en": "9 visit(s), 48 to be confirmed",  # in the run's language
                          "zh-CN": "访视 9 次，待确认 48 次"}[lang] in err, err
    assert re.search(r"Pages:\s+3\n", poppler("pdfinfo", pdf))
    text = flat(poppler("pdftotext", pdf))
    for n in (1, 2, 3):  # the footer of every page
        assert flat({"en": f"page {n} of 3", "zh-CN": f"第 {n} 页，共 3 页"}[lang]) in text


def test_same_inputs_same_pdf_bytes(study: Path, tmp_path: Path) -> None:
    args = ["handout", str(study), "003", "--today", "2026-11-30", "--generated-at",
            "2026-11-30T01:00:00Z", "-o"]
    assert run(*args, str(tmp_path / "a.pdf"))[0] == 0
    assert run(*args, str(tmp_path / "b.pdf"))[0] == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
