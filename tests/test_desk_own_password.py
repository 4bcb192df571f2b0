"""Every desk user's own password page (``/password``), in-process (Flask's test client): the
current password first, the new one twice; the user's other sessions end, this one stays; the
change is in the audit trail; and a wrong password typed in a session (here, or to sign a
decision) counts with the login's failed attempts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cc312_schedule.store.audit import read_audit
from cc312_schedule.store.users import verify_password
from conftest import DESK_PASSWORD as PASSWORD

NEW = "a new staple for the horse"


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


def login(client: Any, name: str, password: str = PASSWORD) -> int:
    answer = client.post("/login", data={"username": name, "password": password,
                                         "csrf_token": _token(client.get("/login").text)})
    return int(answer.status_code)


def change(client: Any, current: str, new: str, again: str) -> Any:
    return client.post("/password", data={"current": current, "password": new, "password2": again,
                                          "csrf_token": _token(client.get("/password").text)})


# (current, new, new again) -> the status, what the page says, whether the password changed
@pytest.mark.parametrize(("current", "new", "again", "status", "says", "changed"), [
    pytest.param("wrong password", NEW, NEW, 422, "the current password is wrong", False,
                 id="wrong-current"),
    pytest.param(PASSWORD.upper(), NEW, NEW, 422, "the current password is wrong", False,
                 id="current-in-capitals"),
    pytest.param(PASSWORD, NEW, NEW + ".", 422, "the two passwords differ", False,
                 id="new-ones-differ"),
    pytest.param(PASSWORD, "too short", "too short", 422, "at least 10 characters", False,
                 id="too-short"),
    pytest.param(PASSWORD, NEW, NEW, 302, "", True, id="changed"),
])
def test_own_password(app: Any, current: str, new: str, again: str, status: int, says: str,
                      changed: bool) -> None:
    folder = app.extensions["cc312_desk"].folder
    client = app.test_client()
    assert login(client, "nurse") == 302
    answer = change(client, current, new, again)
    assert answer.status_code == status
    assert says in answer.text
    assert (verify_password(folder, "nurse", NEW) is not None) is changed
    assert (verify_password(folder, "nurse", PASSWORD) is not None) is not changed


def test_the_other_sessions_end_this_one_stays_and_the_trail_says_who(app: Any) -> None:
    folder = app.extensions["cc312_desk"].folder
    here, phone = app.test_client(), app.test_client()
    assert login(here, "nurse") == 302 and login(phone, "nurse") == 302
    answer = change(here, PASSWORD, NEW, NEW)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/password")
    assert "Your password is changed" in here.get("/password").text
    assert here.get("/").status_code == 200          # this session stays
    assert phone.get("/").status_code == 302         # the phone's ended: to the login page
    assert login(app.test_client(), "nurse") == 401  # the old password no longer works
    assert login(app.test_client(), "nurse", NEW) == 302
    rows = [e for e in read_audit(folder, user="nurse") if e.file == "users"]
    assert [(e.visit, e.field, e.old, e.new, e.role, e.via) for e in rows] == [
        ("nurse", "password", "(set)", "(set)", "nurse", "desk")]
    # the new password is written nowhere (the database keeps its Argon2 hash)
    assert not [f for f in folder.rglob("*") if f.is_file() and NEW.encode() in f.read_bytes()]


def test_every_role_has_the_page_and_the_link(app: Any) -> None:
    client = app.test_client()
    assert login(client, "investigator") == 302
    page = client.get("/").text
    assert 'href="/password"' in page and "My password" in page
    assert client.get("/password").status_code == 200


def test_the_page_in_chinese(app: Any) -> None:
    client = app.test_client()
    assert login(client, "nurse") == 302
    client.post("/language", data={"lang": "zh-CN", "csrf_token": _token(client.get("/").text)})
    page = client.get("/password").text
    assert "修改我的密码" in page and "当前密码" in page and "再次输入新密码" in page
    assert "未保存：当前密码错误。" in change(client, "wrong password", NEW, NEW).text


def test_wrong_current_passwords_count_with_the_logins(app: Any) -> None:
    """Five wrong tries from a session block the sixth, even with the right password, and the
    login too (the login's rule: five per user in 15 minutes)."""
    client = app.test_client()
    assert login(client, "nurse") == 302
    for i in range(5):
        assert "the current password is wrong" in change(client, f"wrong {i}", NEW, NEW).text
    blocked = change(client, PASSWORD, NEW, NEW)
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    assert 800 < int(blocked.headers["Retry-After"]) <= 901
    assert verify_password(app.extensions["cc312_desk"].folder, "nurse", PASSWORD) is not None
    assert login(app.test_client(), "nurse") == 401


def test_wrong_signatures_count_with_the_logins(app: Any) -> None:
    folder = app.extensions["cc312_desk"].folder
    client = app.test_client()
    assert login(client, "investigator") == 302
    before = (folder / "decisions.csv").read_bytes()
    for i in range(5):
        assert "Wrong password" in _sign(client, f"wrong {i}").text
    blocked = _sign(client, PASSWORD)
    assert blocked.status_code == 422 and "Too many failed attempts" in blocked.text
    assert (folder / "decisions.csv").read_bytes() == before
    assert login(app.test_client(), "investigator") == 401  # the login of that name too


def _sign(client: Any, password: str) -> Any:
    token = _token(client.get("/subjects/006/decide").text)
    return client.post("/subjects/006/decide", data={
        "decided_on": "2026-11-30", "action": "continue", "regimen": "QW", "rationale": "weekly",
        "password": password, "csrf_token": token})


@pytest.mark.parametrize(("failures", "from_address"), [
    pytest.param([("investigator", f"wrong {i}") for i in range(5)], "203.0.113.5",
                 id="five-of-the-name-from-elsewhere"),
    pytest.param([(f"someone{i}", "wrong") for i in range(20)], "127.0.0.1",
                 id="twenty-from-the-ward-proxy"),
])
def test_others_failed_logins_never_stop_a_signature(app: Any, failures: list[tuple[str, str]],
                                                     from_address: str) -> None:
    """The login throttle blocks the name or the address; a logged-in investigator still signs
    (review: a stranger failing five logins of her name must not stop her decisions)."""
    client = app.test_client()
    assert login(client, "investigator") == 302
    stranger = app.test_client()
    for name, password in failures:
        page = stranger.get("/login", environ_base={"REMOTE_ADDR": from_address}).text
        stranger.post("/login", data={"username": name, "password": password,
                                      "csrf_token": _token(page)},
                      environ_base={"REMOTE_ADDR": from_address})
    assert _sign(client, PASSWORD).status_code == 302  # signed


def test_the_longest_password_allowed_works_everywhere(app: Any) -> None:
    """A new password up to the library's limit (1,024 characters) logs in and signs: no page
    cuts what it was given."""
    long = "horse " * 170  # 1,020 characters
    client = app.test_client()
    assert login(client, "investigator") == 302
    assert change(client, PASSWORD, long, long).status_code == 302
    fresh = app.test_client()
    assert login(fresh, "investigator", long) == 302
    assert _sign(fresh, long).status_code == 302
    too_long = "x" * 1025
    answer = change(fresh, long, too_long, too_long)
    assert answer.status_code == 422 and "at most 1024 characters" in answer.text


def test_only_ones_own_password_changes(app: Any) -> None:
    """The form's user name field (for password managers) names nobody: the session's user
    is the one whose password changes; without the CSRF token nothing changes."""
    folder = app.extensions["cc312_desk"].folder
    client = app.test_client()
    assert login(client, "nurse") == 302
    token = _token(client.get("/password").text)
    assert client.post("/password", data={"current": PASSWORD, "password": NEW, "password2": NEW,
                                          "username": "investigator"}).status_code == 400
    assert verify_password(folder, "nurse", PASSWORD) is not None
    answer = client.post("/password", data={"current": PASSWORD, "password": NEW,
                                            "password2": NEW, "username": "investigator",
                                            "csrf_token": token})
    assert answer.status_code == 302
    assert verify_password(folder, "nurse", NEW) is not None
    assert verify_password(folder, "investigator", PASSWORD) is not None
