"""Issue 21 §5 under load: the desk's writes check an entry against the plans made for its
pages (``engine.SubjectPlans``, ``memo=``) and answer exactly what checking against a whole
new plan answers, over the example study and a generated 1,000-subject one, with and without
the site's capacity (the balancer makes subjects interact); a write that waits too long for
the study's lock is a 503 with ``Retry-After``, in the page's language, and writes nothing.

The speed itself is measured in ``benchmarks/desk_load.py`` (benchmarks/RESULTS.md), never
asserted here."""

from __future__ import annotations

import csv
import io
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cc312_schedule import example_study_path, load_study
from cc312_schedule.core.domain import Action, Decision, RecordStatus, SourceRef, Study
from cc312_schedule.core.errors import InvalidStudyError
from cc312_schedule.core.opendays import SiteCalendar
from cc312_schedule.entries.writes import (
    DecisionEntry,
    EntryPlan,
    VisitEntry,
    WorkbookEntries,
    plan_entries,
    study_lock,
)
from cc312_schedule.planning.engine import SubjectPlans, plan_study
from desk_support import TODAY, cli, running_desk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

DAY = date(2026, 11, 30)
#: the example study's data run to 2026-11-30: seven months on, every subject has open visits
LATER = date(2027, 6, 30)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Study:
    from synthetic import generate  # benchmarks/synthetic.py: the benchmark's own study

    return load_study(generate(1000, tmp_path_factory.mktemp("big") / "study"))


def with_chairs(study: Study, chairs: int | None) -> Study:
    """The study with ``max_dosing_per_day = chairs`` (None: as it is)."""
    if chairs is None:
        return study
    return replace(study, calendar=replace(study.calendar or SiteCalendar(),
                                           max_dosing_per_day=chairs))


def open_visits(study: Study, today: date, n: int) -> list[tuple[str, str, date]]:
    """``n`` visits with nothing recorded, planned by ``today``, from different subjects."""
    out, seen = [], set()
    for p in plan_study(study, today=today):
        for e in p.events:
            if e.status.value in ("planned", "overdue") and e.date <= today \
                    and p.subject_id not in seen:
                out.append((p.subject_id, e.visit, e.date))
                seen.add(p.subject_id)
                break
        if len(out) == n:
            break
    return out


def done(sid: str, visit: str, on: date, line: int) -> VisitEntry:
    return VisitEntry(subject_id=sid, visit=visit, status=RecordStatus.DONE, actual_date=on,
                      cells={"subject": f"Visits!A{line}", "status": f"Visits!P{line}"})


def entries_for(study: Study, today: date) -> list[tuple[str, WorkbookEntries]]:
    """Entries of every kind: a dose done, a dose missed, two subjects at once, a decision, a
    visit not in the plan (refused), a contradiction of a recorded visit (a conflict)."""
    todo = open_visits(study, today, 3)
    (s1, v1, d1), (s2, v2, d2), (s3, _, _) = todo
    recorded = next(v for v in study.visits if v.actual_date is not None)
    stop = Decision(subject_id=s3, decided_on=today, action=Action.STOP,
                    investigator="Dr. A", source=SourceRef(path="<test>"))
    return [
        ("done", WorkbookEntries(path="<test>", visits=(done(s1, v1, d1, 2),))),
        ("missed", WorkbookEntries(path="<test>", visits=(
            VisitEntry(subject_id=s2, visit=v2, status=RecordStatus.MISSED, note="ill"),))),
        ("two subjects", WorkbookEntries(path="<test>", visits=(done(s1, v1, d1, 2),
                                                                done(s2, v2, d2, 3)))),
        ("decision", WorkbookEntries(path="<test>", decisions=(DecisionEntry(decision=stop),))),
        ("not in the plan", WorkbookEntries(path="<test>", visits=(done(s1, "W40D1", d1, 2),))),
        ("conflict", WorkbookEntries(path="<test>", visits=(
            done(recorded.subject_id, recorded.visit, recorded.actual_date - date.resolution  # type: ignore[operator]
                 if recorded.actual_date else today, 2),))),
    ]


def checked(study: Study, entries: WorkbookEntries, memo: SubjectPlans | None,
            today: date) -> EntryPlan | str:
    try:
        return plan_entries(study, entries, today=today, memo=memo)
    except InvalidStudyError as exc:
        return f"refused: {exc}"


STUDIES = [pytest.param("example", None, id="example"),
           pytest.param("example", 1, id="example-1-chair"),
           pytest.param("big", None, id="1000-subjects", marks=pytest.mark.slow),
           pytest.param("big", 30, id="1000-subjects-30-chairs", marks=pytest.mark.slow)]


