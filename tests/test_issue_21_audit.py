"""Issue 21: the audit trail (STUDY/audit.csv) — every write path appends who, when, old -> new
and why; ``audit verify`` finds an edited, deleted, inserted, moved or cut line."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cc312_schedule.cli import main
from cc312_schedule.core.errors import InvalidStudyError, UsageError
from cc312_schedule.entries.writes import decide, import_workbook, record, study_lock
from cc312_schedule.store.audit import (
    AUDIT_NAME,
    HEAD_NAME,
    Actor,
    AuditChange,
    append_audit,
    cli_actor,
    read_audit,
    verify_audit,
)
from test_entries import DECISIONS, SUBJECTS, VISITS, export, fill

AT = datetime(2026, 3, 30, 8, 0, 5, tzinfo=UTC)  # 16:00:05 in Shanghai
TODAY = date(2026, 3, 30)
NURSE = Actor(name="li.na", role="nurse", via="desk")


def clock() -> datetime:
    return AT


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def study(make_study: Callable[..., Path]) -> Path:
    return make_study(study='name = "Audit test"\n', subjects=SUBJECTS, visits=VISITS,
                      decisions=DECISIONS)


def trail(folder: Path) -> list[tuple[str, ...]]:
    return [(e.user, e.role, e.via, e.file, e.subject_id, e.visit, e.field, e.old, e.new, e.reason)
            for e in read_audit(folder)]


def locked_append(folder: Path, *args: Any, **kw: Any) -> None:
    with study_lock(folder):
        append_audit(folder, *args, **kw)


def five_entries(folder: Path) -> list[bytes]:
    """A trail of five entries (seq 1..5) in two appends; its lines (header first)."""
    changes = [AuditChange(file="visits.csv", subject_id="001", visit=f"W{i}D1", field="status",
                           new="done") for i in range(1, 6)]
    locked_append(folder, changes[:2], actor=NURSE, at=AT, timezone="Asia/Shanghai")
    locked_append(folder, changes[2:], actor=NURSE, at=AT, timezone="Asia/Shanghai")
    return (folder / AUDIT_NAME).read_bytes().splitlines(keepends=True)


# --------------------------------------------------------------------------------------
# the file


def test_the_file_as_a_monitor_reads_it(tmp_path: Path) -> None:
    locked_append(tmp_path, [AuditChange(file="visits.csv", subject_id="003", visit="W6D4",
                                        field="status", new="done")],
                 actor=NURSE, at=AT, timezone="Asia/Shanghai")
    raw = (tmp_path / AUDIT_NAME).read_bytes()
    header, line = raw.split(b"\n")[:2]
    assert header == (b"\xef\xbb\xbfseq,time_utc,time_site,user,role,via,file,subject_id,visit,"
                      b"field,old,new,reason,prev_sha256,sha256")
    body = (b"1,2026-03-30T08:00:05Z,2026-03-30T16:00:05+08:00,li.na,nurse,desk,visits.csv,003,"
            b"W6D4,status,,done,," + b"0" * 64)
    assert line == body + b"," + hashlib.sha256(body).hexdigest().encode()
    assert (tmp_path / HEAD_NAME).read_text() == f"1 {hashlib.sha256(body).hexdigest()}\n"
    assert verify_audit(tmp_path) == []


ODD_VALUES = [
    pytest.param("two\nlines", "two\\nlines", id="line-feed"),
    pytest.param("cr\rhere", "cr\\rhere", id="carriage-return"),
    pytest.param("C:\\n", "C:\\\\n", id="backslash-n-typed"),
    pytest.param('=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"', id="formula"),
    pytest.param("-1", "'-1", id="minus"),
    pytest.param("'quoted", "''quoted", id="apostrophe"),
    pytest.param("发热，延迟一天", "发热，延迟一天", id="chinese"),
    pytest.param("a, \"b\"", "\"a, \"\"b\"\"\"", id="comma-and-quotes"),
]


@pytest.mark.parametrize(("value", "written"), ODD_VALUES)
def test_a_value_is_one_line_no_formula_and_reads_back(tmp_path: Path, value: str,
                                                        written: str) -> None:
    locked_append(tmp_path, [AuditChange(file="visits.csv", field="note", old="", new=value)],
                 actor=NURSE, at=AT, timezone="Asia/Shanghai")
    lines = (tmp_path / AUDIT_NAME).read_text(encoding="utf-8-sig").split("\n")
    assert len(lines) == 3 and lines[2] == ""  # header, one entry, the final line end
    assert f",note,,{written},," in lines[1]
    assert read_audit(tmp_path)[0].new == value
    assert verify_audit(tmp_path) == []


def test_appending_without_the_lock_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="hold the study's lock"):
        append_audit(tmp_path, [AuditChange(file="x", field="y")], actor=NURSE, at=AT,
                     timezone="Asia/Shanghai")
    assert not (tmp_path / AUDIT_NAME).exists()


def test_naive_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        locked_append(tmp_path, [AuditChange(file="x", field="y")], actor=NURSE,
                     at=datetime(2026, 3, 30, 8), timezone="Asia/Shanghai")


# --------------------------------------------------------------------------------------
# verify: every kind of damage, with its line number


def _edit(lines: list[bytes]) -> list[bytes]:
    lines[3] = lines[3].replace(b",done,", b",missed,")
    return lines


def _rehashed(line: bytes) -> bytes:
    body = line.rstrip(b"\n").rsplit(b",", 1)[0].replace(b",done,", b",missed,")
    return body + b"," + hashlib.sha256(body).hexdigest().encode() + b"\n"


def _edit_and_rehash(lines: list[bytes]) -> list[bytes]:
    lines[3] = _rehashed(lines[3])
    return lines


CUT = (".cc312-audit-head records the last entry as seq 5, the file ends at seq 4 (entries "
       "deleted from the end, or added by hand)")
DAMAGE = [
    pytest.param(_edit, ["line 4: sha256 does not match the line (the line was edited)"],
                 id="edited-line"),
    pytest.param(_edit_and_rehash,
                 ["line 5: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)"], id="edited-line-rehashed"),
    pytest.param(lambda ls: ls[:3] + ls[4:],
                 ["line 4: seq 4 follows seq 2 (a line deleted, inserted or moved)",
                  "line 4: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)"], id="deleted-line"),
    pytest.param(lambda ls: ls[:5],
                 [".cc312-audit-head records the last entry as seq 5, the file ends at seq 4 "
                  "(entries deleted from the end, or added by hand)"], id="deleted-last-line"),
    pytest.param(lambda ls: ls[:1] + ls[2:],
                 ["line 2: seq 2 follows seq 0 (a line deleted, inserted or moved)",
                  "line 2: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)"], id="deleted-first-entry"),
    pytest.param(lambda ls: [*ls[:3], ls[2], *ls[3:]],
                 ["line 4: seq 2 follows seq 2 (a line deleted, inserted or moved)",
                  "line 4: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)"],
                 id="inserted-line"),
    pytest.param(lambda ls: [ls[0], ls[1], ls[3], ls[2], *ls[4:]],
                 ["line 3: seq 3 follows seq 1 (a line deleted, inserted or moved)",
                  "line 3: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)",
                  "line 4: seq 2 follows seq 3 (a line deleted, inserted or moved)",
                  "line 4: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)",
                  "line 5: seq 4 follows seq 2 (a line deleted, inserted or moved)",
                  "line 5: prev_sha256 is not the sha256 of the entry before it (a line deleted, "
                  "inserted or moved, or the one before edited)"], id="reordered-pair"),
    pytest.param(lambda ls: [*ls[:5], ls[5][:40]],
                 ["line 6: incomplete (no line end): the file was cut short", CUT], id="truncated-tail"),
    pytest.param(lambda ls: [*ls[:5], ls[5].rstrip(b"\n")],
                 ["line 6: incomplete (no line end): the file was cut short", CUT],
                 id="last-line-end-cut"),
    pytest.param(lambda ls: [*ls[:5], _rehashed(ls[5])],
                 ["line 6: not the last entry .cc312-audit-head records (the last line was replaced)"],
                 id="last-line-edited-and-rehashed"),
    pytest.param(lambda ls: [ls[0].replace(b"reason", b"why"), *ls[1:]],
                 ["line 1: not the audit trail's header (seq,time_utc,time_site,user,role,via,file,"
                  "subject_id,visit,field,old,new,reason,prev_sha256,sha256)"], id="header-edited"),
    pytest.param(lambda ls: [*ls[:3], b"\n", *ls[3:]],
                 ["line 4: not an audit entry (0 fields, 15 expected)",
                  "line 5: seq 3 follows seq 3 (a line deleted, inserted or moved)"], id="blank-line"),
    pytest.param(lambda ls: [ln.replace(b"\n", b"\r\n") for ln in ls],
                 ["line 1: not the audit trail's header (seq,time_utc,time_site,user,role,via,file,"
                  "subject_id,visit,field,old,new,reason,prev_sha256,sha256)",
                  *(f"line {n}: not an audit entry (its seq or sha256 is not as written: saved by "
                    "another program?)" for n in range(2, 7)),
                  "line 6: not the last entry .cc312-audit-head records (the last line was replaced)"],
                 id="saved-with-crlf"),
]


@pytest.mark.parametrize(("damage", "problems"), DAMAGE)
def test_verify_finds_the_damage(tmp_path: Path, damage: Callable[[list[bytes]], list[bytes]],
                                 problems: list[str]) -> None:
    lines = five_entries(tmp_path)
    assert verify_audit(tmp_path) == []
    (tmp_path / AUDIT_NAME).write_bytes(b"".join(damage(lines)))
    found = verify_audit(tmp_path)
    assert found == problems
    code, out, err = run("audit", "verify", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.endswith(f"{len(found)} problem(s): the audit trail is not intact\n")


def test_verify_finds_a_missing_head_or_trail(tmp_path: Path) -> None:
    five_entries(tmp_path)
    head = (tmp_path / HEAD_NAME).read_bytes()
    (tmp_path / HEAD_NAME).unlink()
    assert verify_audit(tmp_path) == [".cc312-audit-head is missing (it records the last entry)"]
    (tmp_path / HEAD_NAME).write_bytes(head)
    (tmp_path / AUDIT_NAME).unlink()
    assert verify_audit(tmp_path) == [
        "audit.csv is missing or empty, but .cc312-audit-head records 5 entries"]


def test_verify_intact_and_empty(tmp_path: Path) -> None:
    assert verify_audit(tmp_path) == []  # no trail yet: nothing changed
    five_entries(tmp_path)
    assert run("audit", "verify", str(tmp_path)) == (0, f"{tmp_path / AUDIT_NAME}: intact, 5 entries\n", "")
    assert run("audit", "verify", str(tmp_path / "nope"))[0] == 2
    # the command line's language (issue 22): --language, else the study's, else the environment
    assert run("--language", "zh-CN", "audit", "verify", str(tmp_path)) == (
        0, f"{tmp_path / AUDIT_NAME}：完整，共 5 条记录\n", "")


@pytest.mark.parametrize("tail", [pytest.param(b"1,2026", id="cut"),
                                  pytest.param(b"not,an,entry\n", id="not-an-entry")])
def test_a_damaged_tail_refuses_the_write(study: Path, tail: bytes) -> None:
    record(study, "001", "W2D1", today=TODAY, done=date(2026, 3, 9), actor=NURSE, clock=clock)
    before = (study / "visits.csv").read_bytes()
    with (study / AUDIT_NAME).open("ab") as fh:
        fh.write(tail)
    with pytest.raises(UsageError, match="audit trail's last line") as exc:
        record(study, "001", "W2D4", today=TODAY, done=date(2026, 3, 12), actor=NURSE, clock=clock)
    assert "audit verify" in str(exc.value)
    assert (study / "visits.csv").read_bytes() == before  # nothing recorded without its audit


# --------------------------------------------------------------------------------------
# every write path


def test_record_new_then_amend_then_note(study: Path) -> None:
    record(study, "001", "W2D1", today=TODAY, done=date(2026, 3, 9), actor=NURSE, clock=clock)
    record(study, "001", "W2D1", today=TODAY, done=date(2026, 3, 10), note="came late",
           amend="date typed wrong", actor=NURSE, clock=clock)
    with pytest.raises(InvalidStudyError, match="a missed visit needs its reason"):  # wave-cli3
        record(study, "001", "W2D4", today=TODAY, missed=True, actor=NURSE, clock=clock)
    record(study, "001", "W2D4", today=TODAY, missed=True, note="fever", actor=NURSE, clock=clock)
    record(study, "001", "W2D4", today=TODAY, missed=True, note="fever", actor=NURSE, clock=clock)  # no change
    n = ("li.na", "nurse", "desk", "visits.csv", "001")
    assert trail(study) == [
        (*n, "W2D1", "status", "", "done", ""),
        (*n, "W2D1", "actual_date", "", "2026-03-09", ""),
        (*n, "W2D1", "actual_date", "2026-03-09", "2026-03-10", "date typed wrong"),
        (*n, "W2D1", "note", "", "came late", "date typed wrong"),
        (*n, "W2D4", "status", "", "missed", ""),
        (*n, "W2D4", "note", "", "fever", ""),
    ]
    assert [e.seq for e in read_audit(study)] == [1, 2, 3, 4, 5, 6]
    assert {e.time_site for e in read_audit(study)} == {"2026-03-30T16:00:05+08:00"}
    assert verify_audit(study) == []


def test_decide(study: Path) -> None:
    pi = Actor(name="wang.fang", role="investigator", via="api")
    decide(study, "001", on=date(2026, 3, 29), action="continue", regimen="QW", weeks=8,
           today=TODAY, investigator="Dr. Wang Fang", rationale="responding", actor=pi, clock=clock)
    d = ("wang.fang", "investigator", "api", "decisions.csv", "001", "2026-03-29")
    assert trail(study) == [
        (*d, "action", "", "continue", ""), (*d, "regimen", "", "QW", ""),
        (*d, "weeks", "", "8", ""), (*d, "investigator", "", "Dr. Wang Fang", ""),
        (*d, "rationale", "", "responding", ""),
    ]


def test_a_signed_decision_carries_the_signature_as_its_reason(study: Path) -> None:
    pi = Actor(name="wang.fang", role="investigator", via="desk")
    decide(study, "001", on=date(2026, 3, 29), action="stop", today=TODAY,
           investigator="王芳", rationale="flare", actor=pi, clock=clock,
           signature="signed by 王芳 (wang.fang) as the investigator's decision")
    assert {e.reason for e in read_audit(study)} == {
        "signed by 王芳 (wang.fang) as the investigator's decision"}
    assert [e.field for e in read_audit(study)] == ["action", "investigator", "rationale"]


def test_import_dry_run_writes_nothing_apply_writes_each_field(study: Path) -> None:
    path = export(study)
    fill(path, {("001", "W2D1"): {"Actual date": date(2026, 3, 9)},
                ("001", "W3D1"): {"Actual status": "missed", "Note": "away"}},
         decisions=[{"Subject": "001", "Decided on": date(2026, 3, 29), "Action": "stop",
                     "Investigator": "Dr. A", "Rationale": "flare"}])
    import_workbook(study, path, today=TODAY, clock=clock)
    assert not (study / AUDIT_NAME).exists()
    coord = Actor(name="zhao.min", role="coordinator", via="import")
    import_workbook(study, path, today=TODAY, apply=True, actor=coord, clock=clock)
    c = ("zhao.min", "coordinator", "import")
    assert trail(study) == [
        (*c, "visits.csv", "001", "W2D1", "status", "", "done", ""),
        (*c, "visits.csv", "001", "W2D1", "actual_date", "", "2026-03-09", ""),
        (*c, "visits.csv", "001", "W3D1", "status", "", "missed", ""),
        (*c, "visits.csv", "001", "W3D1", "note", "", "away", ""),
        (*c, "decisions.csv", "001", "2026-03-29", "action", "", "stop", ""),
        (*c, "decisions.csv", "001", "2026-03-29", "investigator", "", "Dr. A", ""),
        (*c, "decisions.csv", "001", "2026-03-29", "rationale", "", "flare", ""),
    ]
    import_workbook(study, path, today=TODAY, apply=True, actor=coord, clock=clock)  # again: no-op
    assert len(read_audit(study)) == 7


def test_refused_and_conflicting_entries_leave_no_trace(study: Path) -> None:
    with pytest.raises(UsageError):  # 001 W1D1 is recorded as done on 03-02: a conflict
        record(study, "001", "W1D1", today=TODAY, done=date(2026, 3, 3), actor=NURSE, clock=clock)
    with pytest.raises(ValueError):  # a date in the future
        record(study, "001", "W2D1", today=TODAY, done=date(2026, 4, 9), actor=NURSE, clock=clock)
    assert read_audit(study) == ()


def test_cli_by_and_the_os_login(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "os.login")  # getpass reads LOGNAME first
    assert run("record", str(study), "001", "W2D1", "--done", "2026-03-09", "--today",
               "2026-03-30", "--by", "chen.jie")[0] == 0
    assert run("record", str(study), "001", "W2D4", "--missed", "--note", "fever", "--today",
               "2026-03-30")[0] == 0
    assert run("decide", str(study), "001", "stop", "--on", "2026-03-29", "--investigator",
               "Dr. A", "--rationale", "flare", "--today", "2026-03-30", "--by", "dr.a")[0] == 0
    who = [(e.user, e.role, e.via, e.field) for e in read_audit(study)]
    assert who == [("chen.jie", "cli", "cli", "status"), ("chen.jie", "cli", "cli", "actual_date"),
                   ("os.login", "cli", "cli", "status"), ("os.login", "cli", "cli", "note"),
                   ("dr.a", "cli", "cli", "action"),
                   ("dr.a", "cli", "cli", "investigator"), ("dr.a", "cli", "cli", "rationale")]
    assert cli_actor(None) == Actor(name="os.login", role="cli", via="cli")
    code, out, _ = run("audit", "show", str(study), "--user", "dr.a")
    assert code == 0 and out.count("\n") == 3 and "decisions.csv 001 2026-03-29 action: '' -> 'stop'" in out
    code, out, _ = run("audit", "show", str(study), "--subject", "002")
    assert (code, out) == (0, "")


# --------------------------------------------------------------------------------------
# two writers at once

_APPENDER = """
import sys
from datetime import datetime, UTC
from cc312_schedule.entries.writes import study_lock
from cc312_schedule.store.audit import Actor, AuditChange, append_audit
folder, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
actor = Actor(name=name, role="nurse", via="api")
for i in range(n):
    with study_lock(folder, timeout=60):
        append_audit(folder, [AuditChange(file="visits.csv", subject_id=name, field="note",
                                          new=f"{name} {i} " + "x" * 300)] * 3,
                     actor=actor, at=datetime.now(UTC), timezone="Asia/Shanghai")
