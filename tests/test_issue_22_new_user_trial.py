"""Issue 22, a new Chinese user's trial of the command line on a copy of the zh-CN example
study (wave-cli3): each finding a row of a table, with the exact words expected.

The English-word sweep of the same runs is in test_issue_22_cli_chinese_everywhere.py; here
the texts themselves: what a conflict shows, how a count reads, the punctuation.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.store.study import example_study_path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    return Path(shutil.copytree(example_study_path("zh-CN"), tmp_path / "研究",
                                ignore=shutil.ignore_patterns(".cc312-*")))


# ---- 2. a conflict shows what was recorded and only what the user entered ------------------
# 003 W10D4 is recorded done 2026-09-11 with the note “因交通原因推迟1天给药；在窗口期内”.
CONFLICTS = [
    ("no-note", ("--done", "2026-09-10"),
     "错误：受试者 003：W10D4 已记录为 已完成 2026-09-11 “因交通原因推迟1天给药；在窗口期内”"
     "（visits.csv 第72行），本次录入为 已完成 2026-09-10：未写入（请更正录入内容，或注明原因后"
     "更正：--amend REASON）\n"),
    ("own-note", ("--done", "2026-09-10", "--note", "交通"),
     "错误：受试者 003：W10D4 已记录为 已完成 2026-09-11 “因交通原因推迟1天给药；在窗口期内”"
     "（visits.csv 第72行），本次录入为 已完成 2026-09-10 “交通”：未写入（请更正录入内容，或注明"
     "原因后更正：--amend REASON）\n"),
]


@pytest.mark.parametrize(("typed", "said"), [c[1:] for c in CONFLICTS],
                         ids=[c[0] for c in CONFLICTS])
def test_a_record_conflict_shows_only_what_was_entered(study: Path, typed: tuple[str, ...],
                                                       said: str) -> None:
    before = (study / "visits.csv").read_bytes()
    code, out, err = run("record", str(study), "003", "W10D4", *typed, "--today", "2026-12-04")
    assert (code, out, err) == (2, "", said)
    assert (study / "visits.csv").read_bytes() == before


# ---- 1. no password typed: one line, exit 2, no traceback, no user -------------------------
NO_PASSWORD = ("错误：密码：未输入密码：没有可输入密码的终端，或输入已结束（请用 --password-file "
               "FILE 给出密码文件，密码写在第一行；或在终端中运行本命令并输入密码）\n")


@pytest.mark.parametrize("stdin", [b"correct horse battery\n", b""], ids=["piped", "empty"])
def test_no_terminal_no_password(study: Path, stdin: bytes) -> None:
    """``echo pw | cc312-schedule users add ...`` in a session without a terminal (a script,
    cron, ssh without -t): getpass would read the pipe with echo after an English warning,
    then fail on the second prompt with a traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src"),
           "LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "cc312_schedule", "users", "add", str(study),
                           "chen3", "--role", "nurse"], input=stdin, capture_output=True,
                          env=env, start_new_session=True, timeout=120)  # no controlling tty
    assert (done.returncode, done.stdout, done.stderr.decode()) == (2, b"", NO_PASSWORD)
    assert run("users", "list", str(study)) == (0, "", "")
    assert not (study / "audit.csv").exists()


@pytest.mark.parametrize("stops", [(EOFError,), ("a long passphrase", EOFError),
                                   (KeyboardInterrupt,)],
                         ids=["ctrl-d", "ctrl-d-at-the-second", "ctrl-c"])
def test_the_prompt_ended(study: Path, monkeypatch: pytest.MonkeyPatch,
                          stops: tuple[object, ...]) -> None:
    import getpass

    answers = iter(stops)

    def ask(prompt: str, stream: object = None) -> str:
        a = next(answers)
        if isinstance(a, str):
            return a
        raise a  # type: ignore[misc]

    monkeypatch.setattr(getpass, "getpass", ask)
    code, out, err = run("users", "add", str(study), "chen3", "--role", "nurse")
    assert (code, out, err) == (2, "", "\n" + NO_PASSWORD)
    assert run("users", "list", str(study)) == (0, "", "")


