"""Publishing the nurses' calendars to a CalDAV server (``cc312-schedule publish``).

Built on the ``caldav`` client library (imported only here). The policies, each named:

* **One code path.** The events are :func:`cc312_schedule.calendars.ics.build_calendars`'s: the same
  ``VEVENT`` bytes, UIDs, SEQUENCEs, cancelled events and reminders as the ``.ics`` files.
  Each event is stored on its own as ``<collection>/<UID>.ics`` (a ``VCALENDAR`` with the
  event and its ``VTIMEZONE``, no ``METHOD``, RFC 4791 4.1), saved with
  ``increase_seqno=False`` so the server holds the SEQUENCE we computed (caldav would add 1).
* **Collections.** One per subject, ``<study>-subject-<id>``, and one for the site,
  ``<study>-site`` (``<study>``: the study's name in lower case, every run of other characters
  than a-z and 0-9 turned into one ``-``: "CC312 example study" gives
  ``cc312-example-study``; the subject id as it is), in the user's calendar home; created
  when missing with the calendar's display name, the study's time zone
  (``calendar-timezone``) and VEVENT only.
* **What was published** is remembered per server URL and collection in
  ``STUDY/.cc312-publish-state.json`` (:data:`PUBLISH_STATE_FILE`): per UID the content's
  digest, SEQUENCE, whether it was cancelled or pruned, and the ETag the server gave. An
  event is written only when its digest or SEQUENCE differs from what the server confirmed,
  or when the server's ETag is no longer the one recorded (someone changed or deleted it).
  The calendar home and each calendar's own ETag after our last publish are remembered too:
  a publish with nothing changed is one PROPFIND of the home (a calendar whose ETag moved
  is listed, one PROPFIND each) and writes nothing. Never the password. Credentials go out
  with HTTP Basic authentication from the first request: use an https:// URL.
* **Interrupted publishes complete.** The state records each write the server confirmed
  (saved every few seconds and when the publish ends, also by an error); a write that was
  sent but not recorded is simply sent again to the same URL, which replaces the object:
  a UID is never stored twice. The calendar state of the files (``.cc312-ics-state.json``)
  takes the new SEQUENCE of an event only once every collection holding it confirmed it.
* **Cancelled visits** are published as ``STATUS:CANCELLED`` like in the files. ``--prune``
  deletes the events that an *earlier* publish already stored as cancelled (a client that
  synced in between saw them cancelled), for clients that show cancelled events crossed
  out forever; they stay deleted until the visit comes back.
* **Errors** (wrong password, unreachable server, TLS failure, a collection that is not a
  calendar, any other refusal) are one :class:`PublishError` line each (exit 2); whatever the
  server had confirmed until then is recorded, nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from ..core.errors import ScheduleError, UsageError
from ..core.fileio import InputFileError, read_input, read_state, write_atomic
from ..core.model import StudyPlan
from ..store.study import Study
from .ics import (
    EventCalendar,
    EventCalendars,
    IcsState,
    build_calendars,
    load_ics_state,
    state_path_of,
    vtimezone,
    write_ics_state,
)
from .publish_checks import PASSWORD_FILE_LIMIT, forbidden, unreadable_reply

__all__ = [
    "PASSWORD_ENV",
    "PUBLISH_STATE_FILE",
    "PublishError",
    "PublishResult",
    "collection_id",
    "publish",
    "read_password",
]

PUBLISH_STATE_FILE: Final = ".cc312-publish-state.json"
PASSWORD_ENV: Final = "CC312_CALDAV_PASSWORD"
_FORMAT: Final = "cc312-schedule publish state"
_VERSION: Final = 1
_CHECKPOINT_SECONDS: Final = 5.0
_PROPFIND: Final = ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
                    "<d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>")
_CALENDAR: Final = "{urn:ietf:params:xml:ns:caldav}calendar"


class PublishError(ScheduleError):
    """The server refused the publish, or could not be reached; one line, what to do."""


def collection_id(study_name: str, subject_id: str) -> str:
    """The collection's name: ``<study>-subject-<id>``, or ``<study>-site`` for ``""``.

    >>> collection_id("CC312 example study", "003"), collection_id("CC312 example study", "")
    ('cc312-example-study-subject-003', 'cc312-example-study-site')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", study_name.lower()).strip("-") or "study"
    # the subject id as it is (letters, digits, '.', '_', '-'): "A01" and "a01" stay apart
    return f"{slug}-site" if not subject_id else f"{slug}-subject-{subject_id}"


