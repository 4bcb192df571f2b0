"""The desk's pages (server-rendered, Jinja2 with escaping on): Today, Subjects, a subject,
Decide, Workbook, Exports, Audit, and the login.

Every view states the right it needs with :func:`require`; the check is on the server. Every
write goes through :mod:`cc312_schedule.entries.writes` (under the study's lock, on the study
re-read from its folder) with the logged-in user as the actor of the audit trail; a page then
redirects (post/redirect/get), so reloading never records twice.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound

from ..calendars.feed import SITE, feed_tokens, issue_tokens
from ..calendars.ics import load_ics_state, state_path_of, to_ics
from ..cdisc.sdtm import write_sdtm
from ..cdisc.usdm import to_usdm_json
from ..core.days import parse_iso_date
from ..core.domain import site_name
from ..core.errors import InvalidStudyError, ScheduleError
from ..core.l10n import listed_date, short_date, window_text
from ..core.messages import (
    LANGUAGES,
    MESSAGES,
    Text,
    message,
    procedure,
    regimen_label,
    render_error,
    warning_label,
)
from ..core.model import EventStatus, StudyPlan, SubjectPlan, SubjectState, days_late, event_order
from ..entries.writes import (
    EntryConflictError,
    StudyLockedError,
    decide,
    import_workbook,
    record,
    study_lock,
)
from ..planning.engine import plan_study
from ..reports.due import DueSection, kind_label, next_open_day, plan_due
from ..reports.handout import plan_handout
from ..reports.pages import to_due_html, to_handout_html, to_pdf
from ..reports.render import to_csv, to_json
from ..reports.xlsx import to_xlsx
from ..store.audit import VIAS, Actor, AuditEntry, read_audit
from ..store.entry_values import Conflict, decision_text
from ..store.study import Study
from ..store.users import ROLES, list_users
from .auth import Right
from .context import RETRY_AFTER, desk, language, t
from .data import next_visit, regimen_options, timeline

__all__ = ["UnknownSubject", "bp", "require", "subject_or_404"]

bp = Blueprint("pages", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def require(right: Right) -> Callable[[F], F]:
    """The view needs a logged-in user whose role has ``right`` (else login, or 403)."""
    def wrap(view: F) -> F:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("pages.login"))
            if not current_user.may(right):
                abort(403)
            return view(*args, **kwargs)
        checked.desk_right = right  # type: ignore[attr-defined]  # tests list every route's right
        return checked  # type: ignore[return-value]
    return wrap


def actor(via: str = "desk") -> Actor:
    """The audit trail's "who": the account's name, unique among the desk's users (the display
    name goes where a person signs: ``decisions.csv`` and the signature's meaning)."""
    return Actor(name=current_user.name, role=current_user.role, via=via)