# ---- 4. serve's start and stop lines in the study's language ------------------------------
@pytest.mark.parametrize(("language", "started", "stopped"), [
    ("zh-CN", "cc312-schedule 研究中心工作台已启动：{folder}，地址 {base}/（停止：Ctrl-C 或 SIGTERM）",
     "cc312-schedule 研究中心工作台已停止"),
    ("en", "cc312-schedule desk of {folder} on {base}/ (stop: Ctrl-C or SIGTERM)",
     "cc312-schedule desk stopped"),
], ids=["zh-CN", "en"])
def test_serve_says_where_it_listens_in_the_study_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, started: str,
        stopped: str) -> None:
    from desk_support import running_desk, stop_desk

    monkeypatch.setenv("LANG", "C.UTF-8")
    with running_desk(tmp_path, language=language) as desk:
        assert stop_desk(desk.process) == 0
        lines = desk.log_text().splitlines()
    assert lines[0] == started.format(folder=desk.folder, base=desk.base)
    assert lines[-1] == stopped


# ---- 4. --language after every command, as before it --------------------------------------
AFTER = [
    ("check", ("check", "{S}", "--today", "2026-12-04", "--language", "en"), ": ok — 6 subjects"),
    ("check-before", ("--language", "en", "check", "{S}", "--today", "2026-12-04"),
     ": ok — 6 subjects"),
    ("audit-verify", ("audit", "verify", "{S}", "--language", "en"), "intact, 0 entries"),
    ("users-list", ("users", "list", "{S}", "--language", "en"), ""),
    ("plan-error", ("plan", "{S}", "--subject", "099", "--language", "en"), "unknown subject"),
    ("record-error", ("record", "{S}", "099", "W1D1", "--done", "2026-05-04", "--language",
                      "en"), "unknown subject"),
    ("next-slot", ("next-slot", "{S}", "--cohort", "1", "--after", "2026-12-01", "--language",
                   "en"), "2026-12-0"),
    ("due-own", ("due", "{S}", "--on", "2026-12-04", "--language", "en"), "due list"),
]


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in AFTER], ids=[c[0] for c in AFTER])
def test_language_after_the_command(study: Path, argv: tuple[str, ...], expected: str) -> None:
    import re

    code, out, err = run(*(a.format(S=study) for a in argv))
    assert code in (0, 2), err
    assert expected in out + err
    assert not re.search(r"[\u4e00-\u9fff]", (out + err).replace(str(study), "")
                         .replace("CC312 示例研究", "")), out + err


def test_language_after_the_command_overrides_the_one_before(study: Path) -> None:
    code, out, err = run("--language", "en", "check", str(study), "--today", "2026-12-04",
                         "--language", "zh-CN")
    assert code == 0 and "检查通过" in out, out + err
    code, out, err = run("--language", "zh-CN", "check", str(study), "--today", "2026-12-04")
    assert code == 0 and "检查通过" in out, out + err


# ---- 5. counts that say what they count; which id was typed as a number -------------------
def _workbook(study: Path, tmp: Path, cells: dict[tuple[str, str], dict[str, object]]) -> Path:
    """The study's workbook, exported, with ``cells`` typed into Visits rows (by subject and
    visit; columns by their Chinese headers)."""
    import openpyxl

    path = tmp / "plan.xlsx"
    assert run("xlsx", str(study), "-o", str(path), "--today", "2026-12-04",
               "--generated-at", "2026-12-04T08:00:00Z")[0] == 0
    wb = openpyxl.load_workbook(path)
    visits = wb.worksheets[1]
    head = next(r for r in visits.iter_rows(max_row=8) if any(c.value == "访视" for c in r))
    cols = {c.value: c.column for c in head}
    for row in visits.iter_rows(min_row=head[0].row + 1):
        key = (row[cols["受试者"] - 1].value, row[cols["访视"] - 1].value)
        for name, value in cells.get(key, {}).items():  # type: ignore[arg-type]
            visits.cell(row=row[0].row, column=cols[name], value=value)
    wb.save(path)
    return path


