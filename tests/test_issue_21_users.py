"""Issue 21: the desk's users and API tokens (STUDY/.cc312-desk.sqlite3): Argon2id passwords,
hashed tokens, mode 0600, nothing secret in the database, the audit trail or the outputs."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from cc312_schedule.cli import main
from cc312_schedule.core.errors import UsageError
from cc312_schedule.store import users
from cc312_schedule.store.audit import AUDIT_NAME, Actor, read_audit, verify_audit
from cc312_schedule.store.users import (
    DB_NAME,
    add_user,
    disable_user,
    list_users,
    may,
    new_token,
    set_password,
    user_for_token,
    verify_password,
)

AT = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 30, 9, 15, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)  # tests only: the real one takes ~1 s
ADMIN = Actor(name="zhao.min", role="coordinator", via="desk")
PASSWORD = "correct horse battery"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def study(make_study: Callable[..., Path]) -> Path:
    return make_study(study='name = "Users test"\n')


def add(study: Path, name: str = "li.na", role: str = "nurse", password: str = PASSWORD,
        **kw: object) -> users.User:
    return add_user(study, name, role=role, password=password, actor=ADMIN, at=AT, hasher=FAST,
                    **kw)  # type: ignore[arg-type]


def everything_written(study: Path) -> bytes:
    """Every byte in the study folder (the database, its journal, the audit trail...)."""
    return b"".join(p.read_bytes() for p in sorted(study.iterdir()) if p.is_file())


# --------------------------------------------------------------------------------------
# roles


@pytest.mark.parametrize(("role", "allowed"), [
    pytest.param("monitor", set(), id="monitor"),
    pytest.param("nurse", {"record"}, id="nurse"),
    pytest.param("investigator", {"record", "decide"}, id="investigator"),
    pytest.param("coordinator", {"record", "import", "feeds", "users"}, id="coordinator"),
    pytest.param("admin", set(), id="unknown-role"),
])
def test_what_each_role_may_do(role: str, allowed: set[str]) -> None:
    actions = ("record", "decide", "import", "feeds", "users")
    assert {a for a in actions if may(role, a)} == allowed


# --------------------------------------------------------------------------------------
# adding users


def test_add_list_disable(study: Path) -> None:
    add(study, display_name="李娜")
    add(study, "wang.fang", "investigator", display_name="Dr. Wang Fang")
    assert list_users(study) == (
        users.User(name="li.na", display_name="李娜", role="nurse", disabled=False,
                   created="2026-03-30T08:00:00Z"),
        users.User(name="wang.fang", display_name="Dr. Wang Fang", role="investigator",
                   disabled=False, created="2026-03-30T08:00:00Z"),
    )
    assert disable_user(study, "li.na", actor=ADMIN, at=LATER).disabled
    assert disable_user(study, "li.na", actor=ADMIN, at=LATER).disabled  # again: no change
    assert [u.disabled for u in list_users(study)] == [True, False]
    assert [(e.visit, e.field, e.old, e.new, e.user, e.file) for e in read_audit(study)] == [
        ("li.na", "role", "", "nurse", "zhao.min", "users"),
        ("li.na", "display_name", "", "李娜", "zhao.min", "users"),
        ("li.na", "password", "", "(set)", "zhao.min", "users"),
        ("wang.fang", "role", "", "investigator", "zhao.min", "users"),
        ("wang.fang", "display_name", "", "Dr. Wang Fang", "zhao.min", "users"),
        ("wang.fang", "password", "", "(set)", "zhao.min", "users"),
        ("li.na", "disabled", "no", "yes", "zhao.min", "users"),
    ]
    assert verify_audit(study) == []


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    pytest.param("li.na", "nurse", "123456789", "the password is too short: at least 10 characters", id="9-chars"),
    pytest.param("li.na", "nurse", "密码太短了就是九个", "the password is too short", id="9-chinese-chars"),
    pytest.param("li.na", "nurse", "x" * 1025, "the password is too long", id="1025-chars"),
    pytest.param("li.na", "admin", PASSWORD, "unknown role", id="unknown-role"),
    pytest.param("", "nurse", PASSWORD, "not a user name", id="empty-name"),
    pytest.param("li na", "nurse", PASSWORD, "not a user name", id="space"),
    pytest.param(".hidden", "nurse", PASSWORD, "not a user name", id="leading-dot"),
    pytest.param("李娜", "nurse", PASSWORD, "not a user name", id="chinese-login"),  # the display name may be
    pytest.param("x" * 65, "nurse", PASSWORD, "not a user name", id="65-chars"),
    pytest.param("<script>", "nurse", PASSWORD, "not a user name", id="markup"),
])
def test_refused_users(study: Path, name: str, role: str, password: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        add(study, name, role, password)
    assert list_users(study) == ()
    assert not (study / AUDIT_NAME).exists()


@pytest.mark.parametrize("password", [pytest.param("1234567890", id="10-chars"),
                                      pytest.param("密码长度正好十个字符", id="10-chinese-chars")])
def test_ten_characters_are_enough(study: Path, password: str) -> None:
    add(study, password=password)
    assert verify_password(study, "li.na", password, hasher=FAST) is not None


def test_a_taken_name_is_refused_whatever_its_case(study: Path) -> None:
    add(study)
    with pytest.raises(UsageError, match="a user of that name exists"):
        add(study, "Li.Na")
    assert len(read_audit(study)) == 3


# --------------------------------------------------------------------------------------
# passwords


@pytest.mark.parametrize(("name", "password", "ok"), [
    pytest.param("li.na", PASSWORD, True, id="right"),
    pytest.param("LI.NA", PASSWORD, True, id="name-any-case"),
    pytest.param("li.na", PASSWORD + " ", False, id="one-more-char"),
    pytest.param("li.na", PASSWORD.upper(), False, id="case-matters"),
    pytest.param("li.na", "", False, id="empty"),
    pytest.param("nobody", PASSWORD, False, id="unknown-user"),
    pytest.param("wang.fang", PASSWORD, False, id="disabled-user"),
])
def test_verify_password(study: Path, name: str, password: str, ok: bool) -> None:
    add(study)
    add(study, "wang.fang", "investigator")
    disable_user(study, "wang.fang", actor=ADMIN, at=AT)
    user = verify_password(study, name, password, hasher=FAST)
    assert (user is not None) == ok
    if ok:
        assert user is not None and (user.name, user.role) == ("li.na", "nurse")


def test_the_stored_hash_is_argon2id_and_rehashed_when_weaker(study: Path) -> None:
    add(study)
    db = sqlite3.connect(study / DB_NAME)
    old = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert old.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    assert verify_password(study, "li.na", PASSWORD, hasher=stronger) is not None
    new = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert new.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    assert verify_password(study, "li.na", PASSWORD, hasher=stronger) is not None


def test_set_password(study: Path) -> None:
    add(study)
    set_password(study, "li.na", "another long one", actor=ADMIN, at=LATER, hasher=FAST)
    assert verify_password(study, "li.na", PASSWORD, hasher=FAST) is None
    assert verify_password(study, "li.na", "another long one", hasher=FAST) is not None
    assert read_audit(study)[-1].new == "(set)"


def test_the_default_hasher_is_rfc_9106s(study: Path) -> None:
    add_user(study, "li.na", role="nurse", password=PASSWORD, actor=ADMIN, at=AT)
    stored = sqlite3.connect(study / DB_NAME).execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


# --------------------------------------------------------------------------------------
# tokens


def test_tokens(study: Path) -> None:
    add(study)
    token = new_token(study, "li.na", actor=ADMIN, at=AT)
    assert len(token) == 43 and token.replace("-", "").replace("_", "").isalnum()  # 256 bits
    second = new_token(study, "li.na", actor=ADMIN, at=AT)
    assert second != token
    user = user_for_token(study, token, at=LATER)
    assert user is not None and user.name == "li.na" and user.tokens == 2
    db = sqlite3.connect(study / DB_NAME)
    assert "2026-03-30T09:15:00Z" in {r[0] for r in db.execute("SELECT last_used FROM api_tokens")}
    for wrong in (token[:-1], token + "A", token.upper(), "", "x" * 43, token[::-1]):
        assert user_for_token(study, wrong) is None
    disable_user(study, "li.na", actor=ADMIN, at=LATER)
    assert user_for_token(study, token) is None  # a disabled user's tokens stop working
    with pytest.raises(UsageError, match="disabled"):
        new_token(study, "li.na", actor=ADMIN, at=LATER)
    assert [e.new for e in read_audit(study) if e.field == "api_token"] == [
        f"issued {hashlib.sha256(t.encode()).hexdigest()[:8]}" for t in (token, second)]


# --------------------------------------------------------------------------------------
# nothing secret anywhere; the file's mode


def test_no_password_or_token_in_the_database_audit_or_outputs(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(PASSWORD + "\n", encoding="utf-8")
    asked = iter(["typed secret 12345", "typed secret 12345"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="", stream=None: next(asked))
    outputs = [run("users", "add", str(study), "li.na", "--role", "nurse", "--password-file",
                   str(pw_file)),
               run("users", "add", str(study), "wang.fang", "--role", "investigator",
                   "--display-name", "王芳"),
               run("users", "token", str(study), "li.na", "--by", "zhao.min"),
               run("users", "list", str(study)),
               run("audit", "show", str(study))]
    assert [code for code, _, _ in outputs] == [0, 0, 0, 0, 0]
    token = outputs[2][1].strip()
    assert user_for_token(study, token) is not None
    assert verify_password(study, "wang.fang", "typed secret 12345") is not None
    everything = everything_written(study)
    printed = "".join(out + err for i, (_, out, err) in enumerate(outputs) if i != 2)
    for secret in (PASSWORD, "typed secret 12345", token):
        assert secret.encode() not in everything
        assert secret not in printed
    assert outputs[2][1] == token + "\n"  # the token: printed once, on its own
    assert outputs[3][1].splitlines() == [
        "li.na\tnurse\tactive\tli.na\tcreated " + outputs[3][1].split("created ")[1].split("\t")[0]
        + "\t1 token(s)",
        "wang.fang\tinvestigator\tactive\t王芳\tcreated "
        + outputs[3][1].splitlines()[1].split("created ")[1].split("\t")[0] + "\t0 token(s)"]


def test_getpass_twice_must_agree(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = iter(["first secret 123", "second secret 12"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="", stream=None: next(asked))
    code, out, err = run("users", "add", str(study), "li.na", "--role", "nurse")
    assert (code, out) == (2, "") and "the two passwords differ" in err
    assert "secret" not in err
    assert list_users(study) == ()


def test_cli_refuses_a_short_password_and_says_why(study: Path, tmp_path: Path) -> None:
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text("short\n", encoding="utf-8")
    code, out, err = run("users", "add", str(study), "li.na", "--role", "nurse",
                         "--password-file", str(pw_file))
    assert (code, out) == (2, "")
    assert err == "error: password: the password is too short: at least 10 characters " \
        "(choose a longer one (a few words work well))\n"


@pytest.mark.parametrize("umask", [pytest.param(0o000, id="umask-000"),
                                   pytest.param(0o022, id="umask-022")])
def test_the_database_is_owner_only(study: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        add(study)
        new_token(study, "li.na", actor=ADMIN, at=AT)
    finally:
        os.umask(old)
    assert stat.S_IMODE((study / DB_NAME).stat().st_mode) == 0o600
    assert [p.name for p in study.iterdir() if p.name.startswith(DB_NAME + "-")] == []  # no journal left


def test_a_looser_mode_is_put_back(study: Path) -> None:
    add(study)
    (study / DB_NAME).chmod(0o644)
    assert list_users(study)
    assert stat.S_IMODE((study / DB_NAME).stat().st_mode) == 0o600


def test_a_link_in_place_of_the_database_is_refused(study: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite3"
    (study / DB_NAME).symlink_to(elsewhere)
    with pytest.raises(UsageError, match="symbolic link"):
        list_users(study)
    assert not elsewhere.exists()


def test_not_a_study_folder(tmp_path: Path) -> None:
    code, _, err = run("users", "list", str(tmp_path / "nope"))
    assert code == 2 and "no such study folder" in err  # as every command says it (wave-cli3)
    code, _, err = run("users", "list", str(tmp_path))
    assert code == 2 and "not a study folder (no study.toml)" in err
    assert list(tmp_path.iterdir()) == []  # no database left in a folder that is not a study


def test_an_unknown_name_costs_one_verify_like_a_known_one(study: Path) -> None:
    """The time must not tell whether a name exists: one hash check either way, and the dummy
    hash is made once, not on every unknown name (that doubled its time: found by
    benchmarks/audit.py)."""
    calls: list[str] = []

    class Counting(PasswordHasher):
        def hash(self, *a: Any, **kw: Any) -> str:
            calls.append("hash")
            return super().hash(*a, **kw)

        def verify(self, *a: Any, **kw: Any) -> bool:
            calls.append("verify")
            return super().verify(*a, **kw)

    hasher = Counting(time_cost=1, memory_cost=64, parallelism=1)
    add_user(study, "li.na", role="nurse", password=PASSWORD, actor=ADMIN, at=AT, hasher=hasher)
    verify_password(study, "nobody", PASSWORD, hasher=hasher)  # the first makes the dummy hash
    calls.clear()
    for name, password in (("nobody", PASSWORD), ("li.na", PASSWORD), ("li.na", "wrong password"),
                           ("nobody", "wrong password")):
        verify_password(study, name, password, hasher=hasher)
        assert calls == ["verify"], (name, password)
        calls.clear()
