"""Issue 24: live calendars survive people's edits, clients' copies, lost state and retirements;
a site calendar that scales; the nurses' page is right about nginx, certificates and --prune.

Against Radicale and, where servers differ (a UID held by another object: Radicale answers
409, Xandikos 412; each server's REPORT), Xandikos, both started on 127.0.0.1 on a free port
and stopped by the test. vdirsyncer and khal (their own venvs, tests/setup-system.sh) read back
what a nurse's syncing client sees.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from cc312_schedule.calendars import publish as publish_module
from cc312_schedule.calendars.ics import event_uid
from cc312_schedule.calendars.publish import PUBLISH_STATE_FILE, collection_id, normalize_url
from conftest import copy_example_study
from live_support import (
    PASSWORD,
    USER,
    WRITES,
    Radicale,
    Xandikos,
    caldav_server,
    dav,
    free_port,
    publish_args,
    radicale,
    run,
    stored,
)

__all__ = ["caldav_server", "radicale"]  # fixtures, imported for pytest

pytestmark = pytest.mark.slow

NAME = "CC312 example study"
SITE = collection_id(NAME, "")
S003 = collection_id(NAME, "003")
T0, T1, T2 = "2026-11-25T08:00:00Z", "2026-11-26T08:00:00Z", "2026-11-27T08:00:00Z"
W22D1 = event_uid(NAME, "003", "W22D1")  # Mon 2026-11-30 09:00, dose 43 of subject 003
W21D4 = event_uid(NAME, "003", "W21D4")  # Thu 2026-11-26 09:00, dose 42
ONLY_003 = ("--subject", "003")
Server = Radicale | Xandikos


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return copy_example_study(tmp_path / "study")


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def publish(study: Path, server: Server, password_file: Path, *extra: str) -> tuple[int, str, str]:
    return run(*publish_args(study, server, password_file, *extra))  # type: ignore[arg-type]


def publish_ok(study: Path, server: Server, password_file: Path, *extra: str) -> str:
    code, _, err = publish(study, server, password_file, *extra)
    assert code == 0, err
    return err


def stop_003(study: Path) -> None:
    code, _, err = run("decide", str(study), "003", "stop", "--on", "2026-11-26",
                       "--investigator", "Dr. Investigator A", "--rationale", "AE",
                       "--today", "2026-11-26")
    assert code == 0, err


def base(server: Server, collection: str) -> str:
    return f"{server.url.rstrip('/')}{server.home}{collection}/"


def edit(server: Server, collection: str, uid: str, old: str, new: str) -> None:
    """A person's edit on the server: the object's text with ``old`` replaced by ``new``."""
    obj = stored(server, collection)[uid]
    text = obj.data.decode()
    assert old in text, text
    status, _, body = dav("PUT", base(server, collection) + obj.name,
                          text.replace(old, new).encode(),
                          **{"Content-Type": "text/calendar; charset=utf-8", "If-Match": obj.etag})
    assert status in (200, 201, 204), (status, body[:300])


def start_of(server: Server, collection: str, uid: str) -> str:
    return str(stored(server, collection)[uid].event["DTSTART"].to_ical().decode())


# ---- 1. one foreign object never blocks the rest -------------------------------------------


def store_under_a_clients_name(server: Server, collection: str, uid: str) -> str:
    """What some clients do: our event deleted and stored again under their own name."""
    obj = stored(server, collection)[uid]
    assert dav("DELETE", base(server, collection) + obj.name)[0] in (200, 204)
    name = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6.ics"
    status, _, body = dav("PUT", base(server, collection) + name, obj.data,
                          **{"Content-Type": "text/calendar; charset=utf-8"})
    assert status in (201, 204), (status, body[:300])
    return name


def test_a_clients_copy_under_its_own_name_is_updated_in_place(
        study: Path, caldav_server: Server, password_file: Path) -> None:
    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    name = store_under_a_clients_name(server, S003, W22D1)
    stop_003(study)  # W22D1 is cancelled: the copy must change
    err = publish_ok(study, server, password_file, "--generated-at", T1, *ONLY_003)
    assert (f"changed on the server: 003 W22D1 in {S003} ({name}): stored by a client as "
            f"{name}; ") in err
    objects = stored(server, S003)
    assert len(objects) == 57
    assert objects[W22D1].name == name  # updated in place, not stored twice
    assert str(objects[W22D1].event["STATUS"]) == "CANCELLED"
    assert objects[W22D1].event["SEQUENCE"] == 1
    assert str(stored(server, SITE)[W22D1].event["STATUS"]) == "CANCELLED"
    # and from now on the publish knows where it is: nothing more to write
    err = publish_ok(study, server, password_file, "--generated-at", T2, *ONLY_003)
    assert "wrote 0 event(s)" in err and "changed on the server" not in err


@pytest.fixture
def read_misses_new_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that does not show the client's copy (a server or a race that hides it): the
    publish only learns of it when the server refuses the PUT (Radicale 409, Xandikos 412)."""
    monkeypatch.setattr(publish_module._Run, "multiget", lambda self, curl, hrefs: [])