"""


@pytest.mark.slow
def test_two_processes_append_under_the_lock(tmp_path: Path) -> None:
    n = 60
    procs = [subprocess.Popen([sys.executable, "-c", _APPENDER, str(tmp_path), who, str(n)])
             for who in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    entries = read_audit(tmp_path)
    assert verify_audit(tmp_path) == []
    assert [e.seq for e in entries] == list(range(1, 6 * n + 1))  # none lost, none twice
    for who in ("a", "b"):
        mine = [e.new.split()[1] for e in entries if e.subject_id == who]
        assert mine == [str(i) for i in range(n) for _ in range(3)]  # each append whole, in order
    with study_lock(tmp_path):
        pass  # the lock is free again


def test_import_from_the_command_line_is_via_import(study: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "os.login")
    path = export(study)
    fill(path, {("001", "W2D1"): {"Actual date": date(2026, 3, 9)}})
    assert run("import", str(study), str(path), "--today", "2026-03-30", "--apply",
               "--by", "zhao.min")[0] == 0
    fill(path, {("001", "W2D4"): {"Actual status": "missed", "Note": "fever"}})
    import_workbook(study, path, today=TODAY, apply=True, clock=clock)  # the library's default actor
    assert [(e.user, e.role, e.via, e.visit, e.field) for e in read_audit(study)] == [
        ("zhao.min", "cli", "import", "W2D1", "status"),
        ("zhao.min", "cli", "import", "W2D1", "actual_date"),
        ("os.login", "cli", "import", "W2D4", "status"),
        ("os.login", "cli", "import", "W2D4", "note"),
    ]


@pytest.mark.parametrize(("subject_id", "user", "seqs"), [
    pytest.param("001", None, [1, 4], id="subject"),
    pytest.param("0011", None, [2], id="subject-not-a-prefix-match"),
    pytest.param("1,2", None, [3], id="subject-with-a-comma"),
    pytest.param(None, "li.na", [1, 2, 3], id="user"),
    pytest.param("001", "wang", [4], id="both"),
    pytest.param("00", None, [], id="part-of-an-id"),
    pytest.param(None, "li", [], id="part-of-a-name"),
])
def test_read_audit_filters(tmp_path: Path, subject_id: str | None, user: str | None,
                            seqs: list[int]) -> None:
    wang = Actor(name="wang", role="investigator", via="api")
    for sid, actor in (("001", NURSE), ("0011", NURSE), ("1,2", NURSE), ("001", wang)):
        locked_append(tmp_path, [AuditChange(file="visits.csv", subject_id=sid, field="note",
                                             new=f"about 001 by li.na {sid}")],
                      actor=actor, at=AT, timezone="Asia/Shanghai")
    assert [e.seq for e in read_audit(tmp_path, subject_id=subject_id, user=user)] == seqs


def test_a_fifo_in_place_of_the_trail_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / AUDIT_NAME)
    code, out, err = run("audit", "verify", str(tmp_path))
    assert (code, out) == (2, "") and "the audit trail is not a regular file" in err


_RECORDER = """
import sys
from datetime import date, datetime, UTC
from cc312_schedule.entries.writes import record
from cc312_schedule.store.audit import Actor
folder, name = sys.argv[1], sys.argv[2]
for visit, day in zip(sys.argv[3::2], sys.argv[4::2]):
    record(folder, "001", visit, today=date(2026, 3, 30), done=date.fromisoformat(day),
           actor=Actor(name=name, role="nurse", via="desk"), lock_timeout=120)
