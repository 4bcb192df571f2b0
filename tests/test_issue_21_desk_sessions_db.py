"""Issue 21: the desk's sessions are rows of the study's SQLite database, and coordinators
manage users on the desk's users page. Against a real ``cc312-schedule serve``: a login is a
row holding only a hash; logging out, disabling the user (command line or desk), a new
password, the idle timeout and the session's lifetime end it on the server (the old cookie,
replayed, gets the login page); expired rows are purged; the file stays owner-only. The
users page: add, refuse (same rules as the command line), disable/enable, new password, an
API token shown once, every change in the audit trail by way of the desk, both languages."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import sqlite3
import stat
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cc312_schedule.core.errors import UsageError
from cc312_schedule.store.audit import Actor, read_audit
from cc312_schedule.store.users import DB_NAME, add_user, connect, disable_user, enable_user
from desk_support import PASSWORD, Client, RunningDesk, cli, running_desk

pytestmark = pytest.mark.slow

ADMIN = Actor(name="test", role="coordinator", via="cli")
_names = itertools.count(1)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDesk]:
    with running_desk(tmp_path_factory.mktemp("desk-sessions")) as d:
        yield d


def new_user(desk: RunningDesk, role: str = "nurse") -> str:
    """A fresh user for one test (the module's desk is shared)."""
    name = f"{role}-{next(_names)}"
    add_user(desk.folder, name, role=role, password=PASSWORD, actor=ADMIN, at=datetime.now(UTC))
    return name


def db(desk: RunningDesk) -> sqlite3.Connection:
    return sqlite3.connect(desk.folder / DB_NAME)


def rows(desk: RunningDesk, user: str) -> list[tuple[str, str, str, str]]:
    with db(desk) as conn:
        return conn.execute("SELECT id_sha256, created, last_seen, address FROM sessions "
                            "WHERE user = ?", (user,)).fetchall()


def cookie_of(c: Client) -> str:
    return next(k.value for k in c.jar if k.name == "cc312_desk")  # type: ignore[misc]


def session_id_in(cookie: str) -> str:
    """What Flask-Login keeps in the cookie (signed, not encrypted: readable by its holder)."""
    payload = cookie.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        data = zlib.decompress(data)
    return str(json.loads(data)["_user_id"])


def replay(desk: RunningDesk, cookie: str, path: str = "/") -> int:
    """A GET with nothing but ``cookie`` (as a thief who copied it would send it)."""
    answer = Client(desk.base).get(path, headers={"Cookie": f"cc312_desk={cookie}"})
    if answer.status == 302:
        assert answer.headers["Location"].endswith("/login")
    return answer.status


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the session rows ------------------------------------------------------------------


def test_a_login_is_a_row_that_holds_only_a_hash(desk: RunningDesk) -> None:
    name = new_user(desk)
    c = desk.client(name)
    sid = session_id_in(cookie_of(c))
    assert len(sid) >= 43 and sid != name  # secrets.token_urlsafe(32): 256 bits, not the name
    [(digest, created, last_seen, address)] = rows(desk, name)
    assert digest == hashlib.sha256(sid.encode()).hexdigest()
    assert created == last_seen and address == "127.0.0.1"
    assert sid.encode() not in (desk.folder / DB_NAME).read_bytes()  # a copy lets nobody in
    another = desk.client(name)  # a second browser: a second session
    assert len(rows(desk, name)) == 2 and session_id_in(cookie_of(another)) != sid


def test_logout_deletes_the_row_and_the_old_cookie_gets_the_login_page(desk: RunningDesk) -> None:
    name = new_user(desk)
    c = desk.client(name)
    cookie = cookie_of(c)
    assert replay(desk, cookie) == 200
    assert c.post_form("/logout", {}).status == 302
    assert rows(desk, name) == []
    assert replay(desk, cookie) == 302  # the cookie's signature is fresh: the row decides


def test_a_new_login_in_the_same_browser_ends_its_previous_session(desk: RunningDesk) -> None:
    name = new_user(desk)
    c = desk.client(name)
    first = cookie_of(c)
    assert c.login(name).status == 302  # again, over the live session: a new id, the old row goes
    assert session_id_in(cookie_of(c)) != session_id_in(first)
    assert len(rows(desk, name)) == 1 and replay(desk, first) == 302


@pytest.mark.parametrize("how", ["cli", "desk"])
def test_disabling_a_user_ends_their_sessions_at_once(desk: RunningDesk, how: str) -> None:
    name = new_user(desk)
    phone, station = desk.client(name), desk.client(name)
    assert phone.get("/").status == 200 and station.get("/").status == 200
    if how == "cli":
        assert cli("users", "disable", str(desk.folder), name).returncode == 0
    else:
        coordinator = desk.client("coordinator")
        assert coordinator.post_form(f"/users/{name}/disable", {}, csrf_from="/users").status == 302
    assert rows(desk, name) == []
    assert phone.get("/").status == 302 and station.get("/").status == 302
    # enabled again: the password works again, the ended sessions stay ended
    old = cookie_of(phone)
    assert cli("users", "enable", str(desk.folder), name).returncode == 0
    assert replay(desk, old) == 302
    assert desk.client(name).get("/").status == 200


def test_a_new_password_ends_the_users_other_sessions(desk: RunningDesk) -> None:
    nurse = new_user(desk)
    a, b = desk.client(nurse), desk.client(nurse)
    boss = new_user(desk, "coordinator")
    mine, elsewhere = desk.client(boss), desk.client(boss)
    new = {"password": "a brand new password", "password2": "a brand new password"}
    # a coordinator sets a nurse's password: every session of the nurse ends
    assert mine.post_form(f"/users/{nurse}/password", new, csrf_from="/users").status == 302
    assert a.get("/").status == 302 and b.get("/").status == 302
    assert Client(desk.base).login(nurse, "a brand new password").status == 302
    # their own: the session that set it goes on, the others end
    assert mine.post_form(f"/users/{boss}/password", new, csrf_from="/users").status == 302
    assert mine.get("/").status == 200 and elsewhere.get("/").status == 302
    assert len(rows(desk, boss)) == 1
    # the command line's new password ends them all
    pw = desk.folder.parent / "pw2.txt"
    pw.write_text("yet another password\n", encoding="utf-8")
    done = cli("users", "password", str(desk.folder), boss, "--password-file", str(pw))
    assert done.returncode == 0, done.stderr
    assert mine.get("/").status == 302 and rows(desk, boss) == []


@pytest.mark.parametrize(("idle", "age", "alive"), [
    (timedelta(minutes=29), timedelta(minutes=29), True),
    (timedelta(minutes=31), timedelta(minutes=31), False),
    (timedelta(minutes=5), timedelta(hours=11, minutes=55), True),
    (timedelta(minutes=5), timedelta(hours=12, minutes=5), False),
], ids=["29-min-idle", "31-min-idle", "busy-11h55", "busy-12h05"])
def test_the_server_ends_an_idle_or_old_session(desk: RunningDesk, idle: timedelta,
                                                age: timedelta, alive: bool) -> None:
    """The cookie was signed seconds ago (the browser would send it): only the row's times
    tell the server how long the session has been idle and how old it is."""
    name = new_user(desk)
    c = desk.client(name)
    now = datetime.now(UTC)
    with db(desk) as conn:
        conn.execute("UPDATE sessions SET last_seen = ?, created = ? WHERE user = ?",
                     (stamp(now - idle), stamp(now - age), name))
    assert c.get("/").status == (200 if alive else 302)
    if alive:  # seen now: last_seen is written again (it was more than 60 s old)
        [(_, _, last_seen, _)] = rows(desk, name)
        assert last_seen >= stamp(now)
    else:
        assert rows(desk, name) == []


def test_expired_rows_are_purged(desk: RunningDesk) -> None:
    """Sessions nobody comes back to are deleted (at each login, and every 10 minutes)."""
    gone, live = new_user(desk), new_user(desk)
    for _ in range(3):
        desk.client(gone)
    desk.client(live)
    now = datetime.now(UTC)
    with db(desk) as conn:
        conn.execute("UPDATE sessions SET last_seen = ? WHERE user = ?",
                     (stamp(now - timedelta(hours=2)), gone))
        conn.execute("UPDATE sessions SET created = ? WHERE user = ?",
                     (stamp(now - timedelta(hours=13)), live))
    assert len(rows(desk, gone)) == 3
    desk.client("monitor")  # someone logs in
    assert rows(desk, gone) == [] and rows(desk, live) == []


def test_the_database_stays_owner_only(desk: RunningDesk) -> None:
    name = new_user(desk)
    c = desk.client(name)
    c.post_form("/logout", {})
    files = [p for p in desk.folder.iterdir() if p.name.startswith(DB_NAME)]
    assert files == [desk.folder / DB_NAME]  # no journal left behind
    assert stat.S_IMODE(os.stat(desk.folder / DB_NAME).st_mode) == 0o600


# ---- the users page ----------------------------------------------------------------------


def test_a_coordinator_adds_a_user_with_the_command_lines_rules(desk: RunningDesk) -> None:
    co = desk.client("coordinator")
    before = len(read_audit(desk.folder))
    form = {"name": "li.na", "display_name": "<b>李娜</b>", "role": "nurse"}
    refused = [
        ({**form, "password": "long enough 1", "password2": "long enough 2"}, "the two passwords differ"),
        ({**form, "password": "too short", "password2": "too short"},
         "the password is too short: at least 10 characters"),
        ({**form, "name": "li na", "password": PASSWORD, "password2": PASSWORD}, "not a user name"),
        ({**form, "name": "NURSE", "password": PASSWORD, "password2": PASSWORD},
         "a user of that name exists"),
        ({**form, "role": "admin", "password": PASSWORD, "password2": PASSWORD}, "unknown role"),
    ]
    for fields, text in refused:
        answer = co.post_form("/users", fields, csrf_from="/users")
        assert answer.status == 422 and text in answer.text, (text, answer.text[-2000:])
        assert "&lt;b&gt;李娜&lt;/b&gt;" in answer.text and PASSWORD not in answer.text  # kept, not the password
    assert len(read_audit(desk.folder)) == before  # nothing written
    added = co.post_form("/users", {**form, "password": PASSWORD, "password2": PASSWORD},
                         csrf_from="/users")
    assert added.status == 302 and added.headers["Location"].endswith("/users")
    page = co.get("/users").text
    assert "Added li.na (nurse)." in page
    assert "&lt;b&gt;李娜&lt;/b&gt;" in page and "<b>李娜</b>" not in page  # escaped
    trail = [(e.user, e.role, e.via, e.visit, e.field, e.new) for e in read_audit(desk.folder)[before:]]
    assert trail == [("coordinator", "coordinator", "desk", "li.na", "role", "nurse"),
                     ("coordinator", "coordinator", "desk", "li.na", "display_name", "<b>李娜</b>"),
                     ("coordinator", "coordinator", "desk", "li.na", "password", "(set)")]
    assert Client(desk.base).login("li.na").status == 302
    assert "never" not in co.get("/users").text.split('id="user-li.na"')[1].split("</li>")[0]


def test_an_api_token_is_shown_once(desk: RunningDesk) -> None:
    name = new_user(desk)
    co = desk.client("coordinator")
    answer = co.post_form(f"/users/{name}/token", {}, csrf_from="/users")
    assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    token = answer.text.split('<code class="token">')[1].split("</code>")[0]
    assert len(token) == 43
    assert Client(desk.base, token=token).get("/api/v1/plan").status == 200
    assert token not in co.get("/users").text  # never again
    assert token not in desk.log_text() and token not in (desk.folder / "audit.csv").read_text("utf-8")
    assert token.encode() not in (desk.folder / DB_NAME).read_bytes()
    trail = read_audit(desk.folder)[-1]
    assert (trail.user, trail.via, trail.visit, trail.field) == ("coordinator", "desk", name, "api_token")


def test_a_coordinator_cannot_disable_themselves(desk: RunningDesk) -> None:
    boss = new_user(desk, "coordinator")
    c = desk.client(boss)
    answer = c.post_form(f"/users/{boss.upper()}/disable", {}, csrf_from="/users")
    assert answer.status == 302
    assert "you cannot disable yourself" in c.get("/users").text
    assert c.get("/").status == 200  # still in
    page = c.get("/users").text
    mine = page.split(f'id="user-{boss}"')[1].split("</li>")[0]
    assert "Disable" not in mine  # and no button for it


def test_the_users_page_in_chinese(desk: RunningDesk) -> None:
    co = desk.client("coordinator")
    co.post_form("/language", {"lang": "zh-CN"})
    page = co.get("/users").text
    assert "工作台用户" in page and "用户管理" in page and "添加用户" in page
    short = co.post_form("/users", {"name": "wang.fang", "role": "nurse", "password": "short",
                                    "password2": "short"}, csrf_from="/users")
    assert "未保存：密码太短：至少 10 个字符（请设置更长的密码，几个词连在一起即可）" in short.text
    co.post_form("/users/coordinator/disable", {}, csrf_from="/users")
    assert "不能停用自己的账号" in co.get("/users").text


def test_the_users_page_is_for_coordinators_only(desk: RunningDesk) -> None:
    for role in ("monitor", "nurse", "investigator"):
        c = desk.client(role)
        assert c.get("/users").status == 403
        assert 'href="/users"' not in c.get("/").text  # no link either
    assert 'href="/users"' in desk.client("coordinator").get("/").text


# ---- the library's rules, in-process ---------------------------------------------------------


def test_the_last_enabled_coordinator_cannot_be_disabled(tmp_path: Path) -> None:
    from conftest import copy_example_study

    folder = copy_example_study(tmp_path / "study")
    at = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    for name in ("zhao", "qian"):
        add_user(folder, name, role="coordinator", password=PASSWORD, actor=ADMIN, at=at)
    disable_user(folder, "zhao", actor=ADMIN, at=at)
    trail = len(read_audit(folder))
    with pytest.raises(UsageError, match="the last enabled coordinator cannot be disabled"):
        disable_user(folder, "qian", actor=ADMIN, at=at)
    assert len(read_audit(folder)) == trail  # the refused change left no entry
    done = cli("users", "disable", str(folder), "qian")
    assert done.returncode == 2 and "add or enable another coordinator first" in done.stderr
    enable_user(folder, "zhao", actor=ADMIN, at=at)
    disable_user(folder, "qian", actor=ADMIN, at=at)  # now another is enabled


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (name TEXT PRIMARY KEY COLLATE NOCASE, display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('nurse', 'investigator', 'coordinator', 'monitor')),
    password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created TEXT NOT NULL);
CREATE TABLE api_tokens (token_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users (name),
    created TEXT NOT NULL, last_used TEXT);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO users VALUES ('li.na', '李娜', 'nurse', '$argon2id$v=19$m=65536,t=3,p=4$x$y', 0,
    '2026-11-01T00:00:00Z');
"""


def test_a_version_1_database_is_upgraded(tmp_path: Path) -> None:
    from conftest import copy_example_study

    folder = copy_example_study(tmp_path / "study")
    with sqlite3.connect(folder / DB_NAME) as old:
        old.executescript(V1_SCHEMA)
    conn = connect(folder)
    try:
        assert conn.execute("SELECT value FROM meta").fetchone() == ("2",)
        assert conn.execute("SELECT name, display_name, last_login FROM users").fetchall() == [
            ("li.na", "李娜", None)]
        assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
    finally:
        conn.close()
    with sqlite3.connect(folder / DB_NAME) as newer:
        newer.execute("UPDATE meta SET value = '3'")
    with pytest.raises(UsageError, match="schema version 3; this version reads 2"):
        connect(folder)