def test_a_refused_put_finds_the_object_holding_the_uid(
        study: Path, caldav_server: Server, password_file: Path,
        read_misses_new_objects: None) -> None:
    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    name = store_under_a_clients_name(server, S003, W22D1)
    stop_003(study)
    err = publish_ok(study, server, password_file, "--generated-at", T1, *ONLY_003)
    assert f"({name}): stored by a client as {name}" in err
    objects = stored(server, S003)
    assert len(objects) == 57 and objects[W22D1].name == name
    assert str(objects[W22D1].event["STATUS"]) == "CANCELLED"


def test_an_object_that_cannot_be_updated_is_reported_and_the_rest_finishes(
        study: Path, caldav_server: Server, password_file: Path, read_misses_new_objects: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    store_under_a_clients_name(server, S003, W22D1)
    # a server whose search by UID finds nothing: the object cannot be found, only reported
    monkeypatch.setattr(publish_module, "by_uid_query",
                        lambda uid: publish_module.calendar_query().replace(
                            '<c:comp-filter name="VEVENT"/>',
                            '<c:comp-filter name="VEVENT"><c:prop-filter name="UID">'
                            "<c:text-match>no such uid</c:text-match></c:prop-filter>"
                            "</c:comp-filter>"))
    stop_003(study)
    code, _, err = publish(study, server, password_file, "--generated-at", T1, *ONLY_003)
    assert code == 2
    status = "409" if isinstance(server, Radicale) else "412"
    assert (f"not published: 003 W22D1 in {S003} ({W22D1}.ics): HTTP {status}: the server "
            "refused it (another object may hold its UID, or it was changed meanwhile)\n") in err
    assert err.endswith("1 event(s) not published; every other one was (fix or remove the "
                        "objects named, then publish again)\n")
    # every other calendar finished: the site calendar holds the stop, W22D1 included
    site = stored(server, SITE)
    assert str(site[W22D1].event["STATUS"]) == "CANCELLED"
    assert str(site[W21D4].event["STATUS"]) == "CANCELLED"
    assert str(stored(server, S003)[W21D4].event["STATUS"]) == "CANCELLED"


# ---- 2. a person's edit is seen, not silently undone ---------------------------------------


MOVED = ("DTSTART;TZID=Asia/Shanghai:20261130T090000",
         "DTSTART;TZID=Asia/Shanghai:20261130T103000")
EDITED = "DTSTART 2026-11-30 09:00:00+08:00 → 2026-11-30 10:30:00+08:00"  # start later


@pytest.mark.parametrize(("seq_on_server", "expected_seq"), [
    (None, 1),  # the person's client kept SEQUENCE 0: ours goes above it
    ("4", 5),  # the person's client raised it to 4: ours goes above that, never below
], ids=["sequence-kept", "sequence-raised"])
def test_a_persons_edit_is_reported_and_the_plan_written_above_it(
        study: Path, caldav_server: Server, password_file: Path, seq_on_server: str | None,
        expected_seq: int) -> None:
    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    edit(server, S003, W22D1, *MOVED)
    if seq_on_server:
        edit(server, S003, W22D1, "SEQUENCE:0", f"SEQUENCE:{seq_on_server}")
    code, out, err = publish(study, server, password_file, "--generated-at", T1, *ONLY_003,
                             "--dry-run")
    assert code == 0, err
    assert (f"changed on the server: 003 W22D1 in {S003} ({W22D1}.ics): {EDITED}; "
            f"overwritten with the plan's version (SEQUENCE {expected_seq})\n") in out
    assert start_of(server, S003, W22D1) == "20261130T103000"  # the dry run wrote nothing
    err = publish_ok(study, server, password_file, "--generated-at", T1, *ONLY_003)
    assert (f"changed on the server: 003 W22D1 in {S003} ({W22D1}.ics): {EDITED}; "
            f"overwritten with the plan's version (SEQUENCE {expected_seq})\n") in err
    assert "wrote 2 event(s)" in err  # the subject's and the site's copy, the same SEQUENCE
    for collection in (S003, SITE):
        ev = stored(server, collection)[W22D1].event
        assert (ev["DTSTART"].to_ical(), ev["SEQUENCE"]) == (b"20261130T090000", expected_seq)
        assert ev["DTSTAMP"].dt == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # a new DTSTAMP
    # the files follow: the next export carries the same SEQUENCE
    code, _, _ = run("ics", str(study), "-o", str(study.parent / "ics"), "--generated-at", T1)
    files = icalendar.Calendar.from_ical((study.parent / "ics" / "subject-003.ics").read_bytes())
    assert {str(e["UID"]): e["SEQUENCE"] for e in files.walk("VEVENT")}[W22D1] == expected_seq
    err = publish_ok(study, server, password_file, "--generated-at", T2, *ONLY_003)
    assert "wrote 0 event(s)" in err and "changed on the server" not in err


def test_keeping_the_servers_version(study: Path, caldav_server: Server,
                                     password_file: Path) -> None:
    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    edit(server, S003, W22D1, *MOVED)
    err = publish_ok(study, server, password_file, "--generated-at", T1, *ONLY_003,
                     "--on-server-edit", "server")
    assert (f"changed on the server: 003 W22D1 in {S003} ({W22D1}.ics): {EDITED}; "
            "kept (--on-server-edit server)\n") in err
    assert "wrote 0 event(s)" in err
    assert start_of(server, S003, W22D1) == "20261130T103000"
    err = publish_ok(study, server, password_file, "--generated-at", T2, *ONLY_003,
                     "--on-server-edit", "server")
    assert "wrote 0 event(s)" in err and "changed on the server" not in err  # reported once
    # until the plan changes that visit: then the plan's new version goes above the server's
    stop_003(study)
    publish_ok(study, server, password_file, "--generated-at", T2, *ONLY_003,
               "--on-server-edit", "server")
    ev = stored(server, S003)[W22D1].event
    assert (str(ev["STATUS"]), ev["SEQUENCE"]) == ("CANCELLED", 1)


@pytest.mark.parametrize(("policy", "prune", "recreated"), [
    ("plan", False, True),
    ("server", False, False),
], ids=["plan-recreates", "server-leaves-deleted"])
def test_a_visit_deleted_on_the_server(study: Path, radicale: Radicale, password_file: Path,
                                       policy: str, prune: bool, recreated: bool) -> None:
    publish_ok(study, radicale, password_file, "--generated-at", T0, *ONLY_003)
    obj = stored(radicale, S003)[W22D1]
    assert dav("DELETE", base(radicale, S003) + obj.name)[0] in (200, 204)
    err = publish_ok(study, radicale, password_file, "--generated-at", T1, *ONLY_003,
                     "--on-server-edit", policy)
    action = "re-created" if recreated else "left deleted"
    assert (f"changed on the server: 003 W22D1 in {S003} ({W22D1}.ics): deleted on the "
            f"server; {action}\n") in err
    assert (W22D1 in stored(radicale, S003)) is recreated
    err = publish_ok(study, radicale, password_file, "--generated-at", T2, *ONLY_003,
                     "--on-server-edit", policy)
    assert "wrote 0 event(s)" in err and "changed on the server" not in err


def test_prune_does_not_recreate_a_cancelled_event_the_nurse_deleted(
        study: Path, radicale: Radicale, password_file: Path) -> None:
    publish_ok(study, radicale, password_file, "--generated-at", T0, *ONLY_003)
    stop_003(study)
    publish_ok(study, radicale, password_file, "--generated-at", T1, *ONLY_003)  # cancelled
    assert dav("DELETE", base(radicale, S003) + f"{W21D4}.ics")[0] in (200, 204)  # by the nurse
    radicale.requests()
    err = publish_ok(study, radicale, password_file, "--generated-at", T2, *ONLY_003,
                     "--prune")
    puts = [line for line in radicale.requests() if line.startswith("PUT")]
    assert puts == []  # never re-created, not even to be deleted on the next run
    assert f"({W21D4}.ics): deleted on the server; left deleted\n" in err
    assert W21D4 not in stored(radicale, S003)
    assert not [o for o in stored(radicale, S003).values() if o.event["STATUS"] == "CANCELLED"]


def test_two_copies_of_the_study_folder_see_each_others_writes(
        study: Path, radicale: Radicale, password_file: Path, tmp_path: Path) -> None:
    import shutil

    publish_ok(study, radicale, password_file, "--generated-at", T0, *ONLY_003)
    copy = shutil.copytree(study, tmp_path / "copy")
    stop_003(copy)  # decided in the copy only
    publish_ok(copy, radicale, password_file, "--generated-at", T1, *ONLY_003)
    err = publish_ok(study, radicale, password_file, "--generated-at", T2, *ONLY_003)
    assert f"changed on the server: 003 W21D4 in {S003} ({W21D4}.ics): " in err
    assert "STATUS CONFIRMED → CANCELLED" in err  # what the other copy did, by name
    # the plan of this copy wins, above the other's SEQUENCE
    ev = stored(radicale, S003)[W21D4].event
    assert (str(ev["STATUS"]), ev["SEQUENCE"]) == ("CONFIRMED", 2)


def test_a_syncing_client_sees_the_plans_version_again(
        study: Path, radicale: Radicale, password_file: Path, tmp_path: Path) -> None:
    """vdirsyncer uploads a nurse's edit made in khal's folder; the publish writes the plan's
    version with a higher SEQUENCE and a new DTSTAMP, so the next sync brings it back
    (written back byte-identical, vdirsyncer would keep her edit: it keeps the old fingerprint)."""
    from test_live_clients import Client

    publish_ok(study, radicale, password_file, "--generated-at", T0, *ONLY_003)
    client = Client(tmp_path / "client", f'type = "caldav"\nurl = "{radicale.url}"\n'
                    f'username = "{USER}"\npassword = "{PASSWORD}"', S003)
    client.sync()
    local = next(p for p in client.folder.glob("*.ics") if W22D1 in p.read_text(encoding="utf-8"))
    local.write_text(local.read_text(encoding="utf-8").replace(*MOVED), encoding="utf-8")
    client.sync()  # her edit goes up
    assert start_of(radicale, S003, W22D1) == "20261130T103000"
    assert client.list("2026-11-30", "2026-11-30")[0].startswith("2026-11-30 10:30|")
    err = publish_ok(study, radicale, password_file, "--generated-at", T1, *ONLY_003)
    assert f"changed on the server: 003 W22D1 in {S003}" in err
    client.sync()
    assert client.list("2026-11-30", "2026-11-30") == [
        "2026-11-30 09:00|2026-11-30 11:00|003 · Dose 43 · W22D1 · DL2|CONFIRMED"]
    assert len(client.uids()) == len(set(client.uids())) == 57


# ---- 3. retire, lost state, the address as typed -------------------------------------------


def remove_006(study: Path) -> None:
    for name in ("subjects.csv", "visits.csv", "decisions.csv"):
        path = study / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if not ln.startswith("006,")),
                        encoding="utf-8")