IMPORTS = [
    ("one-new", {("006", "D28"): {"实际访视日期": "2026-11-23", "实际访视状态": "已完成"}},
     ["受试者 006", "将写入 1 项更改，0 项冲突不写入，9 项此前已记录（无需重复写入）"], 0),
    ("numeric-subject", {("006", "D28"): {"受试者": 6, "实际访视日期": "2026-11-23",
                                          "实际访视状态": "已完成"}},
     ["：受试者编号被输入为数字（开头的 0 已丢失）：6（请将该列设为“文本”格式"], 2),
    ("numeric-visit", {("006", "D28"): {"访视": 28, "实际访视日期": "2026-11-23",
                                        "实际访视状态": "已完成"}},
     ["：访视被输入为数字：28（请按访视计划中的名称输入访视，例如 W1D1、D28 或 EOT）"], 2),
]


@pytest.mark.parametrize(("cells", "said", "code"), [c[1:] for c in IMPORTS],
                         ids=[c[0] for c in IMPORTS])
def test_import_says_what_it_counts(study: Path, tmp_path: Path,
                                    cells: dict[tuple[str, str], dict[str, object]],
                                    said: list[str], code: int) -> None:
    path = _workbook(study, tmp_path, cells)
    got, out, err = run("import", str(study), str(path), "--today", "2026-12-04")
    assert got == code, out + err
    for text in said:
        assert text in out + err, out + err


def test_nothing_to_change_says_it_was_recorded_before(study: Path, tmp_path: Path) -> None:
    path = _workbook(study, tmp_path, {("006", "D28"): {"实际访视日期": "2026-11-23",
                                                        "实际访视状态": "已完成"}})
    assert run("import", str(study), str(path), "--today", "2026-12-04", "--apply")[0] == 0
    assert run("import", str(study), str(path), "--today", "2026-12-04") == (
        0, "无需更改（10 项此前已记录）\n", "")


# ---- 6. Chinese lines use full-width punctuation: what an entry changes, the desk's lines ---
def _record(study: Path, *args: str) -> str:
    code, out, err = run("record", str(study), *args, "--today", "2026-12-04")
    assert code == 0, err
    return out.splitlines()[1]


LINES = [
    ("amended", ("006", "W1D1", "--missed", "--note", "未到访", "--amend", "护士误将日期录错"),
     "  ~ W1D1：已完成 2026-10-26 → 漏访 “未到访”（已更正：护士误将日期录错；visits.csv 第131行）"),
    ("new-with-note", ("006", "D28", "--done", "2026-11-23", "--note", "按时"),
     "  + D28 已完成 2026-11-23 “按时”（--done）"),
    ("amended-en", ("--language", "en", "006", "W1D1", "--missed", "--note", "away",
                    "--amend", "oops"),
     "  ~ W1D1: done 2026-10-26 -> missed “away”  (amended: oops; visits.csv:131)"),
]


@pytest.mark.parametrize(("args", "line"), [c[1:] for c in LINES], ids=[c[0] for c in LINES])
def test_what_an_entry_changes_in_the_languages_punctuation(study: Path, args: tuple[str, ...],
                                                            line: str) -> None:
    assert _record(study, *args) == line


def test_a_decision_line_in_chinese(study: Path) -> None:
    code, out, err = run("decide", str(study), "006", "continue", "--on", "2026-12-01",
                         "--regimen", "QW", "--weeks", "8", "--investigator", "研究者甲",
                         "--rationale", "疗效良好", "--today", "2026-12-04")
    assert code == 0, err
    assert out.splitlines()[1] == "  + 研究者决策：2026-12-01 继续治疗，QW，8周，研究者 研究者甲（--on）"


