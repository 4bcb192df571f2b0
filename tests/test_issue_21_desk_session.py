"""Issue 21: the desk's session rules, in-process (Flask's test client): the idle timeout is
enforced by the server (a cookie signed more than ``idle_minutes`` ago is refused, whatever the
browser keeps), the session is renewed by each request, a disabled user is out at once, and a
decision is signed only with the user's password again."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from cc312_schedule.store.audit import Actor
from cc312_schedule.store.users import disable_user
from conftest import DESK_PASSWORD

PASSWORD = DESK_PASSWORD  # the users of the fixture ``app``
ADMIN = Actor(name="test", role="coordinator", via="cli")
AT = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def login(client: Any, name: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302


def at_time(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make itsdangerous (which signs Flask's session cookie) read the clock ``seconds`` later."""
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real(self) + int(seconds))


@pytest.mark.parametrize(("idle_minutes", "logged_in"), [(29, True), (31, False)],
                         ids=["29-min-idle", "31-min-idle"])
def test_the_idle_timeout_is_the_servers(app: Any, monkeypatch: pytest.MonkeyPatch,
                                          idle_minutes: int, logged_in: bool) -> None:
    client = app.test_client()
    login(client, "nurse")
    assert client.get("/").status_code == 200
    at_time(monkeypatch, idle_minutes * 60)
    answer = client.get("/")
    assert (answer.status_code == 200) is logged_in
    if not logged_in:
        assert answer.headers["Location"].endswith("/login")


def test_each_request_renews_the_session(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    login(client, "nurse")
    at_time(monkeypatch, 20 * 60)
    assert client.get("/").status_code == 200  # re-signed now (+20 min)
    monkeypatch.undo()
    at_time(monkeypatch, 40 * 60)  # 40 min after login, 20 after the last request
    assert client.get("/").status_code == 200


def test_a_disabled_user_is_out_at_once(app: Any) -> None:
    client = app.test_client()
    login(client, "nurse")
    disable_user(app.extensions["cc312_desk"].folder, "nurse", actor=ADMIN, at=AT)
    assert client.get("/").status_code == 302


def test_signing_asks_for_the_password_again(app: Any) -> None:
    client = app.test_client()
    login(client, "investigator")
    page = client.get("/subjects/006/decide")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "decided_on": "2026-11-30", "action": "continue", "regimen": "QW",
            "rationale": "weekly"}
    folder = app.extensions["cc312_desk"].folder
    before = (folder / "decisions.csv").read_bytes()
    for password in ("", "wrong password", PASSWORD.upper()):
        answer = client.post("/subjects/006/decide", data={**form, "password": password})
        assert answer.status_code == 422 and "Wrong password" in answer.text
        assert (folder / "decisions.csv").read_bytes() == before
    answer = client.post("/subjects/006/decide", data={**form, "password": PASSWORD})
    assert answer.status_code == 302
    assert (folder / "decisions.csv").read_text("utf-8").endswith(
        "006,2026-11-30,continue,QW,,,investigator,weekly\n")
    from cc312_schedule.store.audit import read_audit

    signed = [e for e in read_audit(folder, subject_id="006") if e.file == "decisions.csv"]
    assert signed and {e.reason for e in signed} == {
        "By signing I, investigator, as investigator, take this decision for subject 006."}
    assert {(e.user, e.role, e.via) for e in signed} == {("investigator", "investigator", "desk")}