def test_publish_retire_cancels_the_subjects_own_calendar(
        study: Path, radicale: Radicale, password_file: Path, tmp_path: Path) -> None:
    from test_live_clients import Client

    own = collection_id(NAME, "006")
    publish_ok(study, radicale, password_file, "--generated-at", T0)
    client = Client(tmp_path / "client", f'type = "caldav"\nurl = "{radicale.url}"\n'
                    f'username = "{USER}"\npassword = "{PASSWORD}"', own)
    client.sync()  # a nurse following subject 006
    assert not [line for line in client.list("2026-01-01", "2027-12-31") if "CANCELLED" in line]
    remove_006(study)
    code, _, err = publish(study, radicale, password_file, "--generated-at", T1)
    assert code == 2 and "--retire 006" in err  # never silently
    err = publish_ok(study, radicale, password_file, "--generated-at", T1, "--retire", "006")
    assert "wrote 18 event(s)" in err
    for collection in (own, SITE):
        events = [o.event for o in stored(radicale, collection).values()
                  if "006 · " in str(o.event["SUMMARY"])]
        assert len(events) == 9, collection
        assert {(str(e["STATUS"]), e["SEQUENCE"]) for e in events} == {("CANCELLED", 1)}
    err = publish_ok(study, radicale, password_file, "--generated-at", T2)  # retired for good
    assert "wrote 0 event(s)" in err
    client.sync()  # her calendar shows every visit of 006 cancelled, none twice
    listed = client.list("2026-01-01", "2027-12-31")
    assert len(listed) == 9 and all(line.endswith("|CANCELLED") for line in listed), listed
    assert len(client.uids()) == len(set(client.uids())) == 9


