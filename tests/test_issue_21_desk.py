"""Issue 21: the site desk over HTTP, against a real ``cc312-schedule serve`` (waitress) on
127.0.0.1 and a free port: every route for every role, no access without a login, CSRF,
cookie flags, security headers, escaping, the API's status codes and documents, the feeds,
and a clean stop on SIGTERM with one log line per request and no secret in it."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk_support import (
    PASSWORD,
    ROLES,
    TODAY,
    Client,
    RunningDesk,
    cli,
    running_desk,
    start_desk,
    stop_desk,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDesk]:
    with running_desk(tmp_path_factory.mktemp("desk")) as d:
        yield d


@pytest.fixture(scope="module")
def clients(desk: RunningDesk) -> dict[str, Client]:
    return {role: desk.client(role) for role in ROLES}


# Every route of the desk: (method, path, the roles allowed; "all" = every logged-in role).
# The form bodies are harmless for the roles allowed (bad input: nothing written), so the
# table checks the role check alone: allowed -> anything but 403, others -> 403.
ALL = set(ROLES)
RECORDERS = {"nurse", "investigator", "coordinator"}
ROUTES = [
    ("GET", "/", ALL),
    ("GET", f"/?on={TODAY}", ALL),
    ("GET", "/subjects", ALL),
    ("GET", "/subjects?q=00&state=continuing", ALL),
    ("GET", "/subjects/003", ALL),
    ("GET", "/subjects/003/feed.svg", ALL),
    ("GET", "/subjects/003/schedule-zh-CN.pdf", ALL),
    ("GET", "/subjects/003/schedule-en.pdf", ALL),
    ("POST", "/subjects/002/feed/rotate", {"coordinator"}),
    ("GET", "/subjects/006/decide", {"investigator"}),
    ("POST", "/subjects/006/decide", {"investigator"}),  # a wrong password: nothing signed
    ("POST", "/visits", RECORDERS),  # status "nothing": refused, nothing written
    ("GET", "/workbook", ALL),
    ("GET", "/workbook/download", ALL),
    ("POST", "/workbook/preview", {"coordinator"}),  # no file: nothing imported
    ("POST", "/workbook/apply", {"coordinator"}),  # no preview: nothing imported
    ("GET", "/exports", ALL),
    *[("GET", f"/exports/{n}", ALL) for n in ("plan.csv", "plan.json", "site.ics", "usdm.json",
                                               "due.html", "sdtm.zip")],
    ("GET", "/audit", ALL),
    ("GET", "/audit?subject_id=003&user=nurse", ALL),
    ("POST", "/language", ALL),
    # the users page (coordinators); "nobody" is no user: refused, nothing written
    ("GET", "/users", {"coordinator"}),
    ("POST", "/users", {"coordinator"}),  # an empty form: refused (422)
    ("POST", "/users/nobody/disable", {"coordinator"}),
    ("POST", "/users/nobody/enable", {"coordinator"}),
    ("POST", "/users/nobody/password", {"coordinator"}),
    ("POST", "/users/nobody/token", {"coordinator"}),
    # every user's own password; an empty form: the current password is wrong, nothing changes
    ("GET", "/password", ALL),
    ("POST", "/password", ALL),
    ("GET", "/api/v1/plan", ALL),
    ("GET", "/api/v1/due", ALL),
    ("GET", "/api/v1/audit", ALL),
    ("GET", "/api/v1/subjects/003/feed", ALL),
    ("POST", "/api/v1/subjects/001/feed/rotate", {"coordinator"}),
    ("POST", "/api/v1/visits", RECORDERS),  # an empty body: 400
    ("POST", "/api/v1/decisions", {"investigator"}),  # an empty body: 400
]
PUBLIC = [("GET", "/login"), ("GET", "/healthz"), ("GET", "/api/v1/openapi.json"),
          ("GET", "/static/desk.css")]
FORMS = {"/visits": {"subject_id": "003", "visit": "W22D1", "status": "nothing"},
         "/subjects/006/decide": {"action": "continue", "regimen": "QW", "rationale": "x",
                                  "password": "wrong password!"},
         "/language": {"lang": "en"}}


def _call(c: Client, method: str, path: str) -> int:
    if path.startswith("/api/"):
        if method == "GET":
            return c.get(path).status
        return c.post_json(path, {}, csrf=None).status
    if method == "GET":
        return c.get(path).status
    return c.post_form(path, FORMS.get(path, {})).status


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(desk: RunningDesk, clients: dict[str, Client], role: str,
                                    method: str, path: str, allowed: set[str]) -> None:
    """Pages with the session, the API with the user's Bearer token: 403 exactly for the
    roles without the right."""
    c = desk.api(role) if path.startswith("/api/") else clients[role]
    status = _call(c, method, path)
    if role in allowed:
        assert status != 403 and status < 500, status
        if method == "GET":
            assert status == 200
    else:
        assert status == 403


def test_the_table_names_every_route_of_the_desk(desk: RunningDesk) -> None:
    """A new route without a row above fails here: every (endpoint, method) of the desk's own
    url map is reached by a row of ROUTES or PUBLIC (or the login, logout and feed tests)."""
    from cc312_schedule.desk.app import create_app
    from cc312_schedule.desk.context import DeskConfig

    app = create_app(DeskConfig(folder=desk.folder))
    every = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    adapter = app.url_map.bind("127.0.0.1")
    rows = [(m, p) for m, p, _ in ROUTES] + PUBLIC + [
        ("POST", "/login"), ("POST", "/logout"), ("GET", "/feeds/" + "A" * 43 + ".ics")]
    reached = {(adapter.match(p.split("?")[0], method=m)[0], m) for m, p in rows}
    assert every - reached == set()


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_nothing_without_a_login(desk: RunningDesk, method: str, path: str, allowed: set[str]) -> None:
    c = Client(desk.base)
    if path.startswith("/api/"):
        status = c.get(path).status if method == "GET" else c.post_json(path, {}).status
        assert status == 401
        return
    if method == "GET":
        answer = c.get(path)
        assert answer.status == 302 and answer.headers["Location"].endswith("/login")
    else:  # no session: the CSRF check refuses it first (400), or the login (302)
        assert c.post_form(path, FORMS.get(path, {}), csrf_from="/login").status in (302, 400)


@pytest.mark.parametrize(("method", "path"), PUBLIC, ids=[p for _, p in PUBLIC])
def test_public_routes(desk: RunningDesk, method: str, path: str) -> None:
    assert Client(desk.base).get(path).status == 200


def test_a_wrong_token_or_password_is_refused(desk: RunningDesk) -> None:
    assert Client(desk.base, token="x" * 43).get("/api/v1/plan").status == 401
    assert Client(desk.base).login("nurse", "wrong password").status == 401
    assert Client(desk.base).login("nobody", PASSWORD).status == 401


def test_login_is_throttled_after_repeated_failures(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        c = Client(d.base)
        statuses = [c.login("nurse", f"wrong {i}").status for i in range(5)]
        assert statuses == [401] * 5
        blocked = c.login("nurse", PASSWORD)  # the right password, too late
        assert blocked.status == 401 and "Too many failed attempts" in blocked.text
        # one user's failures do not lock the others out of the same address (a ward's proxy)
        assert Client(d.base).login("monitor").status == 302


# ---- CSRF, cookies, headers -------------------------------------------------------------


def test_csrf_is_required_on_every_state_change(desk: RunningDesk, clients: dict[str, Client]) -> None:
    before = (desk.folder / "visits.csv").read_bytes()
    nurse = clients["nurse"]
    form = {"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": TODAY}
    assert nurse.post_form("/visits", form, csrf_from=None).status == 400
    assert nurse.post_form("/visits", {**form, "csrf_token": "forged"}, csrf_from=None).status == 400
    api = {"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": TODAY}
    assert nurse.post_json("/api/v1/visits", api).status == 400  # session without X-CSRFToken
    assert (desk.folder / "visits.csv").read_bytes() == before
    # another user's token is not this session's
    other = clients["coordinator"].csrf("/")
    assert nurse.post_form("/visits", {**form, "csrf_token": other}, csrf_from=None).status == 400
    assert (desk.folder / "visits.csv").read_bytes() == before


def test_state_changes_only_by_post(desk: RunningDesk, clients: dict[str, Client]) -> None:
    for path in ("/visits", "/logout", "/language", "/workbook/apply", "/subjects/003/feed/rotate"):
        assert clients["coordinator"].get(path).status == 405, path


def test_session_cookie_flags(desk: RunningDesk) -> None:
    c = Client(desk.base)
    answer = c.post_form("/login", {"username": "nurse", "password": PASSWORD}, csrf_from="/login")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1: a Secure cookie would never return


def test_secure_cookies_behind_tls(tmp_path: Path) -> None:
    with running_desk(tmp_path, extra=("--behind-tls",)) as d:
        # nginx terminates TLS and says so; the login form's session (its CSRF token) is set
        answer = Client(d.base).get("/login", headers={"X-Forwarded-Proto": "https"})
        cookie = answer.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "max-age" in answer.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("path", ["/", "/subjects/003", "/api/v1/plan", "/login"])
def test_security_headers(desk: RunningDesk, clients: dict[str, Client], path: str) -> None:
    h = clients["monitor"].get(path).headers
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Cache-Control"] == "no-store"


def test_no_page_has_inline_script_or_style(desk: RunningDesk, clients: dict[str, Client]) -> None:
    for path in ("/", "/subjects", "/subjects/003", "/subjects/006/decide", "/workbook",
                 "/exports", "/audit", "/login"):
        text = clients["investigator"].get(path).text
        assert "<script" not in text and " style=" not in text and "onerror" not in text, path
    text = clients["coordinator"].get("/users").text
    assert "<script" not in text and " style=" not in text and "onerror" not in text


def test_logout_ends_the_session(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        c = d.client("nurse")
        assert c.get("/").status == 200
        assert c.post_form("/logout", {}).status == 302
        assert c.get("/").status == 302


# ---- escaping ---------------------------------------------------------------------------

XSS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "</textarea><svg onload=alert(1)>"]


def test_payloads_in_notes_rationales_and_ids_are_shown_escaped(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        nurse, inv = d.api("nurse"), d.api("investigator")
        r = nurse.post_json("/api/v1/visits", {"subject_id": "003", "visit": "W21D1",
                                               "status": "missed", "note": " ".join(XSS)})
        assert r.status == 201, r.text
        r = inv.post_json("/api/v1/decisions", {
            "subject_id": "006", "decided_on": TODAY, "action": "continue", "regimen": "QW",
            "rationale": " ".join(XSS)})
        assert r.status == 201, r.text
        monitor = d.client("monitor")
        pages = [monitor.get(p).text for p in (
            "/subjects/003", "/subjects/006", "/audit", "/?on=2026-11-23",
            "/subjects?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "/audit?subject_id=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")]
        for text in pages:
            for payload in XSS:
                assert payload not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[0]  # the note, escaped
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[2]  # the rationale in the trail
        assert "<script" not in "".join(pages)
        unknown = monitor.get("/subjects/%3Cscript%3E")
        assert unknown.status == 404 and "<script>" not in unknown.text


# ---- the API --------------------------------------------------------------------------


def test_plan_and_due_are_the_command_lines_documents(desk: RunningDesk) -> None:
    api = desk.api("monitor")
    for path, args in ((f"/api/v1/plan?today={TODAY}", ["plan", "--format", "json", "--today", TODAY]),
                       ("/api/v1/due?on=2026-12-01", ["due", "--format", "json", "--on", "2026-12-01"])):
        answer = api.get(path)
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("application/json")
        printed = cli(args[0], str(desk.folder), *args[1:], "--quiet" if args[0] == "plan" else "--format")
        if args[0] == "due":
            printed = cli("due", str(desk.folder), *args[1:])
        assert printed.returncode == 0, printed.stderr
        assert answer.text == printed.stdout


@pytest.mark.parametrize(("body", "status", "error"), [
    ("not json", 400, "the body must be a JSON object"),
    ({"visit": "W22D1", "status": "done"}, 400, "missing field: subject_id"),
    ({"subject_id": "003", "visit": "W22D1", "status": "gone"}, 400, "bad value of status"),
    ({"subject_id": "003", "visit": "W22D1", "status": "done"}, 400, "missing field: actual_date"),
    ({"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": "30/11/2026"}, 400,
     "bad value of actual_date"),
    ({"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": "2026-12-05"}, 422,
     "in the future (today is 2026-11-30)"),
    ({"subject_id": "999", "visit": "W22D1", "status": "done", "actual_date": TODAY}, 422,
     "unknown subject"),
    ({"subject_id": "003", "visit": "W99D1", "status": "done", "actual_date": TODAY}, 422,
     "not in the current plan of subject 003"),
], ids=["not-json", "no-subject", "bad-status", "done-without-date", "bad-date", "future",
        "unknown-subject", "unknown-visit"])
def test_bad_visits_are_refused_with_the_command_lines_messages(
        desk: RunningDesk, body: object, status: int, error: str) -> None:
    before = (desk.folder / "visits.csv").read_bytes()
    api = desk.api("nurse")
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    answer = api.request("POST", "/api/v1/visits", data=data,
                         headers={"Content-Type": "application/json"})
    assert answer.status == status, answer.text
    assert error in answer.json()["error"]
    assert (desk.folder / "visits.csv").read_bytes() == before


def test_record_conflict_and_amend(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        nurse = d.api("nurse")
        entry = {"subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": TODAY,
                 "note": "given"}
        first = nurse.post_json("/api/v1/visits", entry)
        assert first.status == 201 and first.json()["actual_date"] == TODAY
        assert nurse.post_json("/api/v1/visits", entry).status == 200  # the same again: no change
        other = {**entry, "actual_date": "2026-11-29"}
        clash = nurse.post_json("/api/v1/visits", other)
        assert clash.status == 409
        assert "2026-11-30" in clash.json()["error"] and "2026-11-29" in clash.json()["error"]
        amended = nurse.post_json("/api/v1/visits", {**other, "amend": "typed the wrong day"})
        assert amended.status == 201 and amended.json()["amended"] is True
        rows = list(csv.DictReader(io.StringIO((d.folder / "visits.csv").read_text("utf-8"))))
        mine = [r for r in rows if (r["subject_id"], r["visit"]) == ("003", "W22D1")]
        assert len(mine) == 1 and mine[0]["actual_date"] == "2026-11-29"
        assert mine[0]["amendment_note"] == "typed the wrong day"
        trail = d.api("monitor").get("/api/v1/audit?subject_id=003").json()["entries"]
        assert [(e["field"], e["old"], e["new"]) for e in trail if e["visit"] == "W22D1"][-1] == (
            "actual_date", "2026-11-30", "2026-11-29")
        assert {e["via"] for e in trail} == {"api"} and trail[-1]["user"] == "nurse"
        assert trail[-1]["why"] == "typed the wrong day"


def test_decisions_are_signed_by_the_tokens_investigator(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        body = {"subject_id": "006", "decided_on": TODAY, "action": "continue", "regimen": "Q2W",
                "weeks": 8, "rationale": "B cells depleted"}
        assert d.api("nurse").post_json("/api/v1/decisions", body).status == 403
        assert d.api("coordinator").post_json("/api/v1/decisions", body).status == 403
        answer = d.api("investigator").post_json("/api/v1/decisions", body)
        assert answer.status == 201, answer.text
        assert answer.json()["investigator"] == "Dr. Investigator"
        last = (d.folder / "decisions.csv").read_text("utf-8").splitlines()[-1]
        assert last == "006,2026-11-30,continue,Q2W,8,,Dr. Investigator,B cells depleted"
        bad = d.api("investigator").post_json("/api/v1/decisions", {**body, "decided_on": "2026-10-01",
                                                                    "regimen": "QW"})
        assert bad.status == 422


def test_feeds_served_and_rotated(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        url = d.api("nurse").get("/api/v1/subjects/004/feed").json()["url"]
        assert re.fullmatch(re.escape(d.base) + r"/feeds/[A-Za-z0-9_-]{43}\.ics", url)
        anyone = Client(d.base)
        path = url[len(d.base):]
        cal = anyone.get(path)
        assert cal.status == 200 and cal.headers["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in cal.body and b"REFRESH-INTERVAL" in cal.body
        # the subject as every output shows it, 004 (review C9), in the summaries
        assert "004 · ".encode() in cal.body and "003 · ".encode() not in cal.body
        assert d.api("nurse").post_json("/api/v1/subjects/004/feed/rotate", {}).status == 403
        rotated = d.api("coordinator").post_json("/api/v1/subjects/004/feed/rotate", {})
        assert rotated.status == 201
        new = rotated.json()["url"]
        assert new != url
        assert anyone.get(path).status == 404
        assert anyone.get(new[len(d.base):]).status == 200
        assert anyone.get("/feeds/" + "A" * 43 + ".ics").status == 404
        assert anyone.get("/feeds/short.ics").status == 404
        # the secret never reaches the log
        assert path.split("/")[-1][:-4] not in d.log_text()


def test_openapi_document_names_every_api_path(desk: RunningDesk) -> None:
    doc = Client(desk.base).get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/healthz", "/api/v1/plan", "/api/v1/due", "/api/v1/visits",
                                 "/api/v1/decisions", "/api/v1/audit", "/api/v1/subjects/{id}/feed",
                                 "/api/v1/subjects/{id}/feed/rotate"}
    assert set(doc["paths"]["/api/v1/visits"]["post"]["responses"]) >= {"201", "400", "403", "409", "422"}


# ---- the study folder stays the record -----------------------------------------------------


def test_a_record_from_the_command_line_shows_on_the_next_page(tmp_path: Path) -> None:
    with running_desk(tmp_path) as d:
        c = d.client("monitor")
        assert "W21D4" in c.get("/").text  # overdue
        done = cli("record", str(d.folder), "003", "W21D4", "--done", "2026-11-27", "--today", TODAY,
                   "--by", "cli-user")
        assert done.returncode == 0, done.stderr
        page = c.get("/subjects/003").text
        assert re.search(r"W21D4.*?2026-11-27", page, re.S)
        today = c.get("/").text
        assert not re.search(r"<strong>W21D4</strong>", today)


def test_two_nurses_recording_the_same_visit_at_once(tmp_path: Path) -> None:
    """One wins; the other gets a conflict showing both values; one row, nothing lost."""
    import threading

    with running_desk(tmp_path) as d:
        answers: dict[str, object] = {}

        def go(user: str, day: str) -> None:
            answers[user] = d.api(user).post_json("/api/v1/visits", {
                "subject_id": "003", "visit": "W22D1", "status": "done", "actual_date": day})
        threads = [threading.Thread(target=go, args=a) for a in
                   (("nurse", "2026-11-30"), ("coordinator", "2026-11-29"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(a.status for a in answers.values())  # type: ignore[attr-defined]
        assert statuses == [201, 409]
        loser = next(a for a in answers.values() if a.status == 409)  # type: ignore[attr-defined]
        assert "2026-11-30" in loser.json()["error"] and "2026-11-29" in loser.json()["error"]  # type: ignore[attr-defined]
        rows = [r for r in csv.DictReader(io.StringIO((d.folder / "visits.csv").read_text("utf-8")))
                if (r["subject_id"], r["visit"]) == ("003", "W22D1")]
        assert len(rows) == 1


# ---- the server -----------------------------------------------------------------------


def test_serve_logs_a_line_per_request_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    from desk_support import make_study

    folder, tokens = make_study(tmp_path)
    log = tmp_path / "serve.log"
    proc, base = start_desk(folder, log)
    c = Client(base)
    c.login("nurse")
    c.get("/subjects/003")
    c.get(f"/api/v1/plan?today={TODAY}")
    assert stop_desk(proc) == 0
    text = log.read_text()
    assert "127.0.0.1:" in text.splitlines()[0]  # where it listens
    lines = [ln for ln in text.splitlines() if " GET " in ln or " POST " in ln]
    assert any(re.search(r" nurse GET /subjects/003 200 \d+ \d+ms$", ln) for ln in lines), lines
    assert any(" POST /login 302 " in ln for ln in lines)
    assert not any("today=" in ln for ln in lines)  # no query strings
    assert PASSWORD not in text and not any(t in text for t in tokens.values())
    assert text.rstrip().endswith("cc312-schedule desk stopped")


def test_serve_binds_to_127_0_0_1_by_default() -> None:
    from cc312_schedule.cli import build_parser

    args = build_parser().parse_args(["serve", "study"])
    assert (args.host, args.port) == ("127.0.0.1", 8312)


def test_serve_refuses_a_study_that_does_not_load(tmp_path: Path) -> None:
    done = subprocess.run([str(Path(cli.__globals__["CLI"])), "serve", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no such study folder" in done.stderr
