"""Issue 22: for a zh-CN study every line the command line prints is Chinese, errors included.

Not a list of known messages: every command is run against a zh-CN copy of the example
study (the study's ``language``) and against the English one with ``--language zh-CN``,
through a table of failure cases (bad argument values, missing and unreadable files,
malformed CSV rows, a bad protocol template, the review's F3 workbook, publish against an
unreachable and a fake server, SDTM XPT with Chinese notes, the lock held, ...) and a few
runs that succeed. The output is then searched for runs of Latin letters: what is left after
the allowed tokens (file names, paths, visit ids, codes, URLs, option names, values a user
types) is English a Chinese CRC would read, and fails the case with the words found.
"""

from __future__ import annotations

import ast
import getpass
import http.server
import io
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cc312_schedule.cli import main
from cc312_schedule.core.messages import say_error
from cc312_schedule.store.study import example_study_path
from chinese_text import english_words
from live_support import PASSWORD, Radicale, radicale
from test_issue_20_publish import _Handler

__all__ = ["radicale"]  # a fixture, imported for pytest

# ---- the runs ---------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def fake_server() -> Iterator[str]:
    # the publish tests' fake server, answering every request with a hotel's wifi portal
    portal = type("Portal", (_Handler,), {"reply": "captive-portal-html"})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), portal)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def closed_port() -> int:
    import socket

    with socket.socket() as s:  # a port nothing listens on (bound, then closed)
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _append(name: str, text: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        with (study / name).open("a", encoding="utf-8") as fh:
            fh.write(text)
    return setup


def _replace(name: str, old: str, new: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        path = study / name
        text = path.read_text(encoding="utf-8")
        assert old in text or new in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def _write(name: str, text: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        (tmp / name).write_text(text, encoding="utf-8")
    return setup


def _password_file(study: Path, tmp: Path) -> None:
    (tmp / "pw").write_text("correct horse battery\n", encoding="utf-8")


def _f3_workbook(study: Path, tmp: Path) -> None:
    """The review's F3 cases typed into the study's own workbook: a status that is no choice
    (完成), a date as 2026/11/23, 30 weeks past the cap of 24."""
    import openpyxl

    assert run("xlsx", str(study), "-o", str(tmp / "plan.xlsx"), "--today", "2026-12-04",
               "--generated-at", "2026-12-04T08:00:00Z")[0] == 0
    wb = openpyxl.load_workbook(tmp / "plan.xlsx")
    visits, decisions = wb.worksheets[1], wb.worksheets[2]
    heads = {c.value: c.column for c in next(r for r in visits.iter_rows(max_row=8)
                                             if any(c.value in ("访视", "Visit") for c in r))}
    header_row = next(r[0].row for r in visits.iter_rows(max_row=8)
                      if any(c.value in ("访视", "Visit") for c in r))
    status_col = heads.get("实际访视状态") or heads["Actual status"]
    date_col = heads.get("实际访视日期") or heads["Actual date"]
    visits.cell(row=header_row + 150, column=status_col, value="完成")
    visits.cell(row=header_row + 151, column=date_col, value="2026/11/23")
    dheads = next(r for r in decisions.iter_rows(max_row=8)
                  if any(c.value in ("决策类型", "Action") for c in r))
    dcols = {c.value: c.column for c in dheads}
    row = dheads[0].row + 1
    for name_zh, name_en, value in (("受试者", "Subject", "006"),
                                    ("决策日期", "Decided on", "2026-12-01"),
                                    ("决策类型", "Action", "继续治疗"), ("给药方案", "Regimen", "QW"),
                                    ("持续周数", "Weeks", 30), ("研究者", "Investigator", "研究者甲"),
                                    ("决策依据", "Rationale", "疗效良好")):
        decisions.cell(row=row + 20, column=dcols.get(name_zh) or dcols[name_en], value=value)
    wb.save(tmp / "plan.xlsx")


def _conflict_workbook(study: Path, tmp: Path) -> None:
    """The study's own workbook with 001 W1D1 (recorded done 2026-05-04) typed as done a day
    later: a conflict the import reports and does not apply."""
    import datetime

    import openpyxl

    _export(study, tmp)
    wb = openpyxl.load_workbook(tmp / "plan.xlsx")
    visits = wb.worksheets[1]
    head = next(r for r in visits.iter_rows(max_row=8) if any(c.value in ("访视", "Visit")
                                                               for c in r))
    cols = {c.value: c.column for c in head}
    date_col = cols.get("实际访视日期") or cols["Actual date"]
    row = next(r[0].row for r in visits.iter_rows(min_row=head[0].row + 1)
               if r[cols.get("受试者", cols.get("Subject", 1)) - 1].value == "001"
               and r[(cols.get("访视") or cols["Visit"]) - 1].value == "W1D1")
    visits.cell(row=row, column=date_col, value=datetime.datetime(2026, 5, 5))
    wb.save(tmp / "plan.xlsx")


def _record_first(study: Path, tmp: Path) -> None:
    assert run("record", str(study), "006", "D28", "--done", "2026-11-23",
               "--today", "2026-12-04")[0] == 0


def _tamper_audit(study: Path, tmp: Path) -> None:
    _, _, err = run("record", str(study), "006", "W1D1", "--missed", "--today", "2026-12-04",
                    "--amend", "录入错误", "--note", "受试者未到访")
    audit = study / "audit.csv"
    assert audit.exists(), err
    audit.write_text(audit.read_text(encoding="utf-8").replace("missed", "done"), encoding="utf-8")


def _user(study: Path, tmp: Path) -> None:
    _password_file(study, tmp)
    assert run("users", "add", str(study), "li.na", "--role", "nurse", "--display-name", "李娜",
               "--password-file", str(tmp / "pw"))[0] == 0


def _corrupt(name: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        (study / name).write_text("{not json", encoding="utf-8")
    return setup


def _unreadable(name: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        (study / name).unlink()
        (study / name).mkdir()  # a folder where a file is expected: unreadable as a file
    return setup


def _missing(name: str) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        (study / name).unlink()
    return setup


def _export(study: Path, tmp: Path) -> None:
    assert run("xlsx", str(study), "-o", str(tmp / "plan.xlsx"), "--today", "2026-12-04",
               "--generated-at", "2026-12-04T08:00:00Z")[0] == 0


def _both(*setups: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def setup(study: Path, tmp: Path) -> None:
        for f in setups:
            f(study, tmp)
    return setup


NONE: Callable[[Path, Path], None] = lambda study, tmp: None  # noqa: E731

# (id, arguments ({S}: the study, {T}: a temporary folder, {URL}: the fake server, {PORT}: a
# closed port), what to prepare). Each run must print something on stderr or stdout.
CASES: list[tuple[str, tuple[str, ...], Callable[[Path, Path], None]]] = [
    # -- the command line itself (argparse) --
    ("no-command", (), NONE),
    ("unknown-command", ("frobnicate", "{S}"), NONE),
    ("unknown-option", ("plan", "{S}", "--bogus"), NONE),
    ("missing-argument", ("plan",), NONE),
    ("option-without-value", ("plan", "{S}", "--today"), NONE),
    ("bad-choice", ("plan", "{S}", "--format", "xml"), NONE),
    ("no-such-date", ("plan", "{S}", "--today", "2026-13-01"), NONE),
    ("not-iso-date", ("plan", "{S}", "--today", "2026/11/23"), NONE),
    ("year-out-of-range", ("check", "{S}", "--today", "1900-01-01"), NONE),
    ("datetime-without-zone", ("ics", "{S}", "-o", "{T}/ics", "--generated-at", "2026-11-25T08:00"), NONE),
    ("not-a-datetime", ("ics", "{S}", "-o", "{T}/ics", "--generated-at", "yesterday"), NONE),
    ("unknown-action", ("decide", "{S}", "006", "frobnicate", "--on", "2026-12-01",
                        "--investigator", "甲", "--rationale", "x"), NONE),
    ("weeks-not-a-number", ("decide", "{S}", "006", "continue", "--on", "2026-12-01",
                            "--weeks", "x", "--investigator", "甲", "--rationale", "x"), NONE),
    ("weeks-absurd", ("decide", "{S}", "006", "continue", "--on", "2026-12-01",
                      "--weeks", "5000", "--investigator", "甲", "--rationale", "x"), NONE),
    ("done-and-missed", ("record", "{S}", "001", "W1D1", "--done", "2026-05-04", "--missed"), NONE),
    ("neither-done-nor-missed", ("record", "{S}", "001", "W1D1"), NONE),
    ("port-not-a-number", ("serve", "{S}", "--port", "abc"), NONE),
    ("timeout-not-a-number", ("publish", "{S}", "--url", "{URL}", "--user", "u",
                              "--timeout", "soon"), NONE),
    # -- the study folder and its files --
    ("no-such-study", ("check", "{T}/nope"), NONE),
    ("subjects-no-such-date", ("check", "{S}"),
     _replace("subjects.csv", "2026-05-18", "2026-10-32")),
    ("subjects-excel-ids", ("check", "{S}"), _replace("subjects.csv", "002,1,DL1", "2,1,DL1")),
    ("visits-unknown-status", ("check", "{S}"), _replace("visits.csv", ",done,", ",完成,")),
    ("visits-unknown-visit", ("check", "{S}"), _append("visits.csv", "001,W99D1,2026-06-01,done,\n")),
    ("visits-unknown-subject", ("check", "{S}"), _append("visits.csv", "099,W1D1,2026-06-01,done,\n")),
    ("visits-unclosed-quote", ("check", "{S}"), _append("visits.csv", '001,W2D1,2026-05-11,done,"oops\n')),
    ("visits-too-many-fields", ("check", "{S}"), _append("visits.csv", "001,W2D1,2026-05-11,done,,x,y\n")),
    ("decisions-past-the-cap", ("check", "{S}"),
     _replace("decisions.csv", "continue,BIW,4,", "continue,BIW,30,")),
    ("decisions-unknown-action", ("check", "{S}"), _replace("decisions.csv", "continue,BIW,4,", "go,BIW,4,")),
    ("decisions-stop-with-regimen", ("check", "{S}"),
     _append("decisions.csv", "006,2026-12-01,stop,QW,,,研究者甲,不良事件\n")),
    ("study-toml-not-toml", ("check", "{S}"), _append("study.toml", "\nthis is = = not toml\n")),
    ("study-toml-unknown-key", ("check", "{S}"), _append("study.toml", "\ncolour = \"blue\"\n")),
    ("study-toml-bad-timezone", ("check", "{S}"),
     _replace("study.toml", '"Asia/Shanghai"', '"Asia/Chengdu"')),
    ("template-missing", ("check", "{S}"), _append("study.toml", '\nprotocol = "no-such.toml"\n')),
    ("template-bad-key", ("usdm", "--protocol", "{T}/bad.toml", "-o", "-"),
     _write("bad.toml", 'schema_version = 1\nfrobnicate = 3\n')),
    ("template-not-toml", ("usdm", "--protocol", "{T}/bad.toml", "-o", "-"),
     _write("bad.toml", "[[[\n")),
    ("subjects-unreadable", ("check", "{S}"), _unreadable("subjects.csv")),
    ("subjects-missing", ("check", "{S}"), _missing("subjects.csv")),
    ("study-toml-missing", ("check", "{S}"), _missing("study.toml")),
    ("subjects-missing-column", ("check", "{S}"),
     _replace("subjects.csv", "subject_id,cohort,", "subject_id,")),
    ("visits-not-utf8", ("check", "{S}"), lambda s, t: (s / "visits.csv").write_bytes(
        (s / "visits.csv").read_bytes() + "001,W2D1,2026-05-11,done,发热\n".encode("gbk"))),
    ("decisions-resume-without-hold", ("check", "{S}"),
     _append("decisions.csv", "006,2026-12-01,resume,QW,,,研究者甲,恢复\n")),
    ("sdtm-output-is-a-file", ("sdtm", "{S}", "-o", "{T}/afile"), _write("afile", "x")),
    ("ics-output-is-a-file", ("ics", "{S}", "-o", "{T}/afile"), _write("afile", "x")),
    ("usdm-no-folder", ("usdm", "{S}", "-o", "{T}/none/usdm.json"), NONE),
    # -- commands' own arguments --
    ("plan-unknown-subject", ("plan", "{S}", "--subject", "099"), NONE),
    ("plan-unknown-regimen", ("plan", "{S}", "--assume", "Q9W"), NONE),
    ("record-unknown-subject", ("record", "{S}", "099", "W1D1", "--done", "2026-05-04"), NONE),
    ("record-id-without-zeros", ("record", "{S}", "3", "W1D1", "--done", "2026-05-04"), NONE),
    ("record-unknown-visit", ("record", "{S}", "003", "W99D1", "--done", "2026-05-04"), NONE),
    ("record-in-the-future", ("record", "{S}", "006", "W22D1", "--done", "2026-12-20",
                              "--today", "2026-12-04"), NONE),
    ("record-conflict", ("record", "{S}", "001", "W1D1", "--missed", "--today", "2026-12-04"), NONE),
    ("decide-past-the-cap", ("decide", "{S}", "006", "继续治疗", "--on", "2026-12-01", "--regimen",
                             "QW", "--weeks", "30", "--investigator", "研究者甲", "--rationale",
                             "疗效良好", "--today", "2026-12-04"), NONE),
    ("decide-unknown-regimen", ("decide", "{S}", "006", "continue", "--on", "2026-12-01",
                                "--regimen", "Q9W", "--investigator", "甲", "--rationale", "x",
                                "--today", "2026-12-04"), NONE),
    ("decide-stop-with-regimen", ("decide", "{S}", "006", "stop", "--on", "2026-12-01",
                                  "--regimen", "QW", "--investigator", "甲", "--rationale", "x",
                                  "--today", "2026-12-04"), NONE),
    ("next-slot-unknown-cohort", ("next-slot", "{S}", "--cohort", "9", "--after", "2026-12-01"), NONE),
    ("next-slot-outside-span", ("next-slot", "{S}", "--cohort", "1", "--after", "2099-01-01"), NONE),
    ("ics-unknown-subject", ("ics", "{S}", "-o", "{T}/ics", "--subject", "099"), NONE),
    ("xlsx-not-xlsx", ("xlsx", "{S}", "-o", "{T}/plan.csv"), NONE),
    ("xlsx-no-folder", ("xlsx", "{S}", "-o", "{T}/none/plan.xlsx"), NONE),
    ("import-missing-file", ("import", "{S}", "{T}/none.xlsx"), NONE),
    ("import-not-a-workbook", ("import", "{S}", "{T}/junk.xlsx"), _write("junk.xlsx", "not a zip")),
    ("import-f3", ("import", "{S}", "{T}/plan.xlsx", "--today", "2026-12-04"), _f3_workbook),
    ("usdm-missing-protocol", ("usdm", "--protocol", "{T}/none.toml", "-o", "-"), NONE),
    ("sdtm-xpt-chinese-notes", ("sdtm", "{S}", "-o", "{T}/sdtm", "--format", "xpt",
                                "--today", "2026-12-04", "--generated-at", "2026-12-04T08:00:00Z"),
     _replace("visits.csv", "Subject unwell (fever); dose not made up", "受试者发热，本次未给药，不予补给")),
    ("due-on-and-range", ("due", "{S}", "--on", "2026-12-04", "--from", "2026-12-01"), NONE),
    ("due-half-range", ("due", "{S}", "--from", "2026-12-01"), NONE),
    ("due-range-too-long", ("due", "{S}", "--from", "2026-01-01", "--to", "2028-01-01"), NONE),
    ("handout-not-pdf", ("handout", "{S}", "003", "-o", "{T}/x.txt"), NONE),
    ("handout-unknown-subject", ("handout", "{S}", "099", "-o", "{T}/x.html"), NONE),
    ("publish-bad-url", ("publish", "{S}", "--url", "ftp://cal.example.org/", "--user", "u",
                         "--password-file", "{T}/pw"), _password_file),
    ("publish-no-password", ("publish", "{S}", "--url", "{URL}", "--user", "u"), NONE),
    ("publish-missing-password-file", ("publish", "{S}", "--url", "{URL}", "--user", "u",
                                       "--password-file", "{T}/none"), NONE),
    ("publish-unreachable", ("publish", "{S}", "--url", "http://127.0.0.1:{PORT}/", "--user", "u",
                             "--password-file", "{T}/pw", "--timeout", "20"), _password_file),
    ("publish-fake-server", ("publish", "{S}", "--url", "{URL}", "--user", "u",
                             "--password-file", "{T}/pw", "--timeout", "20"), _password_file),
    ("publish-corrupt-state", ("publish", "{S}", "--url", "{URL}", "--user", "u",
                               "--password-file", "{T}/pw"),
     _both(_password_file, _corrupt(".cc312-publish-state.json"))),
    ("feed-unknown-rotate", ("feed", "{S}", "-o", "{T}/feed", "--rotate", "099"), NONE),
    ("feed-corrupt-tokens", ("feed", "{S}", "-o", "{T}/feed"), _corrupt(".cc312-feed-tokens.json")),
    ("ics-corrupt-state", ("ics", "{S}", "-o", "{T}/ics"), _corrupt(".cc312-ics-state.json")),
    ("lock-held", ("record", "{S}", "006", "W22D1", "--missed", "--today", "2026-12-04"), NONE),
    ("audit-no-study", ("audit", "verify", "{T}/nope"), NONE),
    ("audit-broken", ("audit", "verify", "{S}"), _tamper_audit),
    ("users-unknown-user", ("users", "token", "{S}", "nobody"), _user),
    ("users-missing-password-file", ("users", "add", "{S}", "wang", "--role", "nurse",
                                     "--password-file", "{T}/none"), NONE),
    ("users-short-password", ("users", "add", "{S}", "wang", "--role", "nurse",
                              "--password-file", "{T}/short"), _write("short", "abc\n")),
    ("users-twice", ("users", "add", "{S}", "li.na", "--role", "nurse",
                     "--password-file", "{T}/pw"), _user),
    ("serve-bad-port", ("serve", "{S}", "--port", "70000"), NONE),
    ("serve-bad-idle", ("serve", "{S}", "--idle-minutes", "0"), NONE),
    # -- a new Chinese user's trial (wave-cli3) --
    ("import-conflict", ("import", "{S}", "{T}/plan.xlsx", "--today", "2026-12-04"),
     _conflict_workbook),
    ("record-conflict-date", ("record", "{S}", "001", "W1D1", "--done", "2026-05-05",
                              "--today", "2026-12-04"), NONE),
    ("decide-conflict", ("decide", "{S}", "001", "continue", "--on", "2026-06-01", "--regimen",
                         "QW", "--weeks", "4", "--investigator", "甲", "--rationale", "x",
                         "--today", "2026-12-04"), NONE),
    ("day-first-on", ("due", "{S}", "--on", "30/11/2026"), NONE),
    ("day-first-done", ("record", "{S}", "006", "D28", "--done", "23/11/2026"), NONE),
    ("day-first-dashes-from", ("due", "{S}", "--from", "30-11-2026", "--to", "2026-12-06"), NONE),
    ("ambiguous-today", ("plan", "{S}", "--today", "03/04/2026"), NONE),
    ("serial-number-after", ("next-slot", "{S}", "--cohort", "1", "--after", "46085"), NONE),
    ("day-first-decided-on", ("decide", "{S}", "006", "stop", "--on", "1/12/2026",
                              "--investigator", "甲", "--rationale", "x"), NONE),
    ("study-is-a-file", ("due", "{S}/subjects.csv"), NONE),
    ("study-is-a-file-audit", ("audit", "show", "{S}/visits.csv"), NONE),
    ("study-is-a-file-users", ("users", "list", "{S}/study.toml"), NONE),
    ("missed-without-reason", ("record", "{S}", "003", "W21D4", "--missed", "--today",
                               "2026-12-04"), NONE),
    # -- runs that succeed: what they say is read by people too --
    ("ok-check", ("check", "{S}"), NONE),
    ("ok-next-slot", ("next-slot", "{S}", "--cohort", "1", "--after", "2026-12-01"), NONE),
    ("ok-next-slot-closed-days", ("next-slot", "{S}", "--cohort", "1", "--after", "2026-09-30"),
     NONE),
    ("ok-sdtm-both", ("sdtm", "{S}", "-o", "{T}/sdtm", "--today", "2026-12-04",
                      "--generated-at", "2026-12-04T08:00:00Z"), NONE),
    ("ok-feed", ("feed", "{S}", "-o", "{T}/feed", "--generated-at", "2026-12-04T08:00:00Z"), NONE),
    ("ok-users-list", ("users", "list", "{S}"), _user),
    ("ok-audit-verify", ("audit", "verify", "{S}"), _record_first),
    ("ok-record", ("record", "{S}", "006", "D28", "--done", "2026-11-23", "--today", "2026-12-04"),
     NONE),
    ("ok-decide", ("decide", "{S}", "006", "继续治疗", "--on", "2026-12-01", "--regimen", "QW",
                   "--weeks", "8", "--investigator", "研究者甲", "--rationale", "疗效良好",
                   "--today", "2026-12-04"), NONE),
    ("ok-import-nothing", ("import", "{S}", "{T}/plan.xlsx", "--today", "2026-12-04"), _export),
    ("ok-plan-table", ("plan", "{S}", "--today", "2026-12-04"), NONE),
    ("ok-ics", ("ics", "{S}", "-o", "{T}/ics", "--generated-at", "2026-12-04T08:00:00Z"), NONE),
    ("ok-xlsx", ("xlsx", "{S}", "-o", "{T}/plan.xlsx", "--today", "2026-12-04",
                 "--generated-at", "2026-12-04T08:00:00Z"), NONE),
    ("ok-usdm", ("usdm", "{S}", "-o", "{T}/usdm.json"), NONE),
    ("ok-due", ("due", "{S}", "--on", "2026-12-04", "-o", "{T}/due.txt"), NONE),
    ("ok-due-table", ("due", "{S}", "--on", "2026-12-04"), NONE),
    ("ok-handout", ("handout", "{S}", "006", "-o", "{T}/h.html", "--today", "2026-12-04",
                    "--generated-at", "2026-12-04T08:00:00Z"), NONE),
    ("ok-users-token", ("users", "token", "{S}", "li.na"), _user),
    ("ok-audit-show", ("audit", "show", "{S}"), _record_first),
]

#: "study": a zh-CN copy of the example study; "option": the English one with --language zh-CN.
MODES = ["study", "option"]


def _study_copy(tmp: Path, mode: str) -> Path:
    src = example_study_path("zh-CN" if mode == "study" else "en")
    return Path(shutil.copytree(src, tmp / "研究", ignore=shutil.ignore_patterns(".cc312-*")))


#: Runs whose language only --language can give: no study folder named, or its study.toml
#: missing (nothing says the study's language).
OPTION_ONLY = {"study-toml-missing"}
#: Runs whose stdout is data, not messages: a token printed for a program to keep.
DATA_STDOUT = {"ok-users-token"}

#: Runs that name public holidays: their names are the holidays package's, read in the
#: study's language when the site calendar is loaded (an English study's are English).
STUDY_ONLY = {"ok-next-slot-closed-days"}

RUNS = [pytest.param(mode, a, s, id=f"{name}-{mode}") for name, a, s in CASES for mode in MODES
        if (mode == "option" and name not in STUDY_ONLY)
        or (mode == "study" and any("{S}" in x for x in a) and name not in OPTION_ONLY)]


@pytest.mark.parametrize(("mode", "args", "setup"), RUNS)
def test_every_line_is_chinese(tmp_path: Path, mode: str, args: tuple[str, ...],
                               setup: Callable[[Path, Path], None], fake_server: str,
                               closed_port: int, monkeypatch: pytest.MonkeyPatch,
                               request: pytest.FixtureRequest) -> None:
    monkeypatch.delenv("CC312_CALDAV_PASSWORD", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # the environment says nothing Chinese
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    study = _study_copy(tmp_path, mode)
    setup(study, tmp_path)
    argv = [a.format(S=study, T=tmp_path, URL=fake_server, PORT=closed_port) for a in args]
    if mode == "option":
        argv = ["--language", "zh-CN", *argv]
    if request.node.callspec.id.startswith("lock-held"):
        from cc312_schedule.entries.writes import study_lock

        with study_lock(study):
            code, out, err = run(*argv)
    else:
        code, out, err = run(*argv)
    name = request.node.callspec.id.rsplit("-", 1)[0]
    printed = err if name in DATA_STDOUT else out + err
    assert printed.strip(), "nothing printed"
    assert code == 0 if name.startswith("ok-") else code in (1, 2), (code, printed)
    # names that are data: the folder, the English study's name, a user's login name, and
    # the placeholder the .xpt file holds (what a reader of that file sees)
    found = english_words(printed, allowed=(str(tmp_path), "CC312 example study", "li.na",
                                            "[non-ASCII text: see ", getpass.getuser()))
    assert not found, f"English in a zh-CN run ({sorted(set(found))}):\n{printed}"


def test_publish_speaks_chinese_to_a_real_server(tmp_path: Path, radicale: Radicale,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A dry run, a publish, then a publish to the same server under another name (its note):
    every line Chinese. (The failure cases above use a closed port and a fake server.)"""
    monkeypatch.setenv("LANG", "C.UTF-8")
    study = _study_copy(tmp_path, "study")
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    base = ["publish", str(study), "--user", "nurse", "--password-file", str(tmp_path / "pw"),
            "--generated-at", "2026-12-04T08:00:00Z", "--today", "2026-12-04"]
    other = radicale.url.replace("127.0.0.1", "localhost")
    printed = ""
    for extra in (["--url", radicale.url, "--dry-run"], ["--url", radicale.url],
                  ["--url", other, "--dry-run"]):
        code, out, err = run(*base, *extra)
        assert code == 0, err
        printed += out + err
    assert "预览：" in printed and "将写入 001 W1D1" in printed and "注意：首次发布到" in printed
    found = english_words(printed, allowed=(str(tmp_path),))
    assert not found, f"English in a zh-CN run ({sorted(set(found))}):\n{printed[-3000:]}"


@pytest.mark.parametrize(("typed", "code"), [(("a long passphrase", "a long passphrase"), 0),
                                             (("a long passphrase", "another one"), 2)],
                         ids=["same", "differ"])
def test_the_password_prompts_are_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          typed: tuple[str, str], code: int) -> None:
    """``users add`` without --password-file asks twice, without echo: the prompts and the
    outcome in the study's language."""
    study = _study_copy(tmp_path, "study")
    prompts: list[str] = []
    answers = iter(typed)

    def ask(prompt: str, stream: object = None) -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(getpass, "getpass", ask)
    got, out, err = run("users", "add", str(study), "wang", "--role", "nurse")
    assert got == code, err
    assert prompts == ["请输入 wang 的新密码（至少 10 个字符）：", "请再输入一次："]
    assert not english_words(out + err + "".join(prompts), allowed=(str(tmp_path), "wang")), err
    if code:
        assert err == "错误：密码：两次输入的密码不一致（请重新运行本命令）\n"


@pytest.mark.parametrize("argv", [
    ("record", "{S}", "006", "D28", "--done", "2026-11-23", "--today", "2026-12-04"),
    ("xlsx", "{S}", "-o", "{T}/plan.xlsx"),
    ("plan", "{S}", "-o", "{T}/plan.txt", "-q"),
], ids=["record", "xlsx", "plan"])
def test_a_full_disk_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        argv: tuple[str, ...]) -> None:
    """Every write's fsync fails with ENOSPC: the error, in the study's language."""
    import errno
    import os

    import cc312_schedule.core.fileio as fileio

    study = _study_copy(tmp_path, "study")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    code, out, err = run(*(a.format(S=study, T=tmp_path) for a in argv))
    monkeypatch.undo()
    assert code == 2 and "磁盘空间不足" in err, err
    assert not english_words(out + err, allowed=(str(tmp_path),)), err


# ---- the sweep of the source: every error message the code raises has its Chinese --------------

SRC = Path(__file__).resolve().parent.parent / "src" / "cc312_schedule"
#: The classes whose first argument is an error's message (and ``hint=`` its hint).
ERRORS = {"UsageError", "StudyFileError", "WorkbookError", "ProtocolError", "PublishError",
          "DecisionError", "NotFoundError", "ScheduleError", "StudyLockedError", "FeedTokenError",
          "InputFileError"}


def _sample(node: ast.expr) -> str | None:
    """The text a string literal, an f-string or a sum of them makes, each {field} as "x1"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "x1" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _raised_texts() -> list[tuple[str, str]]:
    """(where, text) of every message and hint written literally in an error's constructor or
    in a reader's ``error(...)``/``err(...)`` helper (the desk's own errors are its pages')."""
    found: list[tuple[str, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        if "desk" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if name in ERRORS:
                args = node.args[:1]
            elif name in ("error", "err"):  # the message and the hint among the arguments
                args = [a for a in node.args if (_sample(a) or "").count(" ")]
            else:
                continue
            args += [kw.value for kw in node.keywords if kw.arg in ("hint", "message")]
            found += [(where, text) for a in args if (text := _sample(a)) and text.strip()]
    return found


def test_every_error_the_source_raises_is_said_in_chinese() -> None:
    """A static sweep: a new error written without its catalogue entry fails here, even when
    no case of the table above reaches it."""
    texts = _raised_texts()
    assert len(texts) > 300, "the sweep found too little: it would be vacuous"
    missing = [f"{where}: {text}" for where, text in texts
               if say_error("zh-CN", "err", text)[0] == text
               and say_error("zh-CN", "hint", text)[0] == text]
    assert missing == []