@pytest.mark.parametrize("lost", [
    ("ics", "publish"), ("publish",),
], ids=["both-state-files", "publish-state-only"])
def test_with_the_state_lost_the_server_is_read_before_writing(
        study: Path, caldav_server: Server, password_file: Path, lost: tuple[str, ...],
        tmp_path: Path) -> None:
    from test_live_clients import AFTER_STOP, Client

    server = caldav_server
    publish_ok(study, server, password_file, "--generated-at", T0, *ONLY_003)
    client = None
    if isinstance(server, Radicale):  # a nurse's syncing client follows (vdirsyncer, khal)
        client = Client(tmp_path / "client", f'type = "caldav"\nurl = "{server.url}"\n'
                        f'username = "{USER}"\npassword = "{PASSWORD}"', S003)
        client.sync()
    stop_003(study)
    for which in lost:
        (study / f".cc312-{which}-state.json").unlink()
    err = publish_ok(study, server, password_file, "--generated-at", T1, *ONLY_003)
    assert f"note: {S003}: no record of what was published there; read its 57 event(s)" in err
    if client is not None:
        client.sync()
        assert client.list("2026-11-26", "2026-12-01") == AFTER_STOP
    # 7 doses cancelled, EOT and FU1-FU3 moved: in both calendars, nothing else written
    assert "wrote 22 event(s)" in err
    objects = stored(server, S003)
    assert len(objects) == 57
    cancelled = {o.event["SUMMARY"]: o.event["SEQUENCE"] for o in objects.values()
                 if str(o.event["STATUS"]) == "CANCELLED"}
    assert len(cancelled) == 7 and set(cancelled.values()) == {1}
    assert cancelled["CANCELLED: 003 · Dose 42 · W21D4 · DL2"] == 1
    # lost again: what the server holds is taken as is, SEQUENCE never back to 0
    for which in lost:
        (study / f".cc312-{which}-state.json").unlink()
    err = publish_ok(study, server, password_file, "--generated-at", T2, *ONLY_003)
    assert "wrote 0 event(s)" in err
    assert stored(server, S003)[W21D4].event["SEQUENCE"] == 1


