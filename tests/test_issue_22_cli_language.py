"""Issue 22: the command line speaks the study's language.

The language of every line a person reads: ``--language``, else the study's ``language``
(study.toml), else the environment (LC_ALL, LC_MESSAGES, LANG), else English. The texts are
the catalogue's (``cli.*``, ``table.*``, ``err.*``, ``hint.*``), so a Chinese line never holds
a Python class name or a package version.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.core.messages import language_from_env, pick_language
from cc312_schedule.store.study import example_study_path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def zh(tmp_path: Path) -> Path:
    return Path(shutil.copytree(example_study_path("zh-CN"), tmp_path / "zh",
                                ignore=shutil.ignore_patterns(".cc312-*")))


@pytest.mark.parametrize(("given", "study", "env", "expected"), [
    ("en", "zh-CN", {"LANG": "zh_CN.UTF-8"}, "en"),        # --language wins
    (None, "zh-CN", {"LANG": "C.UTF-8"}, "zh-CN"),         # then the study's
    (None, None, {"LANG": "zh_CN.UTF-8"}, "zh-CN"),        # then the environment's
    (None, None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL first
    (None, None, {"LC_ALL": "", "LC_MESSAGES": "zh_CN", "LANG": "en_GB"}, "zh-CN"),
    (None, None, {"LANG": "de_DE.UTF-8"}, "en"),           # neither: English
    (None, None, {}, "en"),
], ids=["option", "study", "env", "lc-all-first", "lc-messages", "other-locale", "nothing"])
def test_the_language_is_picked_in_this_order(given: str | None, study: str | None,
                                              env: dict[str, str], expected: str) -> None:
    assert pick_language(given=given, study=study, environ=env) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("zh_CN.UTF-8", "zh-CN"), ("zh_CN", "zh-CN"), ("zh_SG.GB2312", "zh-CN"), ("C", "en"),
    ("POSIX", "en"), ("en_US.UTF-8", "en"), ("fr_FR.UTF-8", None), ("zh_TW.UTF-8", None),
], ids=str)
def test_the_environment_names_a_catalogue_language(value: str, expected: str | None) -> None:
    assert language_from_env({"LANG": value}) == expected


def test_check_of_a_chinese_study_is_chinese_without_class_names(zh: Path) -> None:
    code, out, err = run("check", str(zh))
    assert code == 0
    assert out.startswith(f"{zh}：检查通过 — 受试者 6 例，研究者决策 9 条，已记录访视 137 次")
    lines = err.splitlines()
    # warnings, and the one note that no sentinel interval is set (issue 19)
    assert lines and all(line.startswith(("警告：", "注意：")) for line in lines)
    assert not re.search(r"Warning\]|\[[A-Z][a-zA-Z]+\]", err)  # no class names
    assert "0.109" not in err and "节假日数据" not in err  # no package version (review B10)
    assert "【节假日为预估】" in err and "【超窗/方案偏离】" in err


def test_the_option_and_the_environment(zh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("--language", "en", "check", str(zh))
    assert code == 0 and ": ok — 6 subjects" in out
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    code, _, err = run("check", str(zh.parent / "no-such-study"))
    assert code == 2
    assert err.splitlines() == [f"错误：{zh.parent / 'no-such-study'}：研究文件夹不存在"
                                "（请给出包含 study.toml 和 subjects.csv 的文件夹）",
                                "共发现 1 个问题，未写入任何内容"]


@pytest.mark.parametrize(("args", "expected"), [
    (("plan", "{study}", "--subject", "3"), "错误：--subject：未知受试者：'3'（是否应为 003？）"),
    (("xlsx", "{study}", "-o", "{tmp}/plan.xlsx", "--today", "2026-11-25"),
     "已写入 {tmp}/plan.xlsx：受试者 6 例，访视 162 次"),
    (("due", "{study}", "--on", "2026-11-25", "--format", "csv", "-o", "{tmp}/due.csv"),
     # 003 REV-W20 and 006 D28 closing, 003 W21D1 overdue, 006's decision: 4 rows
     "已写入 {tmp}/due.csv：1 天内访视 4 次"),
], ids=["error-with-suggestion", "wrote-xlsx", "wrote-due"])
def test_lines_of_a_chinese_study(zh: Path, tmp_path: Path, args: tuple[str, ...],
                                  expected: str) -> None:
    fill = {"study": str(zh), "tmp": str(tmp_path)}
    _, _, err = run(*(a.format(**fill) for a in args))
    assert expected.format(**fill) in err.splitlines()


def test_plan_table_of_a_chinese_study(zh: Path) -> None:
    code, out, _ = run("plan", str(zh), "--today", "2026-11-25", "--quiet", "--subject", "001")
    assert code == 0
    assert out.splitlines()[:4] == [
        "CC312 示例研究（截至 2026-11-25）", "",
        "受试者 001 · 队列 1 · DL1 · 首次给药 2026-05-04 · 已达最长治疗期 · 当前：随访中",
        "  已给药 24 次，漏给药 0 次，待给药 0 次；最晚给药日期 2026-10-18；避孕截止日期 2027-04-05"]
    assert "  访视     访视类型" in out  # headers padded by display width (a character: two)
    assert "06-01（周一）" in out and " Mon" not in out and "treated to the cap" not in out


def test_the_english_table_is_unchanged() -> None:
    """English output keeps the engine's words: the golden plan.txt is the same file."""
    code, out, _ = run("plan", str(example_study_path()), "--today", "2026-11-25", "--quiet",
                       "--subject", "001")
    assert code == 0
    assert "Subject 001 · cohort 1 · DL1 · first dose 2026-05-04 · treated to the cap" in out
    assert "06-01 Mon" in out


def test_record_and_decide_say_what_they_change_in_chinese(zh: Path) -> None:
    code, out, _ = run("record", str(zh), "003", "W22D1", "--done", "2026-11-30",
                       "--today", "2026-11-30")
    assert code == 0
    assert out.splitlines() == ["受试者 003", "  + W22D1 已完成 2026-11-30（--done）",
                                "已写入 1 项更改，0 项冲突未写入，0 项此前已记录（无需重复写入）"]
    code, out, _ = run("decide", str(zh), "006", "继续治疗", "--on", "2026-11-25", "--regimen",
                       "QW", "--investigator", "研究者甲", "--rationale", "部分清除",
                       "--today", "2026-11-25")
    assert code == 0
    warnings = [line for line in out.splitlines() if line.startswith("警告：")]
    assert warnings and not [w for w in warnings if "Warning]" in w]  # the site's kinds
    assert "【停诊日冲突】" in out and out.endswith("已写入 1 项更改，0 项冲突未写入，0 项此前已记录（无需重复写入）\n")
