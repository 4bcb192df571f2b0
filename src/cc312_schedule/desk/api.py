"""The desk's JSON API (``/api/v1``) for other tools, and ``/healthz``.

Authentication: ``Authorization: Bearer TOKEN`` (a token of ``cc312-schedule users token``)
or the browser's session; a POST on the session needs its CSRF token (``X-CSRFToken``), a
Bearer call needs none (no browser sends that header by itself). Roles as on the pages.

``GET /api/v1/plan?today=DATE`` and ``GET /api/v1/due?on=DATE`` answer exactly what
``plan --format json --today DATE`` and ``due --format json --on DATE`` print: the same
functions on the same study. ``POST /api/v1/visits`` answers 201 with the entry written (200
when the same entry was recorded already: nothing changed), 409 when it contradicts a recorded
entry (``"amend": REASON`` corrects it, as ``record --amend``), 400 for a malformed request,
422 for an entry the study refuses (the command line's messages), 403 for a role that may not,
401 without a login, 503 with ``Retry-After`` when another writer held the study's lock for
longer than ``serve --lock-wait`` seconds (default 15): nothing was written, send it again.

``POST /api/v1/decisions`` is an electronic signature by the token's user (an investigator):
who (their display name, written into ``decisions.csv``'s investigator column), when (the
audit entry's time) and its meaning, written as the audit entries' reason: "Decided by NAME,
investigator, for subject ID through the API with the token 1a2b3c4d" (the token named by the
first 8 hex digits of its SHA-256, as ``users token`` recorded issuing it). Only a Bearer token
signs so: a browser's session is answered 401 (its Decide page asks for the password again).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from flask_login import current_user

from ..calendars.feed import feed_tokens, issue_tokens
from ..core.days import parse_iso_date
from ..core.errors import InvalidStudyError, ScheduleError
from ..core.messages import message
from ..entries.writes import EntryConflictError, decide, record, study_lock
from ..reports.due import plan_due, to_due_json
from ..reports.render import to_json
from ..store.audit import Actor, read_audit
from ..store.studylock import StudyLockedError
from ..store.users import token_label
from .auth import DeskUser, Right
from .context import RETRY_AFTER, desk
from .pages import audit_json, subject_or_404

__all__ = ["OPENAPI", "bp"]

bp = Blueprint("api", __name__)


class _Problem(Exception):
    def __init__(self, status: int, error: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(error)
        self.status, self.error, self.extra = status, error, extra
        self.headers = headers or {}


@bp.errorhandler(_Problem)
def _problem(exc: _Problem) -> Any:
    return {"error": exc.error, **exc.extra}, exc.status, exc.headers


def _user(right: Right) -> DeskUser:
    """The caller (Bearer token, else the session), who must have ``right``."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = desk().token_user(token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            raise _Problem(401, message("en", "desk.api.unauthorized"))
        g.api_via = "api"
        g.api_token = token_label(token.strip())
    elif current_user.is_authenticated:
        if request.method == "POST":  # a browser's session: its CSRF token too
            current_app.extensions["cc312_csrf"].protect()
        user = current_user._get_current_object()
        g.api_via = "api"
        g.api_token = None
    else:
        raise _Problem(401, message("en", "desk.api.unauthorized"))
    request.environ["cc312.user"] = user.name
    if not user.may(right):
        raise _Problem(403, message("en", "desk.forbidden"))
    return user


def _actor(user: DeskUser) -> Actor:
    return Actor(name=user.name, role=user.role, via="api")  # as pages.actor: the account


def _json_text(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="application/json")


def _day(name: str, default: date) -> date:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise _Problem(400, f"{name}: {exc}") from None


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _Problem(400, message("en", "desk.api.bad_json"))
    return data


