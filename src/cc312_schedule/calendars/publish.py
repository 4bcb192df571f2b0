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
* **What was published** is remembered per server (scheme, host and port, normalised by
  :func:`normalize_url`; host names never resolved) and collection in
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
* **Read before writing** what the records cannot vouch for (:mod:`.serverview`): a
  collection with no record (the state lost, or a new address) is read in full; a listed
  collection's objects whose ETag moved, and objects under names we did not write, are read.
  An object that says what the plan says (``DTSTAMP``, ``SEQUENCE``, ``LAST-MODIFIED`` aside)
  is taken as ours, its SEQUENCE included; a visit the server holds but the files' state lost
  is read back from the object (:func:`.serverview.recover_event`), so a visit no longer
  planned is cancelled above the server's SEQUENCE.
* **Changed on the server** (a person's edit, another copy of the study): reported
  (:class:`ServerChange`); ``on_server_edit="plan"`` writes the plan's version with a
  SEQUENCE above the server's (RFC 5546) and a new DTSTAMP, ``"server"`` keeps the server's
  until the plan changes that visit (:data:`ON_SERVER_EDIT`). A visit deleted on the server
  is created again (``plan``) or left deleted (``server``, or a cancelled one with ``prune``).
* **A client's copy** of an event under its own resource name (the server refuses ours:
  Radicale 409, Xandikos 412, RFC 4791 5.3.2.1) is found by a calendar-query on the UID and
  updated in place; an event the server still refuses is a :class:`PublishProblem`, every
  other one is published, and the result lists the problems (the CLI exits 2 at the end).
* **The site calendar** is one collection, four fixed ones by quarter of the year, or none
  (:data:`SITE_CALENDARS`): writes into one collection slow down as it grows.
* **Cancelled visits** are published as ``STATUS:CANCELLED`` like in the files. ``--prune``
  deletes the events that an *earlier* publish already stored as cancelled (a client that
  synced in between saw them cancelled), for clients that show cancelled events crossed
  out forever; they stay deleted until the visit comes back.
* **Errors** (wrong password, unreachable server, a timeout, a redirect loop, a 5xx, TLS
  failure, a collection that is not a calendar, any other refusal) are one
  :class:`PublishError` line each (exit 2); whatever the server had confirmed until then is
  recorded, nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import time as _time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import icalendar

from ..core.errors import ScheduleError, UsageError
from ..core.fileio import InputFileError, read_input, read_state, write_atomic
from ..core.messages import message, say_error
from ..core.model import StudyPlan
from ..store.study import Study
from .ics import (
    CalendarEvent,
    EventCalendar,
    EventCalendars,
    IcsState,
    PublishedEvent,
    build_calendars,
    event_uid,
    load_ics_state,
    state_path_of,
    vtimezone,
    write_ics_state,
)
from .publish_checks import PASSWORD_FILE_LIMIT, bound_replies, forbidden, unreadable_reply
from .serverview import (
    ServerObject,
    by_uid_query,
    calendar_query,
    multiget,
    parse_objects,
    recover_event,
    same_content,
    what_changed,
)

__all__ = [
    "ON_SERVER_EDIT",
    "PASSWORD_ENV",
    "PUBLISH_STATE_FILE",
    "SITE_CALENDARS",
    "PublishError",
    "PublishProblem",
    "PublishResult",
    "ServerChange",
    "collection_id",
    "normalize_url",
    "publish",
    "read_password",
    "server_key",
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
    pruned: bool = False  # deleted on the server (by --prune, or by a person) and left so
    href: str = ""  # the object's path when it is not <collection>/<UID>.ics (a client's name)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"digest": self.digest, "sequence": self.sequence,
                                "cancelled": self.cancelled, "etag": self.etag,
                                "pruned": self.pruned}
        if self.href:
            data["href"] = self.href
        return data


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
            # keys as an earlier version wrote them (the address as typed) are normalised
            key = server_key(str(server))
            state.server(key).homes.update(
                {str(k): normalize_url(str(v)) for k, v in sdata["homes"].items()})
            for url, cdata in sdata["collections"].items():
                coll = state.collection(key, normalize_url(str(url)))
                coll.ctag = str(cdata["ctag"])
                for uid, r in cdata["events"].items():
                    coll.events[str(uid)] = _Record(
                        digest=str(r["digest"]), sequence=int(r["sequence"]),
                        cancelled=bool(r["cancelled"]), etag=str(r["etag"]),
                        pruned=bool(r["pruned"]), href=str(r.get("href", "")))
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