def read_password(password_file: str | None, environ: Mapping[str, str]) -> str:
    """The password: the first line of ``password_file``, else ``$CC312_CALDAV_PASSWORD``."""
    if password_file is not None:
        try:  # a regular file, read bounded (issue 20: /dev/zero, a FIFO)
            text = read_input(password_file, limit=PASSWORD_FILE_LIMIT).decode("utf-8")
        except (OSError, UnicodeDecodeError, InputFileError) as exc:
            why = exc.message if isinstance(exc, InputFileError) else getattr(exc, "strerror", exc)
            raise UsageError(f"cannot read the password file: {why}",
                             key="--password-file", value=password_file,
                             hint="a file holding the password on its first line") from None
        password = text.splitlines()[0] if text.splitlines() else ""
        if not password:
            raise UsageError("the password file is empty", key="--password-file",
                             value=password_file, hint="write the password on its first line")
        return password
    password = environ.get(PASSWORD_ENV, "")
    if not password:
        raise UsageError("no password given", key="--password-file",
                         hint=f"pass --password-file FILE or set {PASSWORD_ENV}")
    return password


# ---- state -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    digest: str
    sequence: int
    cancelled: bool
    etag: str  # "" when the server gave none
    pruned: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "sequence": self.sequence, "cancelled": self.cancelled,
                "etag": self.etag, "pruned": self.pruned}


@dataclass(slots=True)
class _Collection:
    ctag: str = ""  # the collection's ETag after our last complete publish to it
    events: dict[str, _Record] = field(default_factory=dict)


@dataclass(slots=True)
class _Server:
    homes: dict[str, str] = field(default_factory=dict)  # user: calendar home URL
    collections: dict[str, _Collection] = field(default_factory=dict)


@dataclass(slots=True)
class _State:
    """Per server URL: each user's calendar home, and per collection URL its ETag and events."""

    servers: dict[str, _Server] = field(default_factory=dict)

    def server(self, server: str) -> _Server:
        return self.servers.setdefault(server, _Server())

    def collection(self, server: str, url: str) -> _Collection:
        return self.server(server).collections.setdefault(url, _Collection())