@pytest.mark.parametrize(("which", "chairs"), STUDIES)
def test_an_entry_checked_with_the_pages_plans_is_checked_as_against_a_whole_new_plan(
        request: pytest.FixtureRequest, which: str, chairs: int | None) -> None:
    base = load_study(example_study_path()) if which == "example" else request.getfixturevalue("big")
    study, today = with_chairs(base, chairs), LATER if which == "example" else DAY
    memo = SubjectPlans()
    pages = plan_study(study, today=today, as_of=today, memo=memo)  # the desk's pages' plan
    assert pages == plan_study(study, today=today)
    for name, entries in entries_for(study, today):
        alone = checked(study, entries, None, today)
        assert checked(study, entries, memo, today) == alone, name
        if isinstance(alone, EntryPlan) and alone.changes:  # the study after the write
            after = replace(study, visits=study.visits + alone.added_visits,
                            decisions=study.decisions + alone.added_decisions)
            assert plan_study(after, today=today, memo=memo) == plan_study(after, today=today), name
            assert plan_study(after, today=None, as_of=today, memo=memo) == plan_study(
                after, today=None, as_of=today), name


def test_the_cases_above_cover_every_answer() -> None:
    study = load_study(example_study_path())
    answers = {name: checked(study, e, None, LATER) for name, e in entries_for(study, LATER)}
    assert isinstance(answers["done"], EntryPlan) and len(answers["done"].added_visits) == 1
    assert isinstance(answers["decision"], EntryPlan) and len(answers["decision"].added_decisions) == 1
    assert str(answers["not in the plan"]).startswith("refused: ")
    assert isinstance(answers["conflict"], EntryPlan) and answers["conflict"].conflicts


def test_a_write_plans_only_the_subject_it_touches() -> None:
    """Without a capacity, recording one dose plans that one subject alone: anew with the dose
    entered (to check it) and after the write, from the memo before it; nobody else."""
    study = load_study(example_study_path())
    memo = SubjectPlans()
    plan_study(study, today=DAY, as_of=DAY, memo=memo)  # as the desk's pages plan
    misses, hits = memo.misses, memo.hits
    plan_entries(study, WorkbookEntries(path="<test>", visits=(done("003", "W22D1", DAY, 2),)),
                 today=DAY, memo=memo)
    assert (memo.misses - misses, memo.hits - hits) == (2, 1)


def test_a_row_that_moved_in_its_file_is_named_by_its_new_line() -> None:
    """The memo keys a subject's rows with their sources (file:line): a warning names them."""
    study = load_study(example_study_path())
    memo = SubjectPlans()
    before = plan_study(study, today=DAY, memo=memo)
    assert any("decisions.csv:8" in w.message for w in before.warnings)
    moved = replace(study, decisions=tuple(
        replace(d, source=SourceRef(path=d.source.path, line=(d.source.line or 0) + 1))
        for d in study.decisions))
    after = plan_study(moved, today=DAY, memo=memo)
    assert after == plan_study(moved, today=DAY)
    assert any("decisions.csv:9" in w.message for w in after.warnings)
    assert not any("decisions.csv:8" in w.message for w in after.warnings)


def test_other_rules_empty_the_memo() -> None:
    """Another site calendar (here: the closed days gone) is planned anew, not from the memo."""
    study = load_study(example_study_path())
    memo = SubjectPlans()
    plan_study(study, today=DAY, memo=memo)
    open_every_day = replace(study, calendar=SiteCalendar(weekend=()))
    assert plan_study(open_every_day, today=DAY, memo=memo) == plan_study(open_every_day,
                                                                           today=DAY)
    assert plan_study(study, today=DAY, memo=memo) == plan_study(study, today=DAY)


def test_the_memo_keeps_at_most_its_size() -> None:
    study = load_study(example_study_path())
    memo = SubjectPlans(max_entries=4)
    plan_study(study, today=DAY, memo=memo)
    plan_study(study, today=date(2026, 12, 1), memo=memo)
    assert len(memo) == 4


def test_threads_sharing_a_memo_get_the_whole_plans() -> None:
    study = load_study(example_study_path())
    memo = SubjectPlans(max_entries=10)  # small: entries dropped while others plan
    days = [date(2026, 11, d) for d in range(20, 31)]
    expected = {d: plan_study(study, today=d) for d in days}
    wrong: list[date] = []

    def run(offset: int) -> None:
        for d in days[offset:] + days[:offset]:
            if plan_study(study, today=d, memo=memo) != expected[d]:
                wrong.append(d)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