# ---- the server's address ----------------------------------------------------------------------

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """The address as the state keys it: scheme and host in lower case, the default port
    dropped, runs of ``/`` as one, a trailing ``/``; no user, password, query or fragment.

    Host names are compared as written, never resolved: ``localhost`` and ``127.0.0.1`` are
    two targets (a name may point elsewhere tomorrow, and one server may answer differently
    under two names); publishing to the other one reads its calendars before writing, so
    nothing already the same is written again (see the module).

    >>> normalize_url("HTTP://Nurse:pw@LocalHost:80//dav///nurse")
    'http://localhost/dav/nurse/'
    >>> normalize_url("https://[::1]:443/"), normalize_url("http://127.0.0.1:5232")
    ('https://[::1]/', 'http://127.0.0.1:5232/')
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host += f":{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((scheme, host, path, "", ""))


def server_key(url: str) -> str:
    """The server a state entry belongs to: scheme, host and port, normalised (the path only
    leads to the calendar home: ``http://h/`` and ``http://h/nurse/`` are one server).

    >>> server_key("http://127.0.0.1:5232/nurse/"), server_key("HTTP://localhost:80")
    ('http://127.0.0.1:5232', 'http://localhost')
    """
    parts = urlsplit(normalize_url(url))
    return f"{parts.scheme}://{parts.netloc}"


# ---- publishing --------------------------------------------------------------------------------

#: What a publish does with an object a person (or another copy of the study) changed on the
#: server since we last wrote it: ``plan`` (the default) writes the plan's version over it,
#: with a SEQUENCE above the server's and a new DTSTAMP; ``server`` leaves the server's
#: version until the plan changes that visit. Either way it is reported.
ON_SERVER_EDIT: Final = ("plan", "server")
#: How the site calendar is published: ``one`` collection ``<study>-site`` (the default);
#: ``quarters``, four fixed collections ``<study>-site-q1`` .. ``-q4`` holding the visits of
#: January-March, April-June, July-September, October-December of every year; ``none``.
SITE_CALENDARS: Final = ("one", "quarters", "none")
_QUARTER_MONTHS: Final = ("01-03", "04-06", "07-09", "10-12")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerChange:
    """An object of ours that changed on the server since we wrote it (or that a client
    stored under its own name), and what the publish did about it."""

    collection: str  # the collection's name
    resource: str  # the object's name on the server
    subject_id: str
    visit: str
    change: str  # what differs ("DTSTART ... → ...; SUMMARY"), or "deleted on the server"
    action: str  # "overwritten with the plan's version", "kept", "re-created", ...

    def describe(self, lang: str = "en") -> str:
        return message(lang, "publish.changed", subject=self.subject_id, visit=self.visit,
                       collection=self.collection, resource=self.resource,
                       change=say_error(lang, "publish", self.change)[0],
                       action=say_error(lang, "publish", self.action)[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishProblem:
    """An event the server refused; the publish went on with every other one."""

    collection: str
    resource: str
    subject_id: str
    visit: str
    reason: str

    def describe(self, lang: str = "en") -> str:
        return message(lang, "publish.not_published", subject=self.subject_id, visit=self.visit,
                       collection=self.collection, resource=self.resource,
                       reason=say_error(lang, "err", self.reason)[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishResult:
    """What a publish did (or, with ``dry_run``, would do).

    ``problems``: events the server refused (the publish finished every other one; the CLI
    then exits 2); ``changes``: objects changed on the server by someone else; ``notes``:
    what else the user should know (the target changed, a calendar read before writing).
    """

    collections: int
    created: tuple[str, ...]  # collection URLs created
    written: int  # events PUT (new, changed, or changed on the server by someone else)
    deleted: int  # events pruned
    unchanged: int
    dry_run: bool = False
    changes: tuple[ServerChange, ...] = ()
    problems: tuple[PublishProblem, ...] = ()
    notes: tuple[str, ...] = ()

    def describe(self, url: str, lang: str = "en") -> str:
        """What the publish did, in ``lang`` (the catalogue's ``publish.*``)."""
        created = message(lang, "publish.created", n=len(self.created)) if self.created else ""
        changed = message(lang, "publish.changes", n=len(self.changes)) if self.changes else ""
        return message(lang, "publish.dry_run" if self.dry_run else "publish.done",
                       url=_safe_url(url), collections=self.collections, created=created,
                       written=self.written, deleted=self.deleted, unchanged=self.unchanged,
                       changed=changed) + "\n"

    def report(self, lang: str = "en") -> str:
        """The notes, the changes made on the server and the problems, one per line."""
        lines = [message(lang, "cli.note", text=say_error(lang, "publish", n)[0])
                 for n in self.notes]
        lines += [c.describe(lang) for c in self.changes]
        lines += [p.describe(lang) for p in self.problems]
        if self.problems:
            lines.append(message(lang, "publish.problems", n=len(self.problems)))
        return "".join(line + "\n" for line in lines)


def publish(study: Study, plan: StudyPlan, *, url: str, user: str, password: str,
            generated_at: datetime, subject_ids: list[str] | None = None,
            prune: bool = False, dry_run: bool = False, all_day: bool = False,
            timeout: int = 30, retire: Sequence[str] = (), on_server_edit: str = "plan",
            site_calendar: str = "one",
            log: Callable[[str], None] = lambda line: None, lang: str = "en") -> PublishResult:
    """Publish the calendars of ``plan`` to the CalDAV server at ``url`` (see the module);
    ``log`` is given each line of a dry run in ``lang``."""
    from caldav.davclient import DAVClient

    if on_server_edit not in ON_SERVER_EDIT:
        raise UsageError("unknown choice", key="--on-server-edit", value=on_server_edit,
                         hint=f"one of {', '.join(ON_SERVER_EDIT)}")
    if site_calendar not in SITE_CALENDARS:
        raise UsageError("unknown choice", key="--site-calendar", value=site_calendar,
                         hint=f"one of {', '.join(SITE_CALENDARS)}")
    folder = Path(study.folder or ".")
    spath = folder / PUBLISH_STATE_FILE
    ics_path = state_path_of(study)
    state = _load_state(spath)
    ics_state = load_ics_state(ics_path)
    server = server_key(url)
    notes = []
    if state.servers and server not in state.servers:
        notes.append(f"first publish to {server} (earlier publishes went to "
                     f"{', '.join(sorted(state.servers))}): its calendars are read before "
                     "writing, so what it already holds is not written again")
    # Basic authentication from the first request: without it caldav first asks without
    # credentials, and servers answer that 401 slowly on purpose (Radicale: 1 s)
    client = DAVClient(url=url, username=user, password=password, timeout=timeout,
                       auth_type="basic")
    bound_replies(client.session)  # a reply past REPLY_LIMIT is refused while read (issue 20)
    run = _Run(client=client, server=server, study=study, state=state, prune=prune,
               dry_run=dry_run, log=log, state_path=spath, day=generated_at.date(),
               policy=on_server_edit, notes=notes, lang=lang)
    built: EventCalendars | None = None
    targets: list[tuple[str, EventCalendar]] = []
    try:
        with _errors(url, timeout):
            home, found = _calendar_home(run, user)
            seen = _read_server(run, home, found, _study_collections(
                study, found, home, subject_ids=subject_ids, retire=retire))
            start = _recovered(ics_state, seen, study)
            built = build_calendars(study, plan, generated_at=generated_at, state=start,
                                    all_day=all_day, subject_ids=subject_ids, retire=retire)
            lifted = _lift(start, built, state, seen, on_server_edit)
            if lifted is not None:  # a server is ahead of the files' state: build above it
                built = build_calendars(study, plan, generated_at=generated_at, state=lifted,
                                        all_day=all_day, subject_ids=subject_ids,
                                        retire=retire)
            run.built = built
            targets = _targets(study, built, home, site_calendar)
            _publish_calendars(run, home, found, targets, seen)
    finally:
        client.close()
        if not dry_run:
            if run.touched:
                write_atomic(spath, _state_bytes(state))
            if built is not None:
                _write_confirmed(ics_path, ics_state, built, run.confirmed, targets)
    return PublishResult(collections=len(targets), created=tuple(run.created),
                         written=run.written, deleted=run.deleted, unchanged=run.unchanged,
                         dry_run=dry_run, changes=tuple(run.changes),
                         problems=tuple(run.problems), notes=tuple(run.notes))


def _calendar_home(run: _Run, user: str) -> tuple[str, dict[str, tuple[str, bool]]]:
    """The user's calendar home and what it holds: remembered from an earlier publish, else
    discovered (again, when the remembered one is gone)."""
    known = run.state.server(run.server).homes.get(user)
    home = known or normalize_url(run.discover_home())
    found = run.list_home(home)
    if found is None and known:
        home = normalize_url(run.discover_home())
        found = run.list_home(home)
        if home != known:
            run.notes.append(f"the calendar home of {user} moved from {known} to {home}")
    if found is None:
        raise PublishError("the user's calendar home is missing on the server",
                           key="--url", value=home,
                           hint="check the server address and the user name")
    if not run.dry_run and known != home:  # saved with the first confirmed write
        run.state.server(run.server).homes[user] = home
    return home, found


def _study_collections(study: Study, found: Mapping[str, tuple[str, bool]], home: str, *,
                       subject_ids: Sequence[str] | None, retire: Sequence[str]) -> list[str]:
    """The URLs of the calendars in ``home`` that this study published (by their names) and
    this publish may write to: with ``--subject``, those subjects' (and the site's); else
    every one, a subject's no longer in subjects.csv included (so that it cannot vanish)."""
    subject = collection_id(study.config.name, "_").removesuffix("_")
    site = collection_id(study.config.name, "")
    wanted = None if subject_ids is None else {
        collection_id(study.config.name, sid) for sid in (*subject_ids, *retire)}
    hpath = urlsplit(home).path
    out = []
    for path, (_, is_calendar) in sorted(found.items()):
        name = path.removeprefix(hpath).strip("/")
        if not is_calendar or "/" in name:
            continue
        if name == site or name.startswith(site + "-q") or (
                name.startswith(subject) and (wanted is None or name in wanted)):
            out.append(urljoin(home, name + "/"))
    return out


def _targets(study: Study, built: EventCalendars, home: str,
             site_calendar: str) -> list[tuple[str, EventCalendar]]:
    """Each collection URL and the calendar published into it: every subject's, then the
    site's (one, four quarters, or none; see :data:`SITE_CALENDARS`)."""
    name = study.config.name
    out = []
    for cal in built.calendars:
        if cal.subject_id:
            out.append((urljoin(home, collection_id(name, cal.subject_id) + "/"), cal))
        elif site_calendar == "one":
            out.append((urljoin(home, collection_id(name, "") + "/"), cal))
        elif site_calendar == "quarters":
            for q, months in enumerate(_QUARTER_MONTHS, start=1):
                events = tuple(ev for ev in cal.events if (ev.on.month - 1) // 3 + 1 == q)
                out.append((urljoin(home, f"{collection_id(name, '')}-q{q}/"),
                            dataclasses.replace(cal, name=f"{cal.name} · Q{q} ({months})",
                                                events=events)))
    return out


@dataclass(slots=True, kw_only=True)
class _Seen:
    """What the read before writing found in one collection."""

    listing: dict[str, str]  # {href: etag}
    objects: dict[str, ServerObject] = field(default_factory=dict)  # by UID, read in full
    deleted: set[str] = field(default_factory=set)  # UIDs recorded as stored, now gone
    full: bool = False  # every object read (no record of this collection)
    listed: bool = False  # listed because its ETag moved (recorded ETag is stale)


def _read_server(run: _Run, home: str, found: Mapping[str, tuple[str, bool]],
                 ours: Sequence[str]) -> dict[str, _Seen]:
    """Read, before writing, what the records cannot vouch for (see the module)."""
    seen: dict[str, _Seen] = {}
    for curl in ours:
        path = urlsplit(curl).path
        coll = run.state.collection(run.server, curl)
        records = coll.events
        if coll.ctag and found.get(path, ("", True))[0] == coll.ctag:
            continue  # nothing changed there since our last publish: the records hold
        if not records:
            objects = run.report(curl, calendar_query())
            by_uid: dict[str, ServerObject] = {}
            for obj in objects:
                by_uid.setdefault(obj.uid, obj)
            seen[curl] = _Seen(listing={o.href: o.etag for o in objects}, objects=by_uid,
                               full=True)
            if objects:
                run.notes.append(f"{_name_of(curl)}: no record of what was published there; "
                                 f"read its {len(objects)} event(s) before writing")
        else:
            listing = run.list_objects(curl)
            expected = {_href(path, uid, r): uid for uid, r in records.items() if not r.pruned}
            fetch = [h for h, e in listing.items()
                     if h not in expected or records[expected[h]].etag != e]
            gone = {uid for h, uid in expected.items()
                    if h not in listing and records[uid].etag}
            got = {o.uid: o for o in (run.multiget(curl, fetch) if fetch else [])}
            seen[curl] = _Seen(listing=listing, objects=got, deleted=gone, listed=True)
    return seen


def _href(path: str, uid: str, rec: _Record | None) -> str:
    return rec.href if rec is not None and rec.href else path + quote(uid) + ".ics"


def _name_of(curl: str) -> str:
    return urlsplit(curl).path.rstrip("/").rsplit("/", 1)[-1]


def _recovered(ics: IcsState, seen: Mapping[str, _Seen], study: Study) -> IcsState:
    """The files' state completed from the server: a visit the server holds but the state
    does not know (the state file lost) is read back from the object, so that a visit no
    longer planned is cancelled there, with a SEQUENCE above the server's."""
    found: dict[str, PublishedEvent] = {}
    name = study.config.name
    zone = ZoneInfo(study.config.timezone)
    dosing = study.config.dosing_time or study.protocol.dosing_time
    duration = timedelta(minutes=study.protocol.dosing_duration_minutes)
    for s in seen.values():
        for uid, obj in s.objects.items():
            if uid in ics.events:
                continue
            pub = recover_event(obj, lang=study.config.language, zone=zone, dosing_time=dosing,
                                duration=duration,
                                uid_of=lambda sid, visit: event_uid(name, sid, visit))
            if pub is not None and (uid not in found or pub.sequence > found[uid].sequence):
                found[uid] = pub
    if not found:
        return ics
    return IcsState(events=dict(sorted({**ics.events, **found}.items())))


def _lift(ics: IcsState, built: EventCalendars, state: _State, seen: Mapping[str, _Seen],
          policy: str) -> IcsState | None:
    """The files' state raised to what a server holds, or None if it need not be.

    A publish killed after the server confirmed an event but before the files' state was
    written (or a files' state restored from a backup, or lost) leaves a server a SEQUENCE
    ahead of it; so does a person's edit. An event must then go out with a SEQUENCE above
    the server's, or clients ignore the change, and never below it (RFC 5546: a newer
    version has a higher SEQUENCE). An object read from the server that says what the plan
    says (DTSTAMP, SEQUENCE and LAST-MODIFIED aside) is taken as ours, as it is.
    """
    held: dict[str, _Record] = {}
    for server in state.servers.values():
        for coll in server.collections.values():
            for uid, rec in coll.events.items():
                if uid not in held or rec.sequence > held[uid].sequence:
                    held[uid] = rec
    copies: dict[str, list[ServerObject]] = {}
    for s in seen.values():
        for uid, obj in s.objects.items():
            copies.setdefault(uid, []).append(obj)
    vevents = {ev.uid: ev.vevent for cal in built.calendars for ev in cal.events
               if ev.uid in copies}
    events = dict(ics.events)
    for uid, pub in built.state.events.items():
        top = held.get(uid)
        if top is not None and (top.sequence > pub.sequence or (
                top.sequence == pub.sequence and top.digest != pub.digest)):
            pub = events[uid] = dataclasses.replace(pub, digest=top.digest,
                                                    sequence=top.sequence,
                                                    cancelled=top.cancelled)
        objs = copies.get(uid)
        if not objs:
            continue
        ours = icalendar.Event.from_ical(vevents[uid]) if uid in vevents else None
        high = max(o.sequence for o in objs)
        same = ours is not None and all(same_content(ours, o.event) for o in objs)
        if same:  # the server holds our content: take it as it is, SEQUENCE included
            before = ics.events.get(uid)
            known = before.sequence if before is not None and before.digest == pub.digest else 0
            modified = objs[0].event.get("LAST-MODIFIED")
            when = modified.dt if modified is not None and isinstance(
                getattr(modified, "dt", None), datetime) else pub.last_modified
            events[uid] = dataclasses.replace(pub, sequence=max(high, known),
                                              last_modified=when)
        elif not same and high >= pub.sequence:
            # written above the server's (policy "plan"); kept, but never below it ("server")
            digest = pub.digest if policy == "server" else "server:" + objs[0].etag
            events[uid] = dataclasses.replace(pub, digest=digest, sequence=high)
    return IcsState(events=events) if events != dict(ics.events) else None


def _publish_calendars(run: _Run, home: str, found: dict[str, tuple[str, bool]],
                       targets: Sequence[tuple[str, EventCalendar]],
                       seen: Mapping[str, _Seen]) -> None:
    """Every calendar into its collection under ``home``, then the new ETags of the
    collections written to or found in sync (for the next run)."""
    done = []
    site_uids = {ev.uid for curl, cal in targets if not cal.subject_id for ev in cal.events}
    for curl, cal in targets:
        moved = site_uids if not cal.subject_id else set()
        if run.collection(curl, cal, found, seen.get(curl), moved):
            done.append(curl)
    if run.dry_run:
        return
    after = (run.list_home(home) or {}) if run.wrote_to else {}
    for curl in done:
        path = urlsplit(curl).path
        if curl in run.wrote_to:
            ctag = after.get(path, ("", False))[0]
        elif curl in seen and path in found:  # read again and in sync: one PROPFIND next time
            ctag = found[path][0]
        else:
            continue
        coll = run.state.collection(run.server, curl)
        if coll.ctag != ctag:
            coll.ctag = ctag
            run.touched = True


def _write_confirmed(path: Path, old: IcsState, built: EventCalendars,
                     confirmed: Mapping[str, int],
                     targets: Sequence[tuple[str, EventCalendar]]) -> None:
    """Record in the files' state the events every collection holding them confirmed."""
    needed: dict[str, int] = {}
    for _, cal in targets:
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
    prune: bool
    dry_run: bool
    log: Callable[[str], None]
    state_path: Path
    day: date  # the generation date (the time zone's range when a calendar has no events)
    policy: str = "plan"
    lang: str = "en"  # the language of the dry run's lines (log)
    built: EventCalendars | None = None
    notes: list[str] = field(default_factory=list)
    changes: list[ServerChange] = field(default_factory=list)
    problems: list[PublishProblem] = field(default_factory=list)
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
        _check_status(response, home)
        props = response.expand_simple_props([dav.GetEtag()],
                                             multi_value_props=[dav.ResourceType()])
        return {_dir(href): (
                    str(p.get(dav.GetEtag.tag) or ""),
                    _CALENDAR in (p.get(dav.ResourceType.tag) or []))
                for href, p in props.items()}

    def list_objects(self, curl: str) -> dict[str, str]:
        """``{href: etag}`` of the collection's objects."""
        from caldav.elements import dav

        response = self.client.propfind(curl, props=_PROPFIND, depth=1)
        _check_status(response, curl)
        props = response.expand_simple_props([dav.GetEtag()],
                                             multi_value_props=[dav.ResourceType()])
        path = urlsplit(curl).path
        return {href: str(p.get(dav.GetEtag.tag) or "") for href, p in props.items()
                if href.rstrip("/") != path.rstrip("/")}

    def report(self, curl: str, body: str) -> list[ServerObject]:
        """The objects a REPORT on the collection returns (with their data)."""
        from caldav.elements import cdav, dav

        response = self.client.report(curl, body, depth=1)
        _check_status(response, curl)
        return parse_objects(response.expand_simple_props([dav.GetEtag(), cdav.CalendarData()]))

    def multiget(self, curl: str, hrefs: Sequence[str]) -> list[ServerObject]:
        out = []
        for i in range(0, len(hrefs), 100):
            out += self.report(curl, multiget(hrefs[i:i + 100]))
        return out

    def collection(self, curl: str, calendar: EventCalendar,
                   home: Mapping[str, tuple[str, bool]], seen: _Seen | None,
                   moved: set[str]) -> bool:
        """Publish one calendar; True when every event of it is confirmed on the server."""
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
        elif seen is not None:
            listing = seen.listing
        else:  # nothing changed there since our last publish: the recorded ETags hold
            listing = {_href(path, uid, r): r.etag for uid, r in records.items()}
        if listing is None:
            self.log(message(self.lang, "publish.log_create", url=curl, name=name))
            self.created.append(curl)
            if not self.dry_run:
                response = self.client.mkcalendar(curl, self._mkcalendar_body(name))
                if response.status not in (200, 201):
                    _check_status(response, curl)
                    raise PublishError(f"cannot create the calendar (HTTP {response.status})",
                                       key="--url", value=curl,
                                       hint="check that the user may create calendars there")
                self.touched = True
                self.wrote_to.add(curl)
                records.clear()  # a new collection holds nothing we published before
            listing = {}
        problems = len(self.problems)
        objects = seen.objects if seen is not None else {}
        deleted = seen.deleted if seen is not None else set()
        for ev in calendar.events:
            self._event(curl, calendar, ev, records, listing, objects.get(ev.uid),
                        ev.uid in deleted)
        here = {ev.uid for ev in calendar.events}
        for uid in sorted(moved & records.keys() - here):  # moved to another quarter
            rec = records[uid]
            if not rec.pruned:
                self._delete(curl, _href(path, uid, rec), uid, rec, why="moved")
            if not self.dry_run:
                del records[uid]
                self.touched = True
        self._checkpoint(force=False)
        return len(self.problems) == problems

    def _event(self, curl: str, calendar: EventCalendar, ev: CalendarEvent,
               records: dict[str, _Record], listing: Mapping[str, str],
               obj: ServerObject | None, deleted: bool) -> None:
        """Decide one event: unchanged, written, pruned, or a server's change reported."""
        pub = ev.published
        path = urlsplit(curl).path
        rec = records.get(ev.uid)
        href = obj.href if obj is not None else _href(path, ev.uid, rec)
        current = (rec is not None and rec.digest == pub.digest
                   and rec.sequence == pub.sequence)
        if obj is not None:
            self._on_server_object(curl, calendar, ev, records, obj, rec)
            return
        if deleted and rec is not None:
            keep_deleted = self.policy == "server" or (pub.cancelled and self.prune)
            self._change(curl, ev, href, "deleted on the server",
                         "left deleted" if keep_deleted else "re-created")
            if keep_deleted:
                self._forget(records, ev.uid, pub, etag="", href=rec.href, pruned=True)
                self.unchanged += 1
                return
            self._put(curl, calendar, ev, records, href, why="deleted on the server")
            return
        if current and rec is not None and rec.pruned:
            self._confirm(ev.uid)
            self.unchanged += 1
            return
        if current and rec is not None and rec.etag and listing.get(href) == rec.etag:
            if self.prune and rec.cancelled:
                self._delete(curl, href, ev.uid, rec)
                return
            self._confirm(ev.uid)
            self.unchanged += 1
            return
        self._put(curl, calendar, ev, records, href)

    def _on_server_object(self, curl: str, calendar: EventCalendar, ev: CalendarEvent,
                          records: dict[str, _Record], obj: ServerObject,
                          rec: _Record | None) -> None:
        """An object read from the server for this UID: ours as it is, or changed there."""
        pub = ev.published
        ours = icalendar.Event.from_ical(ev.vevent)
        default = urlsplit(curl).path + quote(ev.uid) + ".ics"
        own_href = "" if obj.href == default else obj.href
        if same_content(ours, obj.event) and obj.sequence == pub.sequence:
            if self.prune and pub.cancelled and rec is not None and rec.cancelled:
                self._delete(curl, obj.href, ev.uid, _Record(
                    digest=pub.digest, sequence=pub.sequence, cancelled=True, etag=obj.etag,
                    href=own_href))
                return
            self._forget(records, ev.uid, pub, etag=obj.etag, href=own_href)
            self.unchanged += 1
            return
        changed = not same_content(ours, obj.event)
        known = rec is not None or bool(own_href)  # ours before, or a client's copy of it
        if changed and known:
            what = what_changed(ours, obj.event)
            if own_href:
                what = f"stored by a client as {obj.name}; {what}"
            keep = self.policy == "server"
            self._change(curl, ev, obj.name, what,
                         "kept (--on-server-edit server)" if keep else
                         f"overwritten with the plan's version (SEQUENCE {pub.sequence})")
            if keep:
                self._forget(records, ev.uid, dataclasses.replace(
                    pub, sequence=max(pub.sequence, obj.sequence)), etag=obj.etag,
                    href=own_href)
                self.unchanged += 1
                return
        self._put(curl, calendar, ev, records, obj.href,
                  why="changed on the server" if changed else None)

    def _forget(self, records: dict[str, _Record], uid: str, pub: PublishedEvent, *,
                etag: str, href: str, pruned: bool = False) -> None:
        """Record the server's object as confirmed, without writing it."""
        self._confirm(uid)
        if self.dry_run:
            return
        new = _Record(digest=pub.digest, sequence=pub.sequence, cancelled=pub.cancelled,
                      etag=etag, pruned=pruned, href=href)
        if records.get(uid) != new:
            records[uid] = new
            self.touched = True

    def _change(self, curl: str, ev: CalendarEvent, resource: str, change: str,
                action: str) -> None:
        c = ServerChange(collection=_name_of(curl), resource=resource.rsplit("/", 1)[-1],
                         subject_id=ev.published.subject_id, visit=ev.published.visit,
                         change=change, action=action)
        self.changes.append(c)
        self.log(c.describe(self.lang))

    def _problem(self, curl: str, ev: CalendarEvent, href: str, reason: str) -> None:
        self.problems.append(PublishProblem(
            collection=_name_of(curl), resource=href.rsplit("/", 1)[-1],
            subject_id=ev.published.subject_id, visit=ev.published.visit, reason=reason))

    def _mkcalendar_body(self, name: str) -> str:
        assert self.built is not None
        events = self.built.calendars[-1].events
        first = min((ev.on for ev in events), default=self.day)
        last = max((ev.on for ev in events), default=self.day)
        vtz = vtimezone(self.built.zone, date(first.year - 1, 12, 1), date(last.year + 1, 1, 31))
        zone_cal = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cc312-schedule//EN\r\n"
                    + vtz.to_ical().decode() + "END:VCALENDAR\r\n")
        return ('<?xml version="1.0" encoding="utf-8"?>'
                '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                f"<d:set><d:prop><d:displayname>{escape(name)}</d:displayname>"
                f"<c:calendar-timezone>{escape(zone_cal)}</c:calendar-timezone>"
                '<c:supported-calendar-component-set><c:comp name="VEVENT"/>'
                "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>")

    def _put(self, curl: str, calendar: EventCalendar, ev: CalendarEvent,
             records: dict[str, _Record], href: str, *, retried: bool = False,
             why: str | None = None) -> None:
        assert self.built is not None
        if self.dry_run:
            self.written += 1
            self.log(message(self.lang, "publish.log_write", visit=self._visit_of(ev.uid),
                             why=say_error(self.lang, "publish", why or ev.change)[0], url=curl))
            return
        body = self.built.resource(ev, calendar.name).decode("utf-8")
        target = urljoin(curl, href)
        response = self.client.put(target, body,
                                   {"Content-Type": "text/calendar; charset=utf-8"})
        status = response.status
        if status in (409, 412) or (status == 403 and b"no-uid-conflict" in _raw(response)):
            # RFC 4791 5.3.2.1: the UID is held by another object of the collection (a client
            # stored our event under its own name): find it and update that one in place
            if not retried:
                held = [o for o in self.report(curl, by_uid_query(ev.uid)) if o.href != href]
                if held:
                    self._on_server_object(curl, calendar, ev, records, held[0],
                                           records.get(ev.uid) or _Record(
                                               digest="", sequence=-1, cancelled=False,
                                               etag="", href=held[0].href))
                    return
            self._problem(curl, ev, href, f"HTTP {status}: the server refused it (another "
                          "object may hold its UID, or it was changed meanwhile)")
            return
        if status >= 500:
            _check_status(response, target)
        if status not in (200, 201, 204):
            self._problem(curl, ev, href, f"HTTP {status} {getattr(response, 'reason', '')}"
                          .strip())
            return
        self.written += 1
        self.wrote_to.add(curl)
        pub = ev.published
        default = urlsplit(curl).path + quote(ev.uid) + ".ics"
        records[ev.uid] = _Record(digest=pub.digest, sequence=pub.sequence,
                                  cancelled=pub.cancelled, etag=_etag(response),
                                  href="" if href == default else href)
        self._confirm(ev.uid)
        self.touched = True
        self._checkpoint(force=False)

    def _visit_of(self, uid: str) -> str:
        """``003 W22D1 (uid)``: the subject and visit a person recognises, with the UID the
        server knows; the bare UID when the visit is not in the state (a stranger's object)."""
        pub = self.built.state.events.get(uid) if self.built is not None else None
        return f"{pub.subject_id} {pub.visit} ({uid})" if pub is not None else uid

    def _delete(self, curl: str, href: str, uid: str, rec: _Record, why: str = "cancelled"
                ) -> None:
        self.deleted += 1
        if self.dry_run:
            self.log(message(self.lang, "publish.log_delete", visit=self._visit_of(uid),
                             why=say_error(self.lang, "publish", why)[0], url=curl))
            return
        response = self.client.delete(urljoin(curl, href))
        if response.status >= 500:
            _check_status(response, urljoin(curl, href))
        self.wrote_to.add(curl)
        rec.pruned = True
        rec.etag = ""
        if why == "cancelled":
            records = self.state.collection(self.server, curl).events
            records[uid] = rec
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


def _dir(href: str) -> str:
    return href if href.endswith("/") else href + "/"


def _raw(response: Any) -> bytes:
    raw = getattr(response, "_raw", b"") or b""
    return raw if isinstance(raw, bytes) else str(raw).encode()


def _etag(response: Any) -> str:
    headers = getattr(response, "headers", None) or {}
    return str(headers.get("ETag") or headers.get("etag") or "")


def _check_status(response: Any, url: str) -> None:
    """A 5xx or a redirect answer is an error named as such (never "cannot write")."""
    status = int(getattr(response, "status", 0) or 0)
    if status >= 500:
        raise PublishError(f"the server failed (HTTP {status})", key="--url",
                           value=_safe_url(url),
                           hint="the server's own error: look at its log; the next publish "
                           "completes what this one did not")
    if 300 <= status < 400:
        raise PublishError(f"the server answered with a redirect (HTTP {status})", key="--url",
                           value=_safe_url(url),
                           hint="use the address it redirects to (often https://, or a path "
                           "ending in /)")


def _safe_url(url: str) -> str:
    """The URL without any user name or password in it (for messages and the state's keys)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path or "/", parts.query, ""))


def _named_network_error(exc: BaseException, safe: str, timeout: int) -> PublishError | None:
    """A redirect loop, a timeout, or a 5xx the HTTP library raised, named as such."""
    names = {c.__name__ for c in type(exc).__mro__}
    if "TooManyRedirects" in names:
        return PublishError("the server redirects in a loop (too many redirects)", key="--url",
                            value=safe, hint="check the address, and the server's (or its "
                            "proxy's) redirect rules")
    if any("Timeout" in n for n in names):
        return PublishError(f"the server did not answer within {timeout} s (timeout)",
                            key="--url", value=safe, hint="check that the server is up and "
                            "not overloaded; the next publish completes what this one did not")
    status = getattr(exc, "status", None)
    if "DAVError" in names and isinstance(status, int) and status >= 500:
        return PublishError(f"the server failed (HTTP {status})", key="--url", value=safe,
                            hint="the server's own error: look at its log; the next publish "
                            "completes what this one did not")
    if "RateLimitError" in names:
        return PublishError("the server is busy (HTTP 429/503, retry later)", key="--url",
                            value=safe, hint="publish again later; the next publish completes "
                            "what this one did not")
    return None


@contextlib.contextmanager
def _errors(url: str, timeout: int = 30) -> Iterator[None]:
    """Turn what the network and the server raise into one :class:`PublishError` line."""
    from caldav.lib import error

    safe = _safe_url(url)
    try:
        yield
    except ScheduleError:
        raise
    except Exception as exc:
        named = _named_network_error(exc, safe, timeout)
        if named is not None:
            raise named from None
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