def test_the_desks_lines_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning on the subject page, a conflict and an amendment in the workbook's preview:
    Chinese, full-width (the conflict was English)."""
    import html
    import re

    from desk_support import running_desk

    monkeypatch.setenv("LANG", "C.UTF-8")
    with running_desk(tmp_path, language="zh-CN") as desk:
        c = desk.client("coordinator")
        assert c.post_form("/language", {"lang": "zh-CN"}).status == 302
        items = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in
                 re.findall(r"<li>(.*?)</li>", c.get("/subjects/004").text, re.S)]
        assert any(i.startswith("W6D1 超窗/方案偏离：实际访视日期 2026-08-26") for i in items), items
        assert " 节假日为预估：2027年计划日期按预估节假日排定，国务院放假通知发布后请复核" in items
        path = _workbook(desk.folder, tmp_path, {("001", "W1D1"): {"实际访视日期": "2026-05-05"}})
        said = {}
        for amend in ("", "录入错误"):
            page = c.post_form("/workbook/preview", {"amend": amend}, csrf_from="/workbook",
                               files={"workbook": ("plan.xlsx", path.read_bytes())}).text
            said[amend] = [html.unescape(li) for li in
                           re.findall(r"<li>(.*?)</li>", page.split('class="preview"')[-1], re.S)]
    assert any(re.fullmatch(r"访视计划!\w+：W1D1 已记录为 已完成 2026-05-04（visits.csv 第2行），"
                            r"本次录入为 已完成 2026-05-05：未写入（请更正录入内容，或在“更正已有"
                            r"记录，原因”中填写原因后重新预览）", i) for i in said[""]), said[""]
    assert "001 W1D1：已完成 2026-05-04 → 已完成 2026-05-05（录入错误）" in said["录入错误"], said


# ---- 7. users list: when a user was created, in the site's time ---------------------------
USERS = [
    ("zh-CN", (), None, "chen3\t研究护士\t已启用\t陈三\t创建于 2026-12-05 06:35（北京时间）\tAPI 令牌 0 个\n"),
    ("en", ("--language", "en"), None,
     "chen3\tnurse\tactive\t陈三\tcreated 2026-12-05 06:35 (Beijing time)\t0 token(s)\n"),
    ("other-zone", ("--language", "en"), "Europe/Berlin",
     "chen3\tnurse\tactive\t陈三\tcreated 2026-12-04 23:35 (Europe/Berlin)\t0 token(s)\n"),
]


@pytest.mark.parametrize(("extra", "zone", "line"), [u[1:] for u in USERS],
                         ids=[u[0] for u in USERS])
def test_users_list_says_the_site_time(study: Path, extra: tuple[str, ...], zone: str | None,
                                       line: str) -> None:
    from datetime import UTC, datetime

    from cc312_schedule.store import users
    from cc312_schedule.store.audit import cli_actor

    users.add_user(study, "chen3", role="nurse", password="correct horse battery",
                   display_name="陈三", actor=cli_actor("admin"),
                   at=datetime(2026, 12, 4, 22, 35, 54, tzinfo=UTC))
    if zone:
        toml = (study / "study.toml").read_text(encoding="utf-8")
        (study / "study.toml").write_text(toml.replace('"Asia/Shanghai"', f'"{zone}"', 1),
                                          encoding="utf-8")
    assert run("users", "list", str(study), *extra) == (0, line, "")


# ---- 8. the day list of another day says "that day", never "today" -----------------------
# 2026-12-07 (a Monday) lists 3 visits of that day; the site's today is pinned to 2026-12-05
# or to 2026-12-07 itself.
DAYS = [
    ("future-table", "2026-12-05", "table", ("当日访视 3", "  当日访视：", "窗口期当日或下一工作日截止 0")),
    ("future-html", "2026-12-05", "html", ("当日访视 3", "窗口期当日或下一工作日截止 0")),
    ("future-csv", "2026-12-05", "csv", ("2026-12-07,当日访视,003",)),
    ("past-table", "2026-12-09", "table", ("当日访视 3",)),
    ("today-table", "2026-12-07", "table", ("今日访视 3", "  今日访视：", "窗口期今日或下一工作日截止 0")),
    ("today-html", "2026-12-07", "html", ("今日访视 3",)),
    ("today-csv", "2026-12-07", "csv", ("2026-12-07,今日访视,003",)),
]


@pytest.mark.parametrize(("today", "form", "said"), [d[1:] for d in DAYS],
                         ids=[d[0] for d in DAYS])
def test_the_day_list_of_another_day(study: Path, monkeypatch: pytest.MonkeyPatch, today: str,
                                     form: str, said: tuple[str, ...]) -> None:
    from datetime import date

    import cc312_schedule.cli as cli

    monkeypatch.setattr(cli, "_today_at_site", lambda zone: date.fromisoformat(today))
    code, out, err = run("due", str(study), "--on", "2026-12-07", "--format", form,
                         "--generated-at", "2026-12-05T08:00:00Z")
    assert code == 0, err
    for text in said:
        assert text in out, out
    other = "今日" if "当日访视" in said[0] else "当日"
    assert other not in out


# ---- 9. a study's file given where its folder is expected ---------------------------------
# every command that takes a study folder, given STUDY/subjects.csv: it says so and names the
# folder to give (the language: the file's study's)
FILE_FOR_FOLDER = [
    ("plan", ()), ("check", ()), ("next-slot", ("--cohort", "1")), ("ics", ("-o", "{T}/ics")),
    ("xlsx", ("-o", "{T}/plan.xlsx")), ("import", ("{T}/plan.xlsx",)),
    ("record", ("001", "W1D1", "--done", "2026-05-04")),
    ("decide", ("006", "stop", "--on", "2026-12-01", "--investigator", "甲", "--rationale", "x")),
    ("usdm", ("-o", "{T}/usdm.json")), ("sdtm", ("-o", "{T}/sdtm")), ("due", ()),
    ("handout", ("006", "-o", "{T}/h.html")), ("feed", ("-o", "{T}/feed")),
    ("publish", ("--url", "http://127.0.0.1:9/", "--user", "u", "--password-file", "{T}/pw")),
    ("audit verify", ()), ("audit show", ()), ("users list", ()), ("users token", ("li.na",)),
    ("users add", ("wang", "--role", "nurse", "--password-file", "{T}/pw")),
    ("users disable", ("li.na",)), ("serve", ()),
]


@pytest.mark.parametrize(("command", "rest"), FILE_FOR_FOLDER, ids=[c for c, _ in FILE_FOR_FOLDER])
def test_a_file_given_for_the_study_folder(study: Path, tmp_path: Path, command: str,
                                           rest: tuple[str, ...]) -> None:
    (tmp_path / "pw").write_text("correct horse battery\n", encoding="utf-8")
    (tmp_path / "plan.xlsx").write_bytes(b"")
    given = study / "subjects.csv"
    code, out, err = run(*command.split(), str(given), *(a.format(T=tmp_path) for a in rest))
    assert code == 2, out + err
    assert "这是一个文件，而不是研究文件夹" in err and f"请给出研究文件夹：{study}）" in err, err
    assert "不存在" not in err


# ---- 10. a missed visit needs its reason, as the desk's form says --------------------------
NO_REASON = ("错误：--note：记录漏访时请在备注中填写原因（请写明未进行访视的原因：--note TEXT，或"
             "工作簿的备注列）\n共发现 1 个问题，未写入任何内容\n")
MISSED = [
    ("new-without-a-note", ("003", "W21D4", "--missed"), None, 2, NO_REASON),
    ("new-with-a-note", ("003", "W21D4", "--missed", "--note", "受试者发热"), None, 0, ""),
    ("corrected-to-missed-without-a-note", ("001", "W1D1", "--missed", "--amend", "录入错误"),
     None, 2, NO_REASON),
    # a visit recorded missed without a reason before this rule stays as it is: nothing to write
    ("recorded-so-already", ("003", "W21D4", "--missed"), "003,W21D4,,missed,\n", 0, ""),
]


@pytest.mark.parametrize(("args", "row", "code", "said"), [m[1:] for m in MISSED],
                         ids=[m[0] for m in MISSED])
def test_a_missed_visit_needs_its_reason(study: Path, args: tuple[str, ...], row: str | None,
                                         code: int, said: str) -> None:
    if row:
        with (study / "visits.csv").open("a", encoding="utf-8") as fh:
            fh.write(row)
    before = (study / "visits.csv").read_bytes()
    got, out, err = run("record", str(study), *args, "--today", "2026-12-04")
    assert (got, err) == (code, said), out + err
    if code:
        assert (study / "visits.csv").read_bytes() == before


def test_a_missed_visit_in_the_workbook_needs_its_reason(study: Path, tmp_path: Path) -> None:
    import re

    path = _workbook(study, tmp_path, {("003", "W21D4"): {"实际访视状态": "漏访"}})
    code, out, err = run("import", str(study), str(path), "--today", "2026-12-04")
    assert code == 2 and re.search(r"访视计划![A-Z]+\d+：记录漏访时请在备注中填写原因", err), err
    path = _workbook(study, tmp_path, {("003", "W21D4"): {"实际访视状态": "漏访",
                                                          "备注": "受试者发热"}})
    code, out, err = run("import", str(study), str(path), "--today", "2026-12-04")
    assert code == 0 and "W21D4 漏访 “受试者发热”" in out, out + err