# ---- a write that waits too long for the lock ----------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("language", "busy"), [
    ("en", "someone else is saving to the study right now (waited 1 s)"),
    ("zh-CN", "其他人正在保存本研究的数据（已等待 1 秒）"),
], ids=["en", "zh-CN"])
def test_a_write_that_waits_too_long_is_a_503_with_retry_after(tmp_path: Path, language: str,
                                                               busy: str) -> None:
    with running_desk(tmp_path, language=language, extra=("--lock-wait", "1")) as d:
        nurse = d.client("nurse")
        token = nurse.csrf("/")
        form = {"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": TODAY,
                "csrf_token": token, "next": "/"}
        api = d.api("nurse")
        entry = {"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": TODAY}
        before = (d.folder / "visits.csv").read_bytes()
        with study_lock(d.folder):  # another writer holds the study
            page = nurse.post_form("/visits", form, csrf_from=None)
            answer = api.post_json("/api/v1/visits", entry)
        assert page.status == 503 and page.headers["Retry-After"] == "5"
        assert busy in page.text
        assert answer.status == 503 and answer.headers["Retry-After"] == "5"
        assert "waited 1 s" in answer.json()["error"]
        assert (d.folder / "visits.csv").read_bytes() == before  # nothing written
        assert nurse.post_form("/visits", form, csrf_from=None).status == 302  # the lock is free
        rows = [r for r in csv.DictReader(io.StringIO((d.folder / "visits.csv").read_text("utf-8")))
                if (r["subject_id"], r["visit"]) == ("003", "W22D1")]
        assert len(rows) == 1


@pytest.mark.parametrize("value", ["0", "-1", "601", "nan"])
def test_serve_refuses_a_lock_wait_out_of_range(value: str) -> None:
    out = cli("serve", str(example_study_path()), "--lock-wait", value)
    assert out.returncode == 2 and "--lock-wait" in out.stderr


# ---- pages computed at once ----------------------------------------------------------


def test_the_page_gate_lets_writes_pass_while_pages_wait() -> None:
    """``serve``'s PageGate: with one slot, a second page waits for the first; a POST (a
    write) and the static files do not wait."""
    from cc312_schedule.desk.serve import PageGate

    inside = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        ran.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        if environ["PATH_INFO"] == "/slow":
            inside.set()
            release.wait(10)
        return [b"ok"]

    gate = PageGate(app, 1)

    def call(method: str, path: str) -> None:
        list(gate({"REQUEST_METHOD": method, "PATH_INFO": path}, None))

    slow = threading.Thread(target=call, args=("GET", "/slow"))
    slow.start()
    assert inside.wait(10)
    page = threading.Thread(target=call, args=("GET", "/subjects"))
    page.start()
    for method, path in (("POST", "/visits"), ("GET", "/static/desk.css"), ("GET", "/healthz")):
        passing = threading.Thread(target=call, args=(method, path))
        passing.start()
        passing.join(5)
        stuck = passing.is_alive()
        if stuck:
            release.set()  # never leave a thread waiting
        assert not stuck, f"{method} {path} waited for the page"
    page.join(0.3)
    assert ran == ["GET /slow", "POST /visits", "GET /static/desk.css", "GET /healthz"]
    release.set()
    slow.join(10)
    page.join(10)
    assert ran[-1] == "GET /subjects"


@pytest.mark.slow
def test_a_desk_write_after_a_command_line_write_sees_it(tmp_path: Path) -> None:
    """The desk's read of the study is used under the lock only while the files are the ones
    it read: a visit recorded from the command line meanwhile is a conflict (409, both dates),
    never a second row."""
    with running_desk(tmp_path) as d:
        nurse = d.api("nurse")
        assert nurse.get("/api/v1/plan").status == 200  # the desk has read and planned the study
        assert nurse.post_json("/api/v1/visits", {  # and written through its own read
            "subject_id": "003", "visit": "W21D4", "status": "done",
            "actual_date": "2026-11-27"}).status == 201
        out = cli("record", str(d.folder), "003", "W22D1", "--done", "2026-11-30", "--today", TODAY,
                  "--by", "cli-user")
        assert out.returncode == 0, out.stderr
        clash = nurse.post_json("/api/v1/visits", {
            "subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": "2026-11-29"})
        assert clash.status == 409, clash.text
        assert "2026-11-30" in clash.json()["error"] and "2026-11-29" in clash.json()["error"]
        rows = [r for r in csv.DictReader(io.StringIO((d.folder / "visits.csv").read_text("utf-8")))
                if (r["subject_id"], r["visit"]) == ("003", "W22D1")]
        assert len(rows) == 1 and rows[0]["actual_date"] == "2026-11-30"