def _field(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _Problem(400, message("en", "desk.api.missing", field=name))
        return None
    if not isinstance(value, str):
        raise _Problem(400, message("en", "desk.api.bad_field", field=name, hint="a string"))
    return value


def _date_field(data: dict[str, Any], name: str, *, required: bool = False) -> date | None:
    text = _field(data, name, required=required)
    if text is None:
        return None
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise _Problem(400, message("en", "desk.api.bad_field", field=name, hint=str(exc))) from None


def _refused(exc: ScheduleError) -> _Problem:
    if isinstance(exc, EntryConflictError):
        return _Problem(409, str(exc), conflicts=[
            {"subject_id": c.subject_id, "where": c.where, "message": c.message}
            for c in exc.conflicts])
    if isinstance(exc, StudyLockedError):  # waited serve --lock-wait seconds: try again
        return _Problem(503, message("en", "desk.busy", seconds=f"{desk().config.lock_wait:g}"),
                        detail=str(exc), headers={"Retry-After": str(RETRY_AFTER)})
    errors = exc.errors if isinstance(exc, InvalidStudyError) else [exc]
    return _Problem(422, "; ".join(str(e) for e in errors), errors=[str(e) for e in errors])


@bp.route("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@bp.route("/api/v1/plan")
def plan() -> Any:
    _user(Right.SEE)
    d = desk()
    today = _day("today", d.today())
    study, p = d.cache.planned(today)
    return _json_text(to_json(p, study.config.language))


@bp.route("/api/v1/due")
def due() -> Any:
    _user(Right.SEE)
    d = desk()
    on = _day("on", d.today())
    study, p = d.cache.planned(on)
    return _json_text(to_due_json(plan_due(study, p, start=on)))


@bp.route("/api/v1/visits", methods=["POST"])
def visits() -> Any:
    user = _user(Right.RECORD)
    data = _body()
    sid = _field(data, "subject_id", required=True)
    visit = _field(data, "visit", required=True)
    status = _field(data, "status", required=True)
    if status not in ("done", "missed"):
        raise _Problem(400, message("en", "desk.api.bad_field", field="status",
                                    hint="done or missed"))
    actual = _date_field(data, "actual_date", required=status == "done")
    note = _field(data, "note") or ""
    amend = _field(data, "amend")
    d = desk()
    assert sid is not None and visit is not None
    try:
        result = record(d.folder, sid, visit, today=d.today(),
                        done=actual if status == "done" else None, missed=status == "missed",
                        note=note, amend=amend, actor=_actor(user), lock_timeout=d.config.lock_wait,
                        reader=d.cache)
    except ScheduleError as exc:
        raise _refused(exc) from None
    rows = [*result.added_visits, *result.added_notes, *(a.new for a in result.amendments)]
    entry = {"subject_id": sid, "visit": visit, "status": status,
             "actual_date": actual.isoformat() if actual and status == "done" else None,
             "note": rows[0].note if rows else note, "amended": bool(result.amendments),
             "changed": bool(result.changes)}
    return entry, 201 if result.changes else 200


@bp.route("/api/v1/decisions", methods=["POST"])
def decisions() -> Any:
    user = _user(Right.DECIDE)
    if g.api_token is None:  # a browser's session: the Decide page signs, with the password
        raise _Problem(401, message("en", "desk.api.decision_needs_token"))
    data = _body()
    sid = _field(data, "subject_id", required=True)
    on = _date_field(data, "decided_on", required=True)
    action = _field(data, "action", required=True)
    weeks = data.get("weeks")
    if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int)):
        raise _Problem(400, message("en", "desk.api.bad_field", field="weeks",
                                    hint="a whole number"))
    d = desk()
    assert sid is not None and on is not None and action is not None
    # the signature's meaning, in the study's language (as the desk form's, in the audit trail)
    meaning = message(d.cache.study().config.language, "desk.api.decision_meaning",
                      name=user.signature_name, id=sid, token=g.api_token)
    try:
        result = decide(d.folder, sid, on=on, action=action, today=d.today(),
                        regimen=_field(data, "regimen"), weeks=weeks,
                        until=_date_field(data, "until"), investigator=user.signature_name,
                        rationale=_field(data, "rationale") or "", actor=_actor(user),
                        lock_timeout=d.config.lock_wait, reader=d.cache, signature=meaning)
    except ScheduleError as exc:
        raise _refused(exc) from None
    dec = result.added_decisions[0] if result.added_decisions else None
    return ({"subject_id": sid, "decided_on": on.isoformat(), "action": action,
             "regimen": dec.regimen if dec else _field(data, "regimen"),
             "weeks": dec.weeks if dec else weeks,
             "until": dec.until.isoformat() if dec and dec.until else None,
             "investigator": user.signature_name, "signature": meaning,
             "rationale": dec.rationale if dec else _field(data, "rationale") or "",
             "changed": bool(result.changes)}, 201 if result.changes else 200)


@bp.route("/api/v1/audit")
def audit() -> Any:
    _user(Right.SEE)
    entries = read_audit(desk().folder, subject_id=request.args.get("subject_id") or None,
                         user=request.args.get("user") or None)
    return {"entries": [audit_json(e) for e in entries]}


def _known(sid: str) -> None:
    d = desk()
    subject_or_404(d.cache.planned(d.today())[1], sid, lang="en")  # the API speaks English


@bp.route("/api/v1/subjects/<sid>/feed")
def subject_feed(sid: str) -> Any:
    _user(Right.SEE)
    _known(sid)
    d = desk()
    tokens = feed_tokens(d.folder)
    if sid not in tokens:
        with study_lock(d.folder):
            tokens = issue_tokens(d.folder, [sid])
    return {"url": url_for("feeds.feed", token=tokens[sid], _external=True)}