def check_own_password(password: str, wrong: str) -> tuple[str, int]:
    """The logged-in user's password, typed again to sign a decision or to change it:
    ``("", 0)`` when right, else the text to show (``wrong``, or "too many failed attempts")
    and the seconds to wait (0 for a wrong one). Five wrong ones in 15 minutes block the next,
    even a right one (see :meth:`LoginThrottle.reentry_blocked`: only the user's own re-entries
    count, never others' failed logins)."""
    d = desk()
    wait = d.throttle.reentry_blocked(current_user.name)
    if wait:
        return t("desk.login.throttled", minutes=max(1, (wait + 59) // 60)), wait
    if d.login(current_user.name, password) is None:  # more than MAX_PASSWORD: refused there
        d.throttle.reentry_fail(current_user.name)
        return wrong, 0
    d.throttle.reentry_succeed(current_user.name)
    return "", 0


def _date_arg(name: str, default: date) -> date:
    text = request.values.get(name, "").strip()
    if not text:
        return default
    try:
        return parse_iso_date(text)
    except ValueError:
        return default


def _local_path(text: str | None, default: str) -> str:
    """A redirect target inside the desk only (no open redirect)."""
    if text and text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return default


def _error_text(exc: ScheduleError, *, paths: dict[str, str] | None = None) -> str:
    """The error(s) in the page's language, as the command line says them (file, line, hint;
    :func:`~..core.messages.render_error`); ``paths``: a file's name to show instead of the
    path the desk gave it (an upload's temporary file: its own name, never the server's path)."""
    lang = language()
    errors = exc.errors if isinstance(exc, InvalidStudyError) else [exc]
    text = message(lang, "desk.error_separator").join(render_error(e, lang) for e in errors)
    for path, shown in (paths or {}).items():
        text = text.replace(path, shown)
    return text


def _conflict_text(lang: str, c: Conflict) -> str:
    """A conflict in ``lang``, where it is first; its hint names the page's reason field
    instead of the command line's ``--amend REASON``."""
    hint = Text.of("desk.workbook.amend_hint", field=message(lang, "desk.amend"))
    text = Text(c.text.id, tuple((k, hint if isinstance(v, Text) and v.id == "entries.why_amend"
                                  else v) for k, v in c.text.fields))
    return message(lang, "desk.conflict_item", where=c.where, text=text.render(lang))


class UnknownSubject(NotFound):
    """404 for a subject id the study does not have (the page or the API names it)."""


def subject_or_404(plan: StudyPlan, sid: str, *, lang: str | None = None) -> SubjectPlan:
    """The subject's plan, or a 404 naming the id (the one check of every subject route, the
    pages' and the API's; ``lang``: the text's language, default the page's)."""
    try:
        return plan.subject(sid)
    except KeyError:
        raise UnknownSubject(message(lang or language(), "desk.subject.unknown", id=sid)) from None


# ---- login, logout, language --------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    d = desk()
    error = ""
    chosen = request.args.get("lang", "")
    if request.method == "GET" and chosen in LANGUAGES:
        # the language switch before a login: the session's language, nothing else
        session["lang"] = chosen
        g.desk_lang = None
        return redirect(url_for("pages.login"))
    if request.method == "POST":
        g.desk_lang = None  # the texts below: in the language the session keeps
        name = request.form.get("username", "").strip()[:200]
        password = request.form.get("password", "")  # over MAX_PASSWORD: refused unhashed
        address = request.remote_addr or ""
        wait = d.throttle.blocked(name, address)
        if wait:
            error = t("desk.login.throttled", minutes=max(1, (wait + 59) // 60))
        else:
            user = d.login(name, password) if name and password else None
            if user is not None:  # a new session row (the one this browser had ends)
                d.end_session(session.get("_user_id", ""))
                user = d.open_session(user, address)
            if user is None:
                d.throttle.fail(name, address)
                error = t("desk.login.failed")
            else:
                d.throttle.succeed(name)
                lang = session.get("lang")
                session.clear()  # a fresh session at login (no fixation)
                if lang:
                    session["lang"] = lang
                session.permanent = True
                login_user(user)
                return redirect(url_for("pages.today"))
    return render_template("login.html.j2", error=error, study=_study_heading()), (
        200 if not error else 401)


def _study_heading() -> dict[str, str]:
    """The study's name and site for the login page (which desk this is), in the page's
    language; nothing when the study does not load (its error shows after the login)."""
    try:
        config = desk().cache.study().config
    except ScheduleError:
        return {}
    return {"name": config.name, "site": site_name(config, language())}


@bp.route("/logout", methods=["POST"])
@require(Right.SEE)
def logout() -> Any:
    lang = session.get("lang")
    desk().end_session(current_user.session_id)  # the row goes: the cookie names nobody now
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(t("desk.logged_out"))
    return redirect(url_for("pages.login"))


@bp.route("/language", methods=["POST"])
@require(Right.SEE)
def switch_language() -> Any:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        g.desk_lang = None
    return redirect(_local_path(request.form.get("next"), url_for("pages.today")))


# ---- Today -------------------------------------------------------------------------------


@bp.route("/")
@require(Right.SEE)
def today() -> Any:
    d = desk()
    lang = language()
    now = d.today()
    day = _date_arg("on", now)
    study, plan = d.cache.planned(day)
    # a record dated after the real today is flagged, one after the chosen day only is not (C16)
    due = plan_due(study, plan, start=day, language=lang, today=now)
    tomorrow = now + timedelta(days=1)
    # who to remind: the visits of the site's next open day after the day shown (on Friday,
    # Monday's), as the day's list reads "closing"; judged as of the real today
    remind = next_open_day(study.calendar, day)
    tstudy, tplan = d.cache.planned(now)
    calls = [r for r in plan_due(tstudy, tplan, start=remind, language=lang).days[0].rows
             if r.section is DueSection.TODAY]
    sections = []
    for s in DueSection:
        rows = due.days[0].section(s)
        if rows:
            sections.append((s, message(lang, f"due.section.{s.value}"),
                             [_due_row(lang, r, quick=day == now) for r in rows]))
    return render_template(
        "today.html.j2", day=day, now=now, tomorrow=tomorrow, title=t(
            "desk.today.title", day=listed_date(lang, day)),
        # the day's heading says what the CLI's due table says after the date (review C14)
        closed=message(lang, "due.closed", reason=due.days[0].closed_reason)
        if due.days[0].closed_reason else "", opened=due.days[0].open_reason or "",
        sections=sections, calls=[_due_row(lang, r) for r in calls],
        calls_title=t("desk.today.remind", day=listed_date(lang, remind)),
        no_calls=t("desk.today.no_one_due", day=listed_date(lang, remind)),
        warnings=[{"subject_id": w.subject_id, "visit": w.visit, "message": w.message,
                   "label": warning_label(lang, w.category)} for w in due.days[0].warnings])


def _due_row(lang: str, r: Any, *, quick: bool = False) -> dict[str, Any]:
    """A row of a day's list for the page. ``quick``: the list is today's, so a visit not yet
    overdue may be recorded as done today in one tap (the date field starts on today); an
    overdue visit, or any visit on another day's list, starts with the date field empty and
    required: the nurse types the day it was really done (docs/desk.md, "Recording a visit")."""
    sep = "、" if lang == "zh-CN" else ", "
    recordable = r.section is not DueSection.DECISION and r.status in (
        EventStatus.PLANNED, EventStatus.OVERDUE, EventStatus.PROVISIONAL)
    return {"subject_id": r.subject_id, "cohort": r.cohort, "dose_level": r.dose_level,
            "visit": r.visit, "kind": kind_label(lang, r), "time": f"{r.time:%H:%M}",
            "planned": listed_date(lang, r.planned_date),
            "window": window_text(lang, r.window_start, r.window_end,
                                  lambda d: listed_date(lang, d)),
            "status": message(lang, f"due.status.{r.status.value}"),
            "status_code": r.status.value,
            "late": message(lang, "due.overdue_days", n=r.days_late) if r.days_late else "",
            "procedures": sep.join(procedure(lang, i) for i in r.procedures),
            "recordable": recordable and r.status is not EventStatus.PROVISIONAL,
            "quick": quick and r.status is not EventStatus.OVERDUE,
            # a recorded visit is listed on the day it was done: that date is the actual one
            "date_label": message(lang, "field.actual_date" if r.status is EventStatus.DONE
                                  else "due.col.planned"),
            "decision": r.section is DueSection.DECISION}


@bp.route("/visits", methods=["POST"])
@require(Right.RECORD)
def record_visit() -> Any:
    d = desk()
    f = request.form
    back = _local_path(f.get("next"), url_for("pages.today"))
    sid, visit, status = f.get("subject_id", ""), f.get("visit", ""), f.get("status", "")
    note = f.get("note", "").strip()
    amend = f.get("amend", "").strip() or None
    if status == "done" and not f.get("actual_date", "").strip():
        flash(t("desk.today.date_needed"), "error")  # never a date the nurse did not give
        return redirect(back)
    try:
        done = parse_iso_date(f.get("actual_date", "")) if status == "done" else None
    except ValueError as exc:
        flash(t("desk.error", message=str(exc)), "error")
        return redirect(back)
    if status not in ("done", "missed"):
        flash(t("desk.error", message=f"status: {status!r}"), "error")
        return redirect(back)
    if status == "missed" and not note:
        flash(t("desk.today.reason_needed"), "error")
        return redirect(back)
    try:
        result = record(d.folder, sid, visit, today=d.today(), done=done,
                        missed=status == "missed", note=note, amend=amend, actor=actor(),
                        lock_timeout=d.config.lock_wait, reader=d.cache)
    except StudyLockedError:
        raise  # 503 (busy), below
    except EntryConflictError as exc:
        flash(t("desk.conflict", message=_error_text(exc)), "error")
        return redirect(back)
    except ScheduleError as exc:
        flash(t("desk.error", message=_error_text(exc)), "error")
        return redirect(back)
    lang = language()
    if result.changes:
        flash(t("desk.recorded", subject=sid, visit=visit,
                status=message(lang, f"status.{status}")))
    else:
        flash(t("desk.unchanged"))
    return redirect(back)


# ---- Subjects ------------------------------------------------------------------------------


@bp.route("/subjects")
@require(Right.SEE)
def subjects() -> Any:
    d = desk()
    lang = language()
    now = d.today()
    _, plan = d.cache.planned(now)
    q = request.args.get("q", "").strip().lower()
    state = request.args.get("state", "")
    rows = []
    for p in plan:
        nxt = next_visit(p)
        regimen = p.current_regimen(now)
        eot = next((e.date for e in p.events if e.kind.value == "eot"), None)
        hay = " ".join([p.subject_id, p.subject.cohort, p.subject.dose_level, regimen]).lower()
        if q and q not in hay:
            continue
        if state and (p.state is None or p.state.value != state):
            continue
        rows.append({
            "subject_id": p.subject_id, "cohort": p.subject.cohort,
            "dose_level": p.subject.dose_level, "regimen": regimen,
            "state": message(lang, f"xlsx.state.{p.state.value}") if p.state else "",
            "state_code": p.state.value if p.state else "",
            "next_visit": nxt.visit if nxt else "",
            "next_date": listed_date(lang, nxt.date) if nxt else "",
            "next_overdue": nxt is not None and nxt.status is EventStatus.OVERDUE,
            "next_late": message(lang, "due.overdue_days", n=late) if nxt is not None
            and nxt.status is EventStatus.OVERDUE and (late := days_late(now, nxt.window_end))
            else "",
            "decision_due": listed_date(lang, p.decision_due) if p.decision_due else "",
            "eot": listed_date(lang, eot) if eot else "", "warnings": len(p.warnings)})
    states = [(s.value, message(lang, f"xlsx.state.{s.value}")) for s in SubjectState]
    return render_template("subjects.html.j2", rows=rows, q=request.args.get("q", ""),
                           state=state, states=states)


@bp.route("/subjects/<sid>")
@require(Right.SEE)
def subject(sid: str) -> Any:
    d = desk()
    lang = language()
    now = d.today()
    study, plan = d.cache.planned(now)
    p = subject_or_404(plan, sid)
    codes = study.protocol.regimen_codes
    pending = p.decision_due is not None
    chosen = request.args.get("assume")
    assume = (p.current_regimen(now) if chosen is None else chosen) if pending else ""
    assume = assume if assume in codes else ""
    shown = _with_provisional(study, p, assume, now) if assume else p
    marks, today_x, start, end = timeline(shown, now)
    visits = [{
        "visit": e.visit, "kind": message(lang, f"xlsx.kind.{e.kind.value}"),
        "status": message(lang, f"status.{e.status.value}"), "status_code": e.status.value,
        "planned": listed_date(lang, e.planned_date),
        "window": window_text(lang, e.window_start, e.window_end,
                              functools.partial(short_date, lang, year_of=e.planned_date)),
        "actual": listed_date(lang, e.actual_date) if e.actual_date else "",
        "note": e.note, "reason": e.reason_text.render(lang) if e.reason_text else e.reason,
        "late": message(lang, "due.overdue_days", n=late) if e.status is EventStatus.OVERDUE
        and (late := days_late(now, e.window_end)) else "",
        "regimen": e.regimen or ""} for e in shown.events]
    counts = {s: sum(1 for m in marks if m.status == s) for s in (
        "done", "missed", "planned", "provisional", "overdue")}
    label = t("desk.timeline.label", id=sid, counts=", ".join(
        f"{message(lang, f'status.{k}')} {n}" for k, n in counts.items() if n))
    warnings = [{"label": warning_label(lang, w.category.__name__), "visit": w.visit or "",
                 "message": w.render(lang)} for w in p.warnings]
    audit = _audit_rows(subject_id=sid)
    feed_url = _feed_url(sid)
    ps = shown.provisional
    provisional = t(
        "desk.subject.provisional", regimen=ps.regimen, doses=ps.doses_planned,
        last=_day_or_dash(lang, ps.last_dose_date), eot=_day_or_dash(lang, ps.eot_date),
        fu=_day_or_dash(lang, ps.follow_up_end),
        contraception=_day_or_dash(lang, ps.contraception_end)) if ps is not None else ""
    return render_template(
        "subject.html.j2", sid=sid, p=p, marks=marks, today_x=today_x, pending=pending,
        assume=assume, provisional=provisional,
        regimens=[(c, regimen_label(lang, c)) for c in codes],
        start=listed_date(lang, start), end=listed_date(lang, end), timeline_label=label,
        visits=visits, warnings=warnings, audit=audit, feed_url=feed_url,
        regimen=p.current_regimen(now),
        state=message(lang, f"xlsx.state.{p.state.value}") if p.state else "",
        languages=[(code, message(lang, "desk.subject.handout_lang",
                                  language=message(lang, f"desk.language.{code}")))
                   for code in LANGUAGES])


def _day_or_dash(lang: str, day: date | None) -> str:
    return listed_date(lang, day) if day is not None else "—"


_ASSUMED: dict[tuple[int, str, date, str], tuple[Study, StudyPlan]] = {}
_ASSUMED_LOCK = threading.Lock()


def _with_provisional(study: Study, p: SubjectPlan, assume: str, today: date) -> SubjectPlan:
    """``p`` with the provisional visits of a continuation on ``assume`` added (as ``plan
    --assume REGIMEN --subject ID`` plans them: status ``provisional``, never a decision) and
    their summary.

    The recorded and confirmed visits stay those of ``p`` (the plan every other page shows);
    only the visits the assumed plan adds, all provisional, are taken from it. Planning one
    subject takes milliseconds (with a site capacity the engine balances every subject, as
    the command line does); the result is kept per study version (the cache hands out a new
    study when a file changed), regimen, day and subject.
    """
    key = (id(study), assume, today, p.subject_id)
    with _ASSUMED_LOCK:
        hit = _ASSUMED.get(key)
    if hit is None or hit[0] is not study:
        hit = (study, plan_study(study, assume=assume, today=today, as_of=today,
                                 subject_ids=[p.subject_id]))
        with _ASSUMED_LOCK:
            if len(_ASSUMED) >= 64:
                _ASSUMED.pop(next(iter(_ASSUMED)))
            _ASSUMED[key] = hit
    assumed = hit[1].subject(p.subject_id)
    known = {e.visit for e in p.events}
    added = [e for e in assumed.events if e.status is EventStatus.PROVISIONAL and e.visit not in known]
    return replace(p, events=tuple(sorted((*p.events, *added), key=event_order)),
                   provisional=assumed.provisional)


def _feed_url(sid: str) -> str:
    """The subject's subscription address on this desk (a token is issued on first use)."""
    d = desk()
    tokens = feed_tokens(d.folder)
    if sid not in tokens:
        with study_lock(d.folder):
            tokens = issue_tokens(d.folder, [sid])
    return url_for("feeds.feed", token=tokens[sid], _external=True)


@bp.route("/subjects/<sid>/feed.svg")
@require(Right.SEE)
def feed_qr(sid: str) -> Any:
    import segno

    subject_or_404(desk().cache.planned(desk().today())[1], sid)
    buf = io.BytesIO()
    segno.make(_feed_url(sid), error="m").save(buf, kind="svg", scale=4, border=2,
                                               xmldecl=False, svgns=True)
    return Response(buf.getvalue(), mimetype="image/svg+xml")


@bp.route("/subjects/<sid>/feed/rotate", methods=["POST"])
@require(Right.FEEDS)
def rotate_feed(sid: str) -> Any:
    d = desk()
    if sid != SITE:
        subject_or_404(d.cache.planned(d.today())[1], sid)
    with study_lock(d.folder):
        issue_tokens(d.folder, [], rotate=[sid])
    flash(t("desk.subject.rotated"))
    return redirect(url_for("pages.subject", sid=sid))


@bp.route("/subjects/<sid>/schedule-<lang>.pdf")
@require(Right.SEE)
def handout(sid: str, lang: str) -> Any:
    if lang not in LANGUAGES:
        abort(404)
    d = desk()
    now = d.today()
    study, plan = d.cache.planned(now)
    subject_or_404(plan, sid)
    h = plan_handout(study, plan, sid, today=now, generated=now, language=lang)
    return _download(to_pdf(to_handout_html(h)), f"schedule-{sid}-{lang}.pdf", "application/pdf")


# ---- Decide --------------------------------------------------------------------------------


@bp.route("/subjects/<sid>/decide", methods=["GET", "POST"])
@require(Right.DECIDE)
def decide_page(sid: str) -> Any:
    d = desk()
    lang = language()
    now = d.today()
    study, plan = d.cache.planned(now)
    p = subject_or_404(plan, sid)
    form = request.form if request.method == "POST" else request.args
    on = _date_arg("decided_on", now)
    weeks_text = form.get("weeks", "").strip()
    until_text = form.get("until", "").strip()
    weeks = int(weeks_text) if weeks_text.isdigit() and 0 < int(weeks_text) < 1000 else None
    until = None
    with contextlib.suppress(ValueError):
        until = parse_iso_date(until_text) if until_text else None
    error = ""
    if request.method == "POST":
        error = _sign(sid, on=on, weeks_text=weeks_text, until_text=until_text)
        if not error:
            return redirect(url_for("pages.subject", sid=sid))
    options = regimen_options(study, sid, on=on, today=now, weeks=weeks, until=until,
                              base=plan)  # the cached plan as of today: not planned again
    is_open = study.calendar.is_open if study.calendar is not None else None
    rows = [{
        "regimen": o.regimen, "label": regimen_label(lang, o.regimen), "error": o.error,
        "doses": o.doses,  # a dose left on a closed day (no open day in its window) is marked
        "dates": [(listed_date(lang, x), is_open is not None and not is_open(x))
                  for x in o.dose_dates],
        "last_dose": listed_date(lang, o.last_dose) if o.last_dose else "",
        "eot": listed_date(lang, o.eot) if o.eot else "",
        "contraception_end": listed_date(lang, o.contraception_end) if o.contraception_end else "",
        "load": "" if o.busiest is None else (
            t("desk.decide.load_value", n=o.busiest[1], day=listed_date(lang, o.busiest[0]),
              cap=o.capacity) if o.capacity else
            t("desk.decide.load_nocap", n=o.busiest[1], day=listed_date(lang, o.busiest[0]))),
        "over": o.busiest is not None and o.capacity is not None and o.busiest[1] > o.capacity,
    } for o in options]
    return render_template(
        "decide.html.j2", sid=sid, p=p, on=on.isoformat(), options=rows, error=error,
        options_title=t("desk.decide.options", day=listed_date(lang, on)),
        actions=[(a, message(lang, f"xlsx.action.{a}")) for a in ("continue", "hold", "resume", "stop")],
        regimens=[(r, regimen_label(lang, r)) for r in study.protocol.regimen_codes],
        form=form, meaning=t("desk.decide.meaning", name=current_user.signature_name, id=sid),
        state=message(lang, f"xlsx.state.{p.state.value}") if p.state else "",
        decision_due=listed_date(lang, p.decision_due) if p.decision_due else ""), (
            422 if error else 200)


def _sign(sid: str, *, on: date, weeks_text: str, until_text: str) -> str:
    """Sign and write the decision of the form; the error to show, or "" when written."""
    d = desk()
    f = request.form
    refused, _ = check_own_password(f.get("password", ""), t("desk.decide.bad_password"))
    if refused:
        return refused
    try:
        weeks = int(weeks_text) if weeks_text else None
        until = parse_iso_date(until_text) if until_text else None
    except ValueError as exc:
        return t("desk.error", message=str(exc))
    try:
        result = decide(d.folder, sid, on=on, action=f.get("action", ""), today=d.today(),
                        regimen=f.get("regimen") or None, weeks=weeks, until=until,
                        investigator=current_user.signature_name,
                        rationale=f.get("rationale", ""), actor=actor(),
                        lock_timeout=d.config.lock_wait, reader=d.cache,  # the meaning signed, as shown
                        signature=t("desk.decide.meaning", name=current_user.signature_name, id=sid))
    except StudyLockedError:
        raise  # 503 (busy), below
    except ScheduleError as exc:
        return t("desk.error", message=_error_text(exc))
    for dec in result.added_decisions:
        flash(t("desk.decide.signed", decision=decision_text(dec, language())))
    if not result.changes:
        flash(t("desk.unchanged"))
    return ""


# ---- Workbook ------------------------------------------------------------------------------

_UPLOADS = "cc312-desk-uploads"


def _upload_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"{_UPLOADS}-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@bp.route("/workbook")
@require(Right.SEE)
def workbook() -> Any:
    return render_template("workbook.html.j2", preview=None)


@bp.route("/workbook/download")
@require(Right.SEE)
def workbook_download() -> Any:
    d = desk()
    now = d.today()
    study, plan = d.cache.planned(now)
    ascii_name, name = workbook_names(study.config.name, now)
    return _download(to_xlsx(study, plan, generated_at=datetime.now(UTC)), ascii_name,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     utf8_name=name)


def workbook_names(study: str, day: date) -> tuple[str, str]:
    """The downloaded workbook's file name: the study's name and the day, as ASCII (every
    browser) and as typed (Chinese kept, for ``filename*``); characters a file name cannot
    hold (slashes, quotes, spaces, controls) become ``-``.

    >>> workbook_names("CC312 示例研究", date(2026, 11, 30))
    ('CC312-plan-2026-11-30.xlsx', 'CC312-示例研究-plan-2026-11-30.xlsx')
    >>> workbook_names('a/b "c"', date(2026, 11, 30))[0]
    'a-b-c-plan-2026-11-30.xlsx'
    >>> workbook_names("示例", date(2026, 11, 30))[0]
    'study-plan-2026-11-30.xlsx'
    """
    def clean(pattern: str) -> str:
        return re.sub(pattern, "-", study).strip("-.")[:80]

    ascii_part = clean(r"[^A-Za-z0-9_.]+") or "study"
    typed = clean(r"[^\w.]+") or ascii_part
    return f"{ascii_part}-plan-{day}.xlsx", f"{typed}-plan-{day}.xlsx"


@bp.route("/workbook/preview", methods=["POST"])
@require(Right.IMPORT)
def workbook_preview() -> Any:
    d = desk()
    upload = request.files.get("workbook")
    if upload is None or not upload.filename:
        flash(t("desk.error", message=t("desk.workbook.no_file")), "error")
        return redirect(url_for("pages.workbook"))
    key = secrets.token_urlsafe(16)
    path = _upload_dir() / f"{key}.xlsx"
    upload.save(path)
    amend = request.form.get("amend", "").strip() or None
    try:
        result = import_workbook(d.folder, path, today=d.today(), apply=False, amend=amend,
                                 reader=d.cache)
    except ScheduleError as exc:
        path.unlink(missing_ok=True)
        # the file as the user named it (its last part: a browser may send a whole path)
        shown = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
        flash(t("desk.error", message=_error_text(exc, paths={str(path): shown})), "error")
        return redirect(url_for("pages.workbook"))
    old = session.pop("workbook", None)
    if old:
        (_upload_dir() / f"{old}.xlsx").unlink(missing_ok=True)
    session["workbook"] = key
    session["workbook_amend"] = amend or ""
    return render_template("workbook.html.j2", preview=_preview(result), amend=amend or "")


def _preview(result: Any) -> dict[str, Any]:
    """What an import would change, in the page's language (statuses; ids and notes as typed)."""
    lang = language()

    def visit(v: Any) -> str:
        return " ".join(x for x in (message(lang, f"status.{v.status.value}"),
                                    v.actual_date.isoformat() if v.actual_date else "") if x)

    return {
        "new": [f"{v.subject_id} {v.visit} {visit(v)} {v.note}".strip() for v in result.added_visits]
        + [f"{v.subject_id} {v.visit} + “{v.note}”" for v in result.added_notes],
        "amended": [message(lang, "desk.amended_item", where=f"{a.new.subject_id} {a.new.visit}",
                            old=visit(a.old), new=visit(a.new), reason=a.reason)
                    for a in result.amendments],
        "decisions": [decision_text(dd, lang) for dd in result.added_decisions],
        "conflicts": [_conflict_text(lang, c) for c in result.conflicts],
        "warnings": list(result.warnings), "changes": result.changes}


@bp.route("/workbook/apply", methods=["POST"])
@require(Right.IMPORT)
def workbook_apply() -> Any:
    d = desk()
    key = session.pop("workbook", None)
    amend = session.pop("workbook_amend", "") or None
    path = _upload_dir() / f"{key}.xlsx" if key else None
    if path is None or not path.is_file():
        flash(t("desk.workbook.expired"), "error")
        return redirect(url_for("pages.workbook"))
    try:
        result = import_workbook(d.folder, path, today=d.today(), apply=True, amend=amend,
                                 actor=actor(), lock_timeout=d.config.lock_wait, reader=d.cache)
    except StudyLockedError:
        raise  # 503 (busy), below
    except ScheduleError as exc:
        flash(t("desk.error", message=_error_text(exc)), "error")
        return redirect(url_for("pages.workbook"))
    finally:
        path.unlink(missing_ok=True)
    flash(t("desk.workbook.applied", n=result.changes))
    for c in result.conflicts:
        flash(t("desk.conflict", message=_conflict_text(language(), c)), "error")
    return redirect(url_for("pages.workbook"))


# ---- Exports -------------------------------------------------------------------------------

EXPORTS = ("plan.csv", "plan.json", "site.ics", "sdtm.zip", "usdm.json", "due.html")


@bp.route("/exports")
@require(Right.SEE)
def exports() -> Any:
    return render_template("exports.html.j2", exports=EXPORTS)


@bp.route("/exports/<name>")
@require(Right.SEE)
def export(name: str) -> Any:
    d = desk()
    now = d.today()
    study, plan = d.cache.planned(now)
    lang = study.config.language  # the files are the CLI's, in the study's language
    generated = datetime.now(UTC)
    if name == "plan.csv":
        return _download(to_csv(plan, lang).encode(), name, "text/csv; charset=utf-8")
    if name == "plan.json":
        return _download(to_json(plan, lang).encode(), name, "application/json")
    if name == "site.ics":
        _, unmarked = d.cache.planned(None, as_of=now)
        data = to_ics(study, unmarked, generated_at=generated,
                      state=load_ics_state(state_path_of(study)))
        return _download(data, name, "text/calendar; charset=utf-8")
    if name == "usdm.json":
        return _download(to_usdm_json(study.protocol), name, "application/json")
    if name == "due.html":
        at = generated.astimezone(ZoneInfo(study.config.timezone))
        # the datetime, as the CLI passes it: the page says the time with its zone (北京时间)
        page = to_due_html(plan_due(study, plan, start=now, language=language(), today=now),
                           generated=at)
        return _download(page.encode(), name, "text/html; charset=utf-8")
    if name == "sdtm.zip":
        return _download(_sdtm_zip(study, generated), name, "application/zip")
    abort(404)


def _sdtm_zip(study: Any, generated: datetime) -> bytes:
    folder = Path(tempfile.mkdtemp(prefix="cc312-sdtm-"))
    try:
        _, plan = desk().cache.planned(None)
        paths = write_sdtm(study, plan, folder / "sdtm", formats=("xpt", "json"),
                           studyid=None, generated_at=generated)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for p in paths:
                z.write(p, f"sdtm/{p.name}")
        return buf.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _download(data: bytes, name: str, mimetype: str, *, utf8_name: str | None = None) -> Response:
    """``name``: an ASCII file name; ``utf8_name``: the name as typed (RFC 6266 ``filename*``,
    for a Chinese study name), when it differs."""
    response = Response(data, mimetype=mimetype)
    disposition = f'attachment; filename="{name}"'
    if utf8_name and utf8_name != name:
        disposition += f"; filename*=UTF-8''{quote(utf8_name, safe='')}"
    response.headers["Content-Disposition"] = disposition
    return response


# ---- Audit ---------------------------------------------------------------------------------


@bp.route("/audit")
@require(Right.SEE)
def audit() -> Any:
    sid = request.args.get("subject_id", "").strip()
    user = request.args.get("user", "").strip()
    return render_template("audit.html.j2", rows=_audit_rows(subject_id=sid or None, user=user or None),
                           subject_id=sid, user_filter=user,
                           users=[(u.name, u.display_name) for u in list_users(desk().folder)])


def _audit_rows(*, subject_id: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
    """The audit trail's entries for a page, newest first, labels in the page's language."""
    lang = language()
    shown = {u.name: u.display_name for u in list_users(desk().folder)}
    rows = []
    for e in read_audit(desk().folder, subject_id=subject_id, user=user):
        row = audit_json(e)
        row["display_name"] = shown.get(e.user) or ""
        row["when"] = e.time_site[:19].replace("T", " ")  # site time, as the team reads clocks
        row["role_label"] = message(lang, f"desk.role.{e.role}") if e.role in ROLES else ""
        row["via_label"] = message(lang, f"desk.via.{e.via}") if e.via in VIAS else e.via
        row["file_label"] = _audit_file(lang, e.file)
        why = f"desk.audit.why.{e.reason}"  # the users database's own reasons; a typed one as typed
        row["why_label"] = message(lang, why) if e.file == "users" and why in MESSAGES else e.reason
        row["field_label"], row["old_label"], row["new_label"] = (
            _audit_label(lang, e.file, e.field, None), _audit_label(lang, e.file, e.field, e.old),
            _audit_label(lang, e.file, e.field, e.new))
        rows.append(row)
    rows.reverse()
    return rows


#: the study files whose columns the workbook names (the audit page labels them the same way)
_LABELLED_FILES = frozenset({"visits.csv", "decisions.csv"})


def _audit_file(lang: str, file: str) -> str:
    """The trail's "file": a study file by its name; the users database in words (用户)."""
    key = f"desk.audit.file.{file}"
    return message(lang, key) if key in MESSAGES else file


def _users_label(lang: str, field: str, value: str | None) -> str:
    """A field of the users database (``value`` None) or its value in ``lang``: role names,
    "(set)" for a password, yes/no, "issued 1a2b3c4d" for a token; names as written."""
    if value is None:
        key = f"desk.audit.users.{field}"
        return message(lang, key) if key in MESSAGES else field
    if field == "role" and value in ROLES:
        return message(lang, f"desk.role.{value}")
    if value in ("(set)", "yes", "no"):
        return message(lang, {"(set)": "desk.audit.users.set", "yes": "desk.audit.yes",
                              "no": "desk.audit.no"}[value])
    if field == "api_token" and value.startswith("issued "):
        return message(lang, "desk.audit.users.issued", digest=value.removeprefix("issued "))
    return value


def _audit_label(lang: str, file: str, field: str, value: str | None) -> str:
    """A column of visits.csv or decisions.csv (``value`` None) or its coded value, as the
    workbook labels it in ``lang``; a field of the users database and its value in words;
    anything else as written (the trail keeps the codes)."""
    if file == "users":
        return _users_label(lang, field, value)
    if file not in _LABELLED_FILES:
        return field if value is None else value
    if value is None:
        key = "xlsx.col.subject" if field == "subject_id" else f"xlsx.col.{field}"
        return message(lang, key) if key in MESSAGES else field
    key = {"status": f"status.{value}", "action": f"xlsx.action.{value}"}.get(field, "")
    return message(lang, key) if key in MESSAGES else value


def audit_json(e: AuditEntry) -> dict[str, Any]:
    """One audit entry as the API and the pages show it: when (UTC and site time), who, how,
    what (file, subject, visit, field, old -> new) and why."""
    return {"seq": e.seq, "time": e.time_utc, "site_time": e.time_site, "user": e.user,
            "role": e.role, "via": e.via, "file": e.file, "subject_id": e.subject_id,
            "visit": e.visit, "field": e.field, "old": e.old, "new": e.new, "why": e.reason}


# ---- errors --------------------------------------------------------------------------------


def _error_page(code: int, text: str) -> Any:
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return {"error": text}, code
    return render_template("error.html.j2", code=code, text=text), code


@bp.errorhandler(StudyLockedError)
def busy(_: Exception) -> Any:
    """A write that waited ``serve --lock-wait`` seconds for the study's lock: 503 with
    ``Retry-After``, nothing written (the page says so in its language)."""
    answer, code = _error_page(503, t("desk.busy", seconds=f"{desk().config.lock_wait:g}"))
    return answer, code, {"Retry-After": str(RETRY_AFTER)}


def forbidden(_: Exception) -> Any:
    return _error_page(403, t("desk.forbidden"))


def not_found(exc: Exception) -> Any:
    if isinstance(exc, UnknownSubject) and exc.description:
        return _error_page(404, exc.description)
    return _error_page(404, t("desk.not_found"))


def too_large(_: Exception) -> Any:
    return _error_page(413, t("desk.too_large", mb=desk().config.max_upload_mb))


def csrf_error(_: CSRFError) -> Any:
    return _error_page(400, t("desk.csrf"))


@bp.app_errorhandler(ScheduleError)
def study_unavailable(exc: ScheduleError) -> Any:
    """A study folder that does not load (a file being edited, a bad line), or a lock held
    too long: 503 with the command line's message (file, line, hint), never a traceback; the
    next request reads the folder again."""
    text = _error_text(exc).replace(f"{desk().folder}{os.sep}", "")  # the study's own names
    page, code = _error_page(503, t("desk.unavailable", message=text))
    return page, code, {"Retry-After": "30"}


@bp.app_errorhandler(500)
def internal_error(_: Exception) -> Any:
    """Any other failure: a page in the desk's language (the traceback goes to the log only)."""
    return _error_page(500, t("desk.internal_error"))