@pytest.mark.parametrize(("typed", "same_server"), [
    ("http://127.0.0.1:{port}", True),
    ("HTTP://127.0.0.1:{port}//nurse", True),
    ("http://127.0.0.1:{port}/nurse/", True),
    ("http://localhost:{port}/", False),
], ids=["no-slash", "scheme-case-and-double-slash", "home-path", "localhost"])
def test_the_address_is_normalised(study: Path, radicale: Radicale, password_file: Path,
                                   typed: str, same_server: bool) -> None:
    publish_ok(study, radicale, password_file, "--generated-at", T0, "--subject", "006")
    radicale.requests()
    argv = publish_args(study, radicale, password_file, "--generated-at", T1, "--subject", "006")
    argv[argv.index("--url") + 1] = typed.format(port=radicale.port)
    code, _, err = run(*argv)
    assert code == 0, err
    assert not WRITES & {line.split()[0] for line in radicale.requests()}
    assert "wrote 0 event(s), deleted 0, 18 unchanged" in err
    note = (f"note: first publish to http://localhost:{radicale.port} (earlier publishes went "
            f"to http://127.0.0.1:{radicale.port}): its calendars are read before writing")
    assert (note in err) is not same_server


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:5232", "http://127.0.0.1:5232/"),
    ("HTTPS://Dav.Example.ORG:443//cal//", "https://dav.example.org/cal/"),
    ("http://u:p@localhost:80/x", "http://localhost/x/"),
    ("http://localhost:8080/x?y#z", "http://localhost:8080/x/"),
], ids=["trailing-slash", "case-port-slashes", "credentials-default-port", "query"])
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_back_to_one_propfind_once_in_sync_after_an_interrupted_publish(
        study: Path, radicale: Radicale, password_file: Path) -> None:
    import json

    publish_ok(study, radicale, password_file, "--generated-at", T0, *ONLY_003)
    state = study / PUBLISH_STATE_FILE
    data = json.loads(state.read_text(encoding="utf-8"))
    for server in data["servers"].values():  # killed before it recorded the calendars' ETags
        for coll in server["collections"].values():
            coll["ctag"] = ""
    state.write_text(json.dumps(data), encoding="utf-8")
    radicale.requests()
    publish_ok(study, radicale, password_file, "--generated-at", T1, *ONLY_003)
    assert sorted(radicale.requests()) == sorted([
        "PROPFIND /nurse/", f"PROPFIND /nurse/{S003}/", f"PROPFIND /nurse/{SITE}/"])
    publish_ok(study, radicale, password_file, "--generated-at", T1, *ONLY_003)
    assert radicale.requests() == ["PROPFIND /nurse/"]


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    mode = "redirect"

    def _answer(self) -> None:
        if self.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.mode == "5xx":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:  # never answers in time
            time.sleep(3)

    do_GET = do_PROPFIND = do_REPORT = do_PUT = do_OPTIONS = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def misbehaving(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_Misbehaving,), {"mode": request.param})
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(("misbehaving", "expected"), [
    ("redirect", "error: --url: the server redirects in a loop (too many redirects): '{url}' "
                 "(check the address, and the server's (or its proxy's) redirect rules)"),
    ("5xx", "error: --url: the server failed (HTTP 500): '{url}' (the server's own error: look "
            "at its log; the next publish completes what this one did not)"),
], ids=["redirect-loop", "5xx"], indirect=["misbehaving"])
def test_a_misbehaving_server_is_named(study: Path, password_file: Path, misbehaving: str,
                                       expected: str) -> None:
    code, out, err = run("publish", str(study), "--url", misbehaving, "--user", USER,
                         "--password-file", str(password_file), "--generated-at", T0)
    assert (code, out) == (2, "")
    assert err.startswith(expected.format(url=misbehaving)), err
    assert not (study / PUBLISH_STATE_FILE).exists()