def _load_state(path: Path) -> _State:
    hint = "restore it from a backup, or delete it: the next publish then rewrites every event"
    data = read_state(path, fmt=_FORMAT, version=_VERSION, what="publish state file", hint=hint,
                      error=PublishError)
    if data is None:
        return _State()
    try:
        state = _State()
        for server, sdata in data["servers"].items():
            state.server(str(server)).homes.update(
                {str(k): str(v) for k, v in sdata["homes"].items()})
            for url, cdata in sdata["collections"].items():
                coll = state.collection(str(server), str(url))
                coll.ctag = str(cdata["ctag"])
                for uid, r in cdata["events"].items():
                    coll.events[str(uid)] = _Record(
                        digest=str(r["digest"]), sequence=int(r["sequence"]),
                        cancelled=bool(r["cancelled"]), etag=str(r["etag"]),
                        pruned=bool(r["pruned"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(f"corrupt publish state file ({type(exc).__name__}: {exc})",
                           path=path, hint=hint) from None
    return state


def _state_bytes(state: _State) -> bytes:
    data = {"format": _FORMAT, "version": _VERSION, "servers": {
        server: {"homes": dict(sorted(s.homes.items())), "collections": {
            url: {"ctag": c.ctag, "events": {uid: r.to_json() for uid, r in sorted(c.events.items())}}
            for url, c in sorted(s.collections.items())}}
        for server, s in sorted(state.servers.items())}}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


# ---- publishing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishResult:
    """What a publish did (or, with ``dry_run``, would do)."""

    collections: int
    created: tuple[str, ...]  # collection URLs created
    written: int  # events PUT (new, changed, or changed on the server by someone else)
    deleted: int  # events pruned
    unchanged: int
    dry_run: bool = False

    def describe(self, url: str) -> str:
        verb = "would write" if self.dry_run else "wrote"
        created = f", {len(self.created)} created" if self.created else ""
        return (f"{'dry run: ' if self.dry_run else ''}{_safe_url(url)}: "
                f"{self.collections} calendar(s){created}; {verb} {self.written} event(s), "
                f"{'would delete' if self.dry_run else 'deleted'} {self.deleted}, "
                f"{self.unchanged} unchanged\n")


def publish(study: Study, plan: StudyPlan, *, url: str, user: str, password: str,
            generated_at: datetime, subject_ids: list[str] | None = None,
            prune: bool = False, dry_run: bool = False, all_day: bool = False,
            timeout: int = 30,
            log: Callable[[str], None] = lambda line: None) -> PublishResult:
    """Publish the calendars of ``plan`` to the CalDAV server at ``url`` (see the module)."""
    from caldav.davclient import DAVClient

    folder = Path(study.folder or ".")
    spath = folder / PUBLISH_STATE_FILE
    ics_path = state_path_of(study)
    state = _load_state(spath)
    ics_state = load_ics_state(ics_path)
    built = build_calendars(study, plan, generated_at=generated_at, state=ics_state,
                            all_day=all_day, subject_ids=subject_ids)
    lifted = _lift(ics_state, built, state)
    if lifted is not None:  # a server is ahead of the files' state: build above it
        built = build_calendars(study, plan, generated_at=generated_at, state=lifted,
                                all_day=all_day, subject_ids=subject_ids)
    server = _safe_url(url)
    # Basic authentication from the first request: without it caldav first asks without
    # credentials, and servers answer that 401 slowly on purpose (Radicale: 1 s)
    client = DAVClient(url=url, username=user, password=password, timeout=timeout,
                       auth_type="basic")
    run = _Run(client=client, server=server, study=study, state=state, built=built,
               prune=prune, dry_run=dry_run, log=log, state_path=spath,
               day=generated_at.date())
    try:
        with _errors(url):
            home, found = _calendar_home(run, user)
            _publish_calendars(run, home, found)
    finally:
        if not dry_run:
            if run.touched:
                write_atomic(spath, _state_bytes(state))
            _write_confirmed(ics_path, ics_state, built, run.confirmed)
    return PublishResult(collections=len(built.calendars), created=tuple(run.created),
                         written=run.written, deleted=run.deleted, unchanged=run.unchanged,
                         dry_run=dry_run)


def _calendar_home(run: _Run, user: str) -> tuple[str, dict[str, tuple[str, bool]]]:
    """The user's calendar home and what it holds: remembered from an earlier publish, else
    discovered (again, when the remembered one is gone)."""
    known = run.state.server(run.server).homes.get(user)
    home = known or run.discover_home()
    found = run.list_home(home)
    if found is None and known:
        home = run.discover_home()
        found = run.list_home(home)
    if found is None:
        raise PublishError("the user's calendar home is missing on the server",
                           key="--url", value=home,
                           hint="check the server address and the user name")
    if not run.dry_run and known != home:  # saved with the first confirmed write
        run.state.server(run.server).homes[user] = home
    return home, found


def _publish_calendars(run: _Run, home: str, found: dict[str, tuple[str, bool]]) -> None:
    """Every calendar into its collection under ``home``, then the new ETags of the
    collections written to (for the next run)."""
    done = []
    for cal in run.built.calendars:
        curl = urljoin(home, collection_id(run.study.config.name, cal.subject_id) + "/")
        if run.collection(curl, cal, found):
            done.append(curl)
    if run.wrote_to and not run.dry_run:
        after = run.list_home(home) or {}
        for curl in done:
            if curl in run.wrote_to:
                run.state.collection(run.server, curl).ctag = after.get(
                    urlsplit(curl).path, ("", False))[0]
                run.touched = True


def _lift(ics: IcsState, built: EventCalendars, state: _State) -> IcsState | None:
    """The files' state raised to what a server confirmed holding, or None if it need not be.

    A publish killed after the server confirmed an event but before the files' state was
    written (or a files' state restored from a backup) leaves a server a SEQUENCE ahead of
    it: an event must then go out with a SEQUENCE above the server's, or clients ignore the
    change, and never below it.
    """
    held: dict[str, _Record] = {}
    for server in state.servers.values():
        for coll in server.collections.values():
            for uid, rec in coll.events.items():
                if uid not in held or rec.sequence > held[uid].sequence:
                    held[uid] = rec
    events = dict(ics.events)
    for uid, pub in built.state.events.items():
        top = held.get(uid)
        if top is not None and (top.sequence > pub.sequence or (
                top.sequence == pub.sequence and top.digest != pub.digest)):
            events[uid] = dataclasses.replace(pub, digest=top.digest, sequence=top.sequence,
                                              cancelled=top.cancelled)
    return IcsState(events=events) if events != dict(ics.events) else None


def _write_confirmed(path: Path, old: IcsState, built: EventCalendars,
                     confirmed: Mapping[str, int]) -> None:
    """Record in the files' state the events every collection holding them confirmed."""
    needed: dict[str, int] = {}
    for cal in built.calendars:
        for ev in cal.events:
            needed[ev.uid] = needed.get(ev.uid, 0) + 1
    events = dict(old.events)
    changed = False
    for uid, pub in built.state.events.items():
        if uid in needed and confirmed.get(uid, 0) >= needed[uid] and events.get(uid) != pub:
            events[uid] = pub
            changed = True
    if changed:
        write_ics_state(path, IcsState(events=dict(sorted(events.items()))))


@dataclass(slots=True, kw_only=True)
class _Run:
    client: Any
    server: str
    study: Study
    state: _State
    built: EventCalendars
    prune: bool
    dry_run: bool
    log: Callable[[str], None]
    state_path: Path
    day: date  # the generation date (the time zone's range when a calendar has no events)
    created: list[str] = field(default_factory=list)
    confirmed: dict[str, int] = field(default_factory=dict)  # uid: collections holding it
    written: int = 0
    deleted: int = 0
    unchanged: int = 0
    touched: bool = False  # the state has something new to record
    wrote_to: set[str] = field(default_factory=set)  # collections written to
    _saved_at: float = field(default_factory=_time.monotonic)

    def discover_home(self) -> str:
        """The user's calendar home, found from the server URL (current-user-principal)."""
        return str(self.client.principal().calendar_home_set.url)

    def list_home(self, home: str) -> dict[str, tuple[str, bool]] | None:
        """``{path: (etag, is a calendar)}`` of the collections in ``home``; None if missing."""
        from caldav.elements import dav
        from caldav.lib import error

        try:
            response = self.client.propfind(home, props=_PROPFIND, depth=1)
        except error.NotFoundError:
            return None
        if response.status == 404:
            return None
        props = response.expand_simple_props([dav.GetEtag()],
                                             multi_value_props=[dav.ResourceType()])
        return {href if href.endswith("/") else href + "/": (
                    str(p.get(dav.GetEtag.tag) or ""),
                    _CALENDAR in (p.get(dav.ResourceType.tag) or []))
                for href, p in props.items()}

    def collection(self, curl: str, calendar: EventCalendar,
                   home: Mapping[str, tuple[str, bool]]) -> bool:
        """Publish one calendar; True when every event of it is confirmed on the server."""
        from caldav.collection import Calendar

        name = calendar.name
        coll = self.state.collection(self.server, curl)
        records = coll.events
        path = urlsplit(curl).path
        listing: dict[str, str] | None
        if path not in home:
            listing = None
        elif not home[path][1]:
            raise PublishError("exists on the server but is not a calendar collection",
                               key="--url", value=curl,
                               hint="rename or remove that collection, or publish as another user")
        elif coll.ctag and home[path][0] == coll.ctag:
            # nothing changed there since our last publish: the recorded ETags hold
            listing = {path + quote(uid) + ".ics": r.etag for uid, r in records.items()}
        else:
            listing = self._list(curl)
        if listing is None:
            self.log(f"create calendar {curl} ({name})")
            self.created.append(curl)
            if not self.dry_run:
                response = self.client.mkcalendar(curl, self._mkcalendar_body(name))
                if response.status not in (200, 201):
                    raise PublishError(f"cannot create the calendar (HTTP {response.status})",
                                       key="--url", value=curl,
                                       hint="check that the user may create calendars there")
                self.touched = True
                self.wrote_to.add(curl)
                records.clear()  # a new collection holds nothing we published before
            listing = {}
        cal = Calendar(client=self.client, url=curl)
        for ev in calendar.events:
            pub = ev.published
            href = path + quote(ev.uid) + ".ics"
            rec = records.get(ev.uid)
            current = (rec is not None and rec.digest == pub.digest
                       and rec.sequence == pub.sequence)
            if current and rec is not None and rec.pruned:
                self._confirm(ev.uid)
                self.unchanged += 1
                continue
            if current and rec is not None and rec.etag and listing.get(href) == rec.etag:
                if self.prune and rec.cancelled:
                    self._delete(cal, curl, href, ev.uid, rec)
                    continue
                self._confirm(ev.uid)
                self.unchanged += 1
                continue
            self._put(cal, curl, ev, name, records)
        self._checkpoint(force=False)
        return True

    def _list(self, curl: str) -> dict[str, str]:
        """``{href: etag}`` of the collection's objects."""
        from caldav.elements import dav

        response = self.client.propfind(curl, props=_PROPFIND, depth=1)
        props = response.expand_simple_props([dav.GetEtag()],
                                             multi_value_props=[dav.ResourceType()])
        path = urlsplit(curl).path
        return {href: str(p.get(dav.GetEtag.tag) or "") for href, p in props.items()
                if href.rstrip("/") != path.rstrip("/")}

    def _mkcalendar_body(self, name: str) -> str:
        first = min((ev.on for ev in self.built.calendars[-1].events), default=self.day)
        last = max((ev.on for ev in self.built.calendars[-1].events), default=self.day)
        vtz = vtimezone(self.built.zone, date(first.year - 1, 12, 1), date(last.year + 1, 1, 31))
        zone_cal = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cc312-schedule//EN\r\n"
                    + vtz.to_ical().decode() + "END:VCALENDAR\r\n")
        return ('<?xml version="1.0" encoding="utf-8"?>'
                '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                f"<d:set><d:prop><d:displayname>{escape(name)}</d:displayname>"
                f"<c:calendar-timezone>{escape(zone_cal)}</c:calendar-timezone>"
                '<c:supported-calendar-component-set><c:comp name="VEVENT"/>'
                "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>")

    def _put(self, cal: Any, curl: str, ev: Any, name: str, records: dict[str, _Record]) -> None:
        from caldav.calendarobjectresource import Event

        self.written += 1
        if self.dry_run:
            self.log(f"would write {ev.uid} ({ev.change}) to {curl}")
            return
        obj = Event(client=self.client, url=curl + quote(ev.uid) + ".ics",
                           data=self.built.resource(ev, name).decode("utf-8"), parent=cal)
        obj.save(increase_seqno=False)
        self.wrote_to.add(curl)
        pub = ev.published
        records[ev.uid] = _Record(digest=pub.digest, sequence=pub.sequence,
                                  cancelled=pub.cancelled, etag=str(obj.etag or ""))
        self._confirm(ev.uid)
        self.touched = True
        self._checkpoint(force=False)

    def _delete(self, cal: Any, curl: str, href: str, uid: str, rec: _Record) -> None:
        from caldav.calendarobjectresource import Event

        self.deleted += 1
        if self.dry_run:
            self.log(f"would delete cancelled {uid} from {curl}")
            return
        Event(client=self.client, url=curl + quote(uid) + ".ics", parent=cal).delete()
        self.wrote_to.add(curl)
        rec.pruned = True
        rec.etag = ""
        self._confirm(uid)
        self.touched = True
        self._checkpoint(force=False)

    def _confirm(self, uid: str) -> None:
        self.confirmed[uid] = self.confirmed.get(uid, 0) + 1

    def _checkpoint(self, *, force: bool) -> None:
        """Save the state now and then, so a killed publish loses little (never a duplicate)."""
        if self.dry_run or not self.touched:
            return
        if force or _time.monotonic() - self._saved_at > _CHECKPOINT_SECONDS:
            write_atomic(self.state_path, _state_bytes(self.state))
            self._saved_at = _time.monotonic()


def _safe_url(url: str) -> str:
    """The URL without any user name or password in it (for messages and the state's keys)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path or "/", parts.query, ""))


@contextlib.contextmanager
def _errors(url: str) -> Iterator[None]:
    """Turn what the network and the server raise into one :class:`PublishError` line."""
    from caldav.lib import error

    safe = _safe_url(url)
    try:
        yield
    except ScheduleError:
        raise
    except Exception as exc:
        names = {c.__name__ for c in type(exc).__mro__}
        if isinstance(exc, error.AuthorizationError) and forbidden(exc):
            raise PublishError("the server forbids this request (HTTP 403)", key="--url",
                               value=_safe_url(str(getattr(exc, "url", "") or url)),
                               hint="the user may lack the right (e.g. to create calendars "
                               "there): check its rights on the server; some servers also "
                               "answer 403 to a wrong password") from None
        if isinstance(exc, error.AuthorizationError):
            raise PublishError("the server refused the user name or password (HTTP 401/403)",
                               key="--user", value=safe,
                               hint="check --user and the password (--password-file or "
                               f"{PASSWORD_ENV})") from None
        if "SSLError" in names or "CertificateError" in names:
            raise PublishError("TLS failure: the server's certificate or TLS setup was refused",
                               key="--url", value=safe,
                               hint="check the https:// address and the server's certificate "
                               "(a self-signed certificate must be trusted by this computer)"
                               ) from None
        if any("Timeout" in n for n in names) or "ConnectionError" in names:
            raise PublishError("cannot reach the server", key="--url", value=safe,
                               hint="check the address and the network; the next publish "
                               "completes what this one did not") from None
        if isinstance(exc, error.DAVError):
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            raise PublishError(f"the server refused a request: {first}", key="--url",
                               value=safe,
                               hint="the next publish retries what was not confirmed") from None
        raise PublishError(unreadable_reply(exc), key="--url", value=safe,
                           hint="check that --url is the CalDAV server's address (open it in "
                           "a browser); the next publish retries what was not confirmed"
                           ) from None
