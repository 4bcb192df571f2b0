"""The desk's users page (coordinators): list the users, add one, disable or enable one, give
one a new password, issue an API token. And every user's own password page (``/password``):
the current password, then the new one twice.

Every change goes through the same library functions as ``cc312-schedule users``
(:mod:`cc312_schedule.store.users`: one password rule, one name rule, the last enabled
coordinator kept), under the study's lock and into the audit trail with the coordinator as
the actor, by way of the desk. The page adds two rules of its own: the password is typed
twice, and a coordinator does not disable themselves (another coordinator does).

A new API token is shown once, in the answer to the POST that made it: never in a URL, a
flashed message (those travel in the session cookie), a log line or a later page; the answer
is ``no-store`` like every page. The other changes redirect back (post/redirect/get).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.errors import ScheduleError, UsageError
from ..core.messages import render_error
from ..store.sessions import live_sessions
from ..store.users import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLES,
    add_user,
    disable_user,
    enable_user,
    list_users,
    new_token,
    set_password,
)
from .auth import Right
from .context import desk, language, t
from .pages import actor, check_own_password, require

__all__ = ["bp"]

bp = Blueprint("users", __name__)


def _refusal(exc: ScheduleError) -> str:
    """The library's refusal in the page's language, without the command line's key (NAME,
    --role): the form says which field it is."""
    bare = (UsageError(exc.message, value=exc.value, hint=exc.hint) if exc.has_value
            else UsageError(exc.message, hint=exc.hint))
    return t("desk.error", message=render_error(bare, language()))


def _site_time(utc_text: str) -> str:
    """"2026-11-30T01:00:00Z" as the site's clock reads it, "2026-11-30 09:00"."""
    if not utc_text:
        return ""
    try:
        at = datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        zone = ZoneInfo(desk().cache.study().config.timezone)
    except (ValueError, ScheduleError):
        return utc_text
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()  # user names are compared without case, as stored


def _page(*, token: str = "", token_user: str = "", form: dict[str, str] | None = None,
          error: str = "", status: int = 200) -> Any:
    d = desk()
    now = datetime.now(UTC)
    sessions = live_sessions(d.folder, at=now, rules=d.sessions)
    rows = [{"name": u.name, "display_name": u.display_name, "role": u.role,
             "role_label": t(f"desk.role.{u.role}") if u.role in ROLES else u.role,
             "disabled": u.disabled, "last_login": _site_time(u.last_login),
             "sessions": sessions.get(u.name, 0), "tokens": u.tokens,
             "you": _same(u.name, current_user.name)} for u in list_users(d.folder)]
    return render_template(
        "users.html.j2", rows=rows, roles=[(r, t(f"desk.role.{r}")) for r in ROLES],
        token=token, token_user=token_user, form=form or {}, error=error,
        min_password=MIN_PASSWORD), status


@bp.route("/users")
@require(Right.USERS)
def users() -> Any:
    return _page()


@bp.route("/users", methods=["POST"])
@require(Right.USERS)
def add() -> Any:
    f = request.form
    kept = {"name": f.get("name", "").strip()[:200], "display_name": f.get("display_name", "")[:300],
            "role": f.get("role", "")}
    password = f.get("password", "")
    if password != f.get("password2", ""):
        return _page(form=kept, error=t("desk.users.differ"), status=422)
    try:
        u = add_user(desk().folder, kept["name"], role=kept["role"], password=password,
                     display_name=kept["display_name"].strip() or None, actor=actor(),
                     at=datetime.now(UTC))
    except ScheduleError as exc:
        return _page(form=kept, error=_refusal(exc), status=422)
    flash(t("desk.users.added", name=u.name, role=t(f"desk.role.{u.role}")))
    return redirect(url_for("users.users"))


def _done(text: str) -> Any:
    flash(text)
    return redirect(url_for("users.users"))


def _refused(text: str) -> Any:
    flash(text, "error")
    return redirect(url_for("users.users"))


@bp.route("/users/<name>/disable", methods=["POST"])
@require(Right.USERS)
def disable(name: str) -> Any:
    if _same(name, current_user.name):
        return _refused(t("desk.users.not_yourself"))
    try:
        u = disable_user(desk().folder, name, actor=actor(), at=datetime.now(UTC))
    except ScheduleError as exc:
        return _refused(_refusal(exc))
    return _done(t("desk.users.disabled_done", name=u.name))


@bp.route("/users/<name>/enable", methods=["POST"])
@require(Right.USERS)
def enable(name: str) -> Any:
    try:
        u = enable_user(desk().folder, name, actor=actor(), at=datetime.now(UTC))
    except ScheduleError as exc:
        return _refused(_refusal(exc))
    return _done(t("desk.users.enabled_done", name=u.name))


@bp.route("/users/<name>/password", methods=["POST"])
@require(Right.USERS)
def password(name: str) -> Any:
    f = request.form
    if f.get("password", "") != f.get("password2", ""):
        return _refused(t("desk.users.differ"))
    mine = _same(name, current_user.name)
    try:
        set_password(desk().folder, name, f.get("password", ""), actor=actor(), at=datetime.now(UTC),
                     keep_session=current_user.session_id if mine else None)
    except ScheduleError as exc:
        return _refused(_refusal(exc))
    return _done(t("desk.users.password_done", name=name))


@bp.route("/password")
@require(Right.SEE)
def own_password_page() -> Any:
    return render_template("password.html.j2", min_password=MIN_PASSWORD,
                           max_password=MAX_PASSWORD, error="")


@bp.route("/password", methods=["POST"])
@require(Right.SEE)
def own_password() -> Any:
    """Any user's own new password: the current one first (counted with the login's failed
    attempts, so that a session left open is not a way to guess it), then the new one twice.
    The user's other sessions end; this one stays."""
    f = request.form

    def refused(text: str, wait: int = 0) -> Any:
        page = render_template("password.html.j2", min_password=MIN_PASSWORD,
                               max_password=MAX_PASSWORD, error=text)
        return (page, 429, {"Retry-After": str(wait)}) if wait else (page, 422)

    wrong, wait = check_own_password(f.get("current", ""), t("desk.password.wrong"))
    if wrong:
        return refused(wrong, wait)
    if f.get("password", "") != f.get("password2", ""):
        return refused(t("desk.users.differ"))
    try:
        set_password(desk().folder, current_user.name, f.get("password", ""), actor=actor(),
                     at=datetime.now(UTC), keep_session=current_user.session_id)
    except ScheduleError as exc:
        return refused(_refusal(exc))
    flash(t("desk.password.done"))
    return redirect(url_for("users.own_password_page"))


@bp.route("/users/<name>/token", methods=["POST"])
@require(Right.USERS)
def token(name: str) -> Any:
    try:
        secret = new_token(desk().folder, name, actor=actor(), at=datetime.now(UTC))
    except ScheduleError as exc:
        return _refused(_refusal(exc))
    return _page(token=secret, token_user=name)