@pytest.mark.parametrize("misbehaving", ["timeout"], indirect=True)
def test_a_server_that_does_not_answer_is_a_timeout(study: Path, misbehaving: str) -> None:
    from cc312_schedule import load_study, plan_study
    from cc312_schedule.calendars.publish import PublishError, publish

    s = load_study(study)
    with pytest.raises(PublishError) as caught:
        publish(s, plan_study(s), url=misbehaving, user=USER, password=PASSWORD,
                generated_at=datetime(2026, 11, 25, 8, tzinfo=UTC), timeout=1)
    assert str(caught.value).startswith(
        f"--url: the server did not answer within 1 s (timeout): '{misbehaving}'")


# ---- 4. a site calendar that scales ----------------------------------------------------------


def test_the_site_calendar_by_quarter(study: Path, radicale: Radicale,
                                      password_file: Path) -> None:
    err = publish_ok(study, radicale, password_file, "--generated-at", T0,
                     "--site-calendar", "quarters")
    assert "10 calendar(s), 10 created; wrote 324 event(s)" in err
    quarters = {q: stored(radicale, f"{SITE}-q{q}") for q in (1, 2, 3, 4)}
    assert sum(len(objs) for objs in quarters.values()) == 162  # every visit once
    assert not (radicale.storage / "collection-root" / USER / SITE).exists()
    for q, objs in quarters.items():
        months = {o.event["DTSTART"].dt.month for o in objs.values()}
        assert months <= {3 * q - 2, 3 * q - 1, 3 * q}, (q, months)
    assert W22D1 in quarters[4]
    # a visit moved into another quarter leaves the old one: 003's EOT moves from 2027 Q1?
    # (the stop moves EOT and follow-ups to earlier dates; each is in exactly one quarter)
    stop_003(study)
    publish_ok(study, radicale, password_file, "--generated-at", T1, "--site-calendar", "quarters")
    where = [q for q in (1, 2, 3, 4)
             if event_uid(NAME, "003", "FU3") in stored(radicale, f"{SITE}-q{q}")]
    assert len(where) == 1
    total = sum(len(stored(radicale, f"{SITE}-q{q}")) for q in (1, 2, 3, 4))
    assert total == 162