@bp.route("/api/v1/subjects/<sid>/feed/rotate", methods=["POST"])
def rotate_feed(sid: str) -> Any:
    _user(Right.FEEDS)
    _known(sid)
    d = desk()
    with study_lock(d.folder):
        tokens = issue_tokens(d.folder, [], rotate=[sid])
    return {"url": url_for("feeds.feed", token=tokens[sid], _external=True)}, 201


@bp.route("/api/v1/openapi.json")
def openapi() -> Any:
    return OPENAPI


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


_ERRORS = {"401": _error_response("no login and no valid Bearer token"),
           "403": _error_response("the user's role may not do this")}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "cc312-schedule site desk API", "version": "1",
             "description": "The plan, the day list, visits, decisions, the audit trail and "
                            "calendar feeds of one study folder."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "session": {"type": "apiKey", "in": "cookie", "name": "cc312_desk"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"],
                      "properties": {"error": {"type": "string"},
                                     "errors": {"type": "array", "items": {"type": "string"}},
                                     "conflicts": {"type": "array", "items": {"type": "object"}}}},
            "VisitEntry": {"type": "object", "required": ["subject_id", "visit", "status"],
                           "properties": {
                               "subject_id": {"type": "string"}, "visit": {"type": "string"},
                               "status": {"enum": ["done", "missed"]},
                               "actual_date": {"type": "string", "format": "date"},
                               "note": {"type": "string"},
                               "amend": {"type": "string",
                                         "description": "the reason for correcting a recorded entry"}}},
            "Decision": {"type": "object", "required": ["subject_id", "decided_on", "action"],
                         "properties": {
                             "subject_id": {"type": "string"},
                             "decided_on": {"type": "string", "format": "date"},
                             "action": {"enum": ["continue", "stop", "hold", "resume"]},
                             "regimen": {"type": "string"}, "weeks": {"type": "integer"},
                             "until": {"type": "string", "format": "date"},
                             "rationale": {"type": "string"}}},
        },
    },
    "security": [{"bearer": []}, {"session": []}],
    "paths": {
        "/healthz": {"get": {"security": [], "responses": {"200": {"description": "running"}}}},
        "/api/v1/plan": {"get": {
            "summary": "the document `plan --format json --today DATE` prints",
            "parameters": [{"name": "today", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "the plan"}, "400": _error_response("bad date"),
                          **_ERRORS}}},
        "/api/v1/due": {"get": {
            "summary": "the document `due --format json --on DATE` prints",
            "parameters": [{"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "the day list"}, "400": _error_response("bad date"),
                          **_ERRORS}}},
        "/api/v1/visits": {"post": {
            "summary": "record a visit done or missed (nurses, investigators, coordinators)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/VisitEntry"}}}},
            "responses": {"201": {"description": "written"},
                          "200": {"description": "recorded so already: nothing changed"},
                          "400": _error_response("malformed request"),
                          "409": _error_response("contradicts a recorded entry (send amend)"),
                          "422": _error_response("refused by the study (the CLI's messages)"),
                          "503": _error_response("the study is being written: try again"),
                          **_ERRORS}}},
        "/api/v1/decisions": {"post": {
            "summary": "record an investigator's decision (investigators only), signed by the "
                       "token's user",
            "description": "An electronic signature: the token's user (their display name goes "
                           "into decisions.csv), the time, and the meaning (\"decided by NAME "
                           "... with the token 1a2b3c4d\") written as the audit entries' reason. "
                           "A Bearer token only: a browser session is answered 401.",
            "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Decision"}}}},
            "responses": {"201": {"description": "written (the answer carries the signature's "
                                                 "meaning)"},
                          "200": {"description": "recorded so already: nothing changed"},
                          "400": _error_response("malformed request"),
                          "409": _error_response("contradicts a recorded decision"),
                          "422": _error_response("refused by the study"),
                          "503": _error_response("the study is being written: try again"),
                          **_ERRORS}}},
        "/api/v1/audit": {"get": {
            "summary": "the audit trail: time, user, role, what changed (old -> new), why",
            "parameters": [{"name": "subject_id", "in": "query", "schema": {"type": "string"}},
                           {"name": "user", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "entries, oldest first"}, **_ERRORS}}},
        "/api/v1/subjects/{id}/feed": {"get": {
            "summary": "the subject's calendar subscription address",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "{\"url\": ...}"}, "404": {"description": "no such subject"},
                          **_ERRORS}}},
        "/api/v1/subjects/{id}/feed/rotate": {"post": {
            "summary": "a new address; the old one answers 404 (coordinators)",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"201": {"description": "{\"url\": ...}"},
                          "404": {"description": "no such subject"}, **_ERRORS}}},
    },
}