"""


@pytest.mark.slow
def test_two_processes_record_at_once(study: Path) -> None:
    work = {"a": ["W2D1", "2026-03-09", "W2D4", "2026-03-12", "W3D1", "2026-03-16"],
            "b": ["W3D4", "2026-03-19", "W4D1", "2026-03-23", "W4D4", "2026-03-26"]}
    procs = [subprocess.Popen([sys.executable, "-c", _RECORDER, str(study), who, *args])
             for who, args in work.items()]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert verify_audit(study) == []
    entries = read_audit(study)
    assert [e.seq for e in entries] == list(range(1, 13))
    for who, args in work.items():  # each record: its status, then its date, together
        mine = [(e.visit, e.field, e.new) for e in entries if e.user == who]
        assert mine == [x for v, d in zip(args[::2], args[1::2], strict=True)
                        for x in ((v, "status", "done"), (v, "actual_date", d))]
    assert all((entries[i].user, entries[i].visit) == (entries[i + 1].user, entries[i + 1].visit)
               for i in range(0, 12, 2))  # one record's two entries are never split by another's
    rows = (study / "visits.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 + 6  # header, the study's 3 visits, the 6 recorded: none lost


def test_a_failed_write_whose_entries_cannot_be_taken_back_says_so(
        study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cc312_schedule.entries.writes as writes_module
    import cc312_schedule.store.audit as audit_module

    def full_disk(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writes_module, "write_entries", full_disk)
    monkeypatch.setattr(audit_module, "undo_append", full_disk)
    with pytest.raises(UsageError, match=r"cannot be taken back: No space left on device") as exc:
        record(study, "001", "W2D1", today=TODAY, done=date(2026, 3, 9), actor=NURSE, clock=clock)
    assert "from seq 1" in str(exc.value) and "audit verify" in str(exc.value)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "\\", "\\n", "'", "''", "=1+1", "-", "a\r\nb", '"', '","', "\x85\u2028\u2029", "\x00"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=4))
def test_any_text_reads_back_one_line_per_entry(tmp_path_factory: pytest.TempPathFactory,
                                                values: list[tuple[str, str, str]]) -> None:
    folder = tmp_path_factory.mktemp("trail")
    changes = [AuditChange(file="visits.csv", subject_id=sid, field="note", old=old, new=new)
               for sid, old, new in values]
    locked_append(folder, changes, actor=NURSE, at=AT, timezone="Asia/Shanghai")
    assert [(e.subject_id, e.old, e.new) for e in read_audit(folder)] == values
    assert (folder / AUDIT_NAME).read_bytes().count(b"\n") == 1 + len(values)
    assert verify_audit(folder) == []