def test_no_site_calendar(study: Path, radicale: Radicale, password_file: Path) -> None:
    err = publish_ok(study, radicale, password_file, "--generated-at", T0,
                     "--site-calendar", "none")
    assert "6 calendar(s), 6 created; wrote 162 event(s)" in err
    assert not (radicale.storage / "collection-root" / USER / SITE).exists()
    # the files' state still follows the subjects' calendars (each event is in one collection)
    assert (study / ".cc312-ics-state.json").exists()


# ---- 5. a cancelled dose keeps its time --------------------------------------------------------


def test_a_cancelled_dose_after_a_review_keeps_its_1100(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "ics"
    assert run("ics", str(study), "-o", str(out), "--generated-at", "2026-11-20T08:00:00Z")[0] == 0
    code, _, err = run("decide", str(study), "003", "stop", "--on", "2026-11-23",
                       "--investigator", "Dr. Investigator A", "--rationale", "AE",
                       "--today", "2026-11-23")
    assert code == 0, err
    assert run("ics", str(study), "-o", str(out), "--generated-at", "2026-11-24T08:00:00Z")[0] == 0
    cal = icalendar.Calendar.from_ical((out / "subject-003.ics").read_bytes())
    ev = {str(e["UID"]): e for e in cal.walk("VEVENT")}[event_uid(NAME, "003", "W21D1")]
    assert str(ev["SUMMARY"]) == "CANCELLED: 003 · Dose 41 · W21D1 · DL2"
    assert ev["DTSTART"].to_ical() == b"20261123T110000"  # after REV-W20 at 09:00, as before
    assert ev["DTEND"].to_ical() == b"20261123T130000"


# ---- 5. HTTPS with the site's own certificate authority ----------------------------------------


def make_site_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA and a certificate for 127.0.0.1 signed by it (openssl): (CA, cert, key)."""
    import subprocess

    from conftest import require_program

    openssl = require_program("openssl", what="openssl (makes the test's certificates)")
    folder.mkdir()

    def ssl(*args: str) -> None:
        done = subprocess.run([openssl, *args], cwd=folder, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=CC312 test site CA")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.mark.parametrize(("variable", "trusted"), [
    ("REQUESTS_CA_BUNDLE", True),
    ("SSL_CERT_FILE", False),  # not read by the HTTP library under caldav
    (None, False),
], ids=["requests-ca-bundle", "ssl-cert-file", "nothing"])
def test_a_site_ca_is_trusted_through_requests_ca_bundle(
        study: Path, tmp_path: Path, password_file: Path, variable: str | None,
        trusted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = make_site_ca(tmp_path / "tls")
    server = Radicale(tmp_path / "radicale")
    server.config.write_text(server.config.read_text(encoding="utf-8").replace(
        "[auth]", f"ssl = True\ncertificate = {cert}\nkey = {key}\n[auth]"), encoding="utf-8")
    server.url = server.url.replace("http://", "https://")
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    server.start()
    try:
        env = {variable: str(ca)} if variable else {}
        code, _, err = run(*publish_args(study, server, password_file, "--generated-at", T0,
                                         "--subject", "006"), env=env)
    finally:
        server.stop()
    if trusted:
        assert code == 0, err
        assert "wrote 18 event(s)" in err
    else:
        assert code == 2
        assert err.startswith("error: --url: TLS failure: the server's certificate or TLS "
                              "setup was refused"), err


# ---- recovering a lost record from the server's object ----------------------------------------


@pytest.mark.parametrize("example", ["example-study", "example-study-zh"], ids=["en", "zh-CN"])
def test_every_published_event_is_recovered_from_its_object(example: str, tmp_path: Path) -> None:
    """What a lost state is rebuilt from: each event of the export, read back, gives the
    record the state file holds (subject, visit, kind, dose number, cohort, dose level, date,
    time slot, SEQUENCE, cancelled), in either language."""
    import dataclasses
    import json
    import shutil
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from cc312_schedule import load_study
    from cc312_schedule.calendars.icsstate import load_ics_state
    from cc312_schedule.calendars.serverview import ServerObject, recover_event

    root = Path(__file__).resolve().parent.parent / "templates" / example
    study_dir = shutil.copytree(root, tmp_path / "study", ignore=shutil.ignore_patterns(".cc312-*"))
    out = tmp_path / "ics"
    assert run("ics", str(study_dir), "-o", str(out), "--generated-at", T0)[0] == 0
    stop = ["decide", str(study_dir), "003", "stop", "--on", "2026-11-23", "--investigator",
            "Dr. A", "--rationale", "AE", "--today", "2026-11-23"]
    assert run(*stop)[0] == 0  # cancelled events too, one of them at 11:00 (slot 1)
    assert run("ics", str(study_dir), "-o", str(out), "--generated-at", T1)[0] == 0
    study = load_study(study_dir)
    state = load_ics_state(study_dir / ".cc312-ics-state.json").events
    cal = icalendar.Calendar.from_ical((out / "site.ics").read_bytes())
    name = study.config.name
    recovered = {}
    for ev in cal.walk("VEVENT"):
        obj = ServerObject(href=f"/x/{ev['UID']}.ics", etag='"e"', uid=str(ev["UID"]),
                           sequence=int(ev["SEQUENCE"]), event=ev)
        pub = recover_event(obj, lang=study.config.language, zone=ZoneInfo(study.config.timezone),
                            dosing_time=study.config.dosing_time or study.protocol.dosing_time,
                            duration=timedelta(minutes=study.protocol.dosing_duration_minutes),
                            uid_of=lambda sid, visit: event_uid(name, sid, visit))
        assert pub is not None, ev["SUMMARY"]
        recovered[obj.uid] = pub
    assert recovered.keys() == state.keys()
    for uid, pub in recovered.items():
        expected = dataclasses.replace(state[uid], digest=pub.digest,
                                       last_modified=pub.last_modified)
        assert pub == expected, json.dumps([str(pub), str(expected)])
    assert {p.slot for p in recovered.values()} == {0, 1}
    assert any(p.cancelled for p in recovered.values())
    # someone else's event, or ours with a forged UID, is not taken for ours
    ev = next(iter(cal.walk("VEVENT")))
    forged = ServerObject(href="/x/y.ics", etag="", uid="not-ours", sequence=0, event=ev)
    assert recover_event(forged, lang=study.config.language, zone=None,
                         dosing_time=study.protocol.dosing_time, duration=timedelta(hours=2),
                         uid_of=lambda sid, visit: event_uid(name, sid, visit)) is None
