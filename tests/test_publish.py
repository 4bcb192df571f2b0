"""``publish`` against a real CalDAV server (Radicale, started by the test on 127.0.0.1).

The example study (6 subjects, 162 events): one collection per subject and one for the site.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import icalendar
import pytest

from cc312_schedule.calendars.publish import PUBLISH_STATE_FILE, collection_id
from conftest import copy_example_study
from live_support import (
    PASSWORD,
    USER,
    WRITES,
    Radicale,
    publish_args,
    published,
    published_snapshot,
    radicale,
    run,
)

__all__ = ["published", "published_snapshot", "radicale"]  # fixtures, imported for pytest

pytestmark = pytest.mark.slow

NAME = "CC312 example study"
SITE = collection_id(NAME, "")
S003 = collection_id(NAME, "003")
T0 = "2026-11-25T08:00:00Z"
T1 = "2026-11-26T08:00:00Z"
EVENTS = {"001": 33, "002": 19, "003": 57, "004": 28, "005": 16, "006": 9}
STOP_003 = ["decide", "", "003", "stop", "--on", "2026-11-26", "--investigator",
            "Dr. Investigator A", "--rationale", "AE", "--today", "2026-11-26"]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return copy_example_study(tmp_path / "study")


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def stop_003(study: Path) -> None:
    argv = list(STOP_003)
    argv[1] = str(study)
    code, _, err = run(*argv)
    assert code == 0, err


def publish_ok(study: Path, server: Radicale, password_file: Path, *extra: str) -> str:
    code, _, err = run(*publish_args(study, server, password_file, *extra))
    assert code == 0, err
    return err


def uid_counts(server: Radicale, collection: str) -> Counter[str]:
    return Counter(str(ev["UID"]) for ev in server.objects(collection).values())


def etags(server: Radicale, collection: str) -> dict[str, str]:
    """{href: ETag} as the server reports them (a PROPFIND of the collection)."""
    import re

    import niquests

    r = niquests.request("PROPFIND", f"{server.url}{USER}/{collection}/",
                         headers={"Depth": "1"}, auth=(USER, PASSWORD), timeout=30,
                         data='<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/>'
                         "</prop></propfind>")
    assert r.status_code == 207
    pairs = re.findall(r"<href>([^<]+\.ics)</href>.*?<getetag>([^<]+)</getetag>", r.text or "")
    assert pairs
    return dict(pairs)


def exported(study: Path, out: Path, at: str) -> dict[str, icalendar.Event]:
    """The ics export's events (the files the nurse would import), by UID."""
    code, _, err = run("ics", str(study), "-o", str(out), "--generated-at", at)
    assert code == 0, err
    cal = icalendar.Calendar.from_ical((out / "site.ics").read_bytes())
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


def test_first_publish_creates_one_calendar_per_subject_and_the_site(
        study: Path, radicale: Radicale, password_file: Path) -> None:
    err = publish_ok(study, radicale, password_file, "--generated-at", T0)
    assert err == (f"{radicale.url}: 7 calendar(s), 7 created; wrote 324 event(s), deleted 0, "
                   "0 unchanged\n")
    for sid, n in EVENTS.items():
        counts = uid_counts(radicale, collection_id(NAME, sid))
        assert len(counts) == n and set(counts.values()) == {1}
    assert len(uid_counts(radicale, SITE)) == sum(EVENTS.values())
    props = (radicale.collection(S003) / ".Radicale.props").read_text(encoding="utf-8")
    meta = json.loads(props)
    assert meta["D:displayname"] == "CC312 example study · subject 003 (cohort 2, DL2)"
    assert meta["tag"] == "VCALENDAR"
    assert "TZID:Asia/Shanghai" in meta["C:calendar-timezone"]


def test_objects_are_the_exports_events(published: tuple[Path, Radicale],
                                        tmp_path: Path) -> None:
    study, radicale = published
    files = exported(study, tmp_path / "ics", T0)
    served = {str(ev["UID"]): ev for ev in radicale.objects(SITE).values()}
    assert served.keys() == files.keys()
    for uid, ev in served.items():
        assert ev.to_ical() == files[uid].to_ical(), uid  # the same bytes, SEQUENCE included
    objects = radicale.objects(S003)
    assert all(name == f"{ev['UID']}.ics" for name, ev in objects.items())
    raw = next(iter(radicale.collection(S003).glob("*.ics"))).read_text(encoding="utf-8")
    assert "METHOD:" not in raw  # RFC 4791 4.1: no METHOD in a calendar object resource
    assert "BEGIN:VTIMEZONE" in raw


def test_second_publish_writes_nothing(published: tuple[Path, Radicale],
                                       password_file: Path) -> None:
    study, radicale = published
    # the stored objects' modification times: a write would change them (and their ETags)
    stamps = {p.name: p.stat().st_mtime_ns for p in radicale.collection(SITE).glob("*.ics")}
    before = etags(radicale, SITE)
    state = (study / PUBLISH_STATE_FILE).read_bytes()
    radicale.requests()
    err = publish_ok(study, radicale, password_file, "--generated-at", T1)
    assert err.endswith("wrote 0 event(s), deleted 0, 324 unchanged\n")
    lines = radicale.requests()
    methods = [line.split()[0] for line in lines]
    assert not WRITES & set(methods), methods
    # one PROPFIND of the calendar home; no calendar changed since, none is listed
    assert lines == ["PROPFIND /nurse/"]
    assert {p.name: p.stat().st_mtime_ns for p in radicale.collection(SITE).glob("*.ics")} == stamps
    assert (study / PUBLISH_STATE_FILE).read_bytes() == state
    assert len(before) == 162 and etags(radicale, SITE) == before


def test_a_stop_updates_in_place_with_the_exports_sequence(
        published: tuple[Path, Radicale], password_file: Path, tmp_path: Path) -> None:
    study, radicale = published
    stop_003(study)
    radicale.requests()
    err = publish_ok(study, radicale, password_file, "--generated-at", T1)
    # W21D4 .. W24D4 (7 doses) cancelled, EOT and FU1-FU3 moved: 11 events, in 2 collections each
    puts = [line for line in radicale.requests() if line.startswith("PUT")]
    assert len(puts) == 2 * 11, puts
    assert err.endswith("wrote 22 event(s), deleted 0, 302 unchanged\n")
    counts = uid_counts(radicale, S003)
    assert len(counts) == 57 and set(counts.values()) == {1}
    by_summary = {str(ev["SUMMARY"]): ev for ev in radicale.objects(S003).values()}
    ev = by_summary["CANCELLED: 003 · Dose 42 · W21D4 · DL2"]
    assert (str(ev["STATUS"]), ev["SEQUENCE"], ev.walk("VALARM")) == ("CANCELLED", 1, [])
    files = exported(study, tmp_path / "ics", T1)
    for obj in radicale.objects(S003).values():
        uid = str(obj["UID"])
        assert obj["SEQUENCE"] == files[uid]["SEQUENCE"], uid  # not bumped again by caldav
        assert obj["STATUS"] == files[uid]["STATUS"]


def test_prune_deletes_what_an_earlier_publish_cancelled(
        published: tuple[Path, Radicale], password_file: Path) -> None:
    study, radicale = published
    stop_003(study)
    # the publish that cancels them does not prune them: clients must first see them cancelled
    publish_ok(study, radicale, password_file, "--generated-at", T1, "--prune")
    assert len(uid_counts(radicale, S003)) == 57
    radicale.requests()
    err = publish_ok(study, radicale, password_file, "--generated-at", T1, "--prune")
    assert err.endswith("wrote 0 event(s), deleted 14, 310 unchanged\n")
    assert sum(1 for line in radicale.requests() if line.startswith("DELETE")) == 14
    summaries = [str(ev["SUMMARY"]) for ev in radicale.objects(S003).values()]
    assert len(summaries) == 50 and not [s for s in summaries if s.startswith("CANCELLED")]
    # later publishes leave them deleted (without --prune too)
    err = publish_ok(study, radicale, password_file, "--generated-at", T1)
    assert err.endswith("wrote 0 event(s), deleted 0, 324 unchanged\n")
    assert len(uid_counts(radicale, S003)) == 50


def test_dry_run_writes_nothing(published: tuple[Path, Radicale], password_file: Path) -> None:
    study, radicale = published
    stop_003(study)
    before = {p: p.read_bytes() for p in study.glob(".cc312-*state.json")}
    radicale.requests()
    code, out, err = run(*publish_args(study, radicale, password_file, "--generated-at", T1,
                                       "--dry-run"))
    assert code == 0, err
    assert err.startswith("dry run: ") and "would write 22 event(s)" in err
    assert out.count("would write ") == 22
    # each line names the subject and the visit a nurse knows (issue 22), then the UID
    writes = [line for line in out.splitlines() if line.startswith("would write ")]
    assert writes[0].startswith("would write 003 W"), writes[0]
    assert all(line.split()[2].startswith("003") for line in writes), writes
    assert not WRITES & {line.split()[0] for line in radicale.requests()}
    assert {p: p.read_bytes() for p in study.glob(".cc312-*state.json")} == before


def test_an_interrupted_publish_completes_without_duplicates(
        study: Path, radicale: Radicale, password_file: Path, tmp_path: Path) -> None:
    radicale.stop()
    radicale.start(die_after=60)  # dies in the middle of the publish's 121 requests
    only_003 = ("--generated-at", T0, "--subject", "003")
    code, _, err = run(*publish_args(study, radicale, password_file, *only_003))
    assert code == 2
    assert err.startswith("error: --url: cannot reach the server") or \
        err.startswith("error: --url: the server refused a request"), err
    assert len(err.splitlines()) == 1
    radicale.stop()
    stored = sum(len(list(radicale.collection(c).glob("*.ics"))) for c in [SITE, S003])
    assert 0 < stored < 2 * 57
    radicale.start()
    publish_ok(study, radicale, password_file, *only_003)
    for collection in (S003, SITE):
        counts = uid_counts(radicale, collection)
        assert len(counts) == 57 and set(counts.values()) == {1}, collection
    files = exported(study, tmp_path / "ics", T0)
    assert {str(ev["UID"]): ev["SEQUENCE"] for ev in radicale.objects(SITE).values()} == \
        {uid: ev["SEQUENCE"] for uid, ev in files.items() if uid in uid_counts(radicale, SITE)}
    radicale.requests()
    publish_ok(study, radicale, password_file, "--generated-at", T1, "--subject", "003")
    assert not WRITES & {line.split()[0] for line in radicale.requests()}


def test_server_holds_each_uid_once_when_its_state_was_lost(
        published: tuple[Path, Radicale], password_file: Path) -> None:
    study, radicale = published
    (study / PUBLISH_STATE_FILE).unlink()  # killed before it could record anything
    err = publish_ok(study, radicale, password_file, "--generated-at", T0, "--subject", "006")
    # the server is read before writing: what it holds is what the plan says, nothing written
    assert "wrote 0 event(s), deleted 0, 18 unchanged\n" in err
    assert ("note: cc312-example-study-subject-006: no record of what was published there; "
            "read its 9 event(s) before writing\n") in err
    assert set(uid_counts(radicale, SITE).values()) == {1}
    assert len(uid_counts(radicale, SITE)) == 162
    assert len(uid_counts(radicale, collection_id(NAME, "006"))) == 9


@pytest.mark.parametrize(("how", "expected"), [
    ("wrong-password", "error: --user: the server refused the user name or password "
                       "(HTTP 401/403): '{url}' (check --user and the password "
                       "(--password-file or CC312_CALDAV_PASSWORD))"),
    ("unreachable", "error: --url: cannot reach the server: 'http://127.0.0.1:{closed}/' "
                    "(check the address and the network; the next publish completes what this "
                    "one did not)"),
    ("tls", "error: --url: TLS failure: the server's certificate or TLS setup was refused: "
            "'https://127.0.0.1:{port}/' (check the https:// address and the server's "
            "certificate (a self-signed certificate must be trusted by this computer))"),
    ("not-a-calendar", "error: --url: exists on the server but is not a calendar collection: "
                       "'{url}nurse/cc312-example-study-subject-001/' (rename or remove that "
                       "collection, or publish as another user)"),
], ids=["wrong-password", "unreachable", "tls", "not-a-calendar"])
def test_errors_are_one_line_exit_2_and_nothing_recorded(
        study: Path, radicale: Radicale, password_file: Path, tmp_path: Path, how: str,
        expected: str) -> None:
    from live_support import free_port

    closed = free_port()
    url = radicale.url
    if how == "wrong-password":
        password_file.write_text("not the password\n", encoding="utf-8")
    elif how == "unreachable":
        url = f"http://127.0.0.1:{closed}/"
    elif how == "tls":
        url = url.replace("http://", "https://")
    else:
        import niquests

        body = ('<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" '
                'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype>'
                "<d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>")
        r = niquests.request("MKCOL", f"{url}nurse/cc312-example-study-subject-001/",
                             data=body, auth=(USER, PASSWORD), timeout=10)  # an address book
        assert r.status_code == 201
    argv = publish_args(study, radicale, password_file, "--generated-at", T0)
    argv[argv.index("--url") + 1] = url
    code, out, err = run(*argv)
    assert code == 2
    assert err == expected.format(url=radicale.url, closed=closed, port=radicale.port) + "\n"
    assert out == ""
    assert not (study / PUBLISH_STATE_FILE).exists()
    assert not (study / ".cc312-ics-state.json").exists()
    assert PASSWORD not in err


def test_the_password_is_never_printed_or_stored(study: Path, radicale: Radicale,
                                                 password_file: Path) -> None:
    code, out, err = run("publish", str(study), "--url", radicale.url, "--user", USER,
                         "--generated-at", T0, "--subject", "006",
                         env={"CC312_CALDAV_PASSWORD": PASSWORD})
    assert code == 0, err
    stored = b"".join(p.read_bytes() for p in study.glob(".cc312-*"))
    assert PASSWORD.encode() not in stored and PASSWORD not in out + err
    state = json.loads((study / PUBLISH_STATE_FILE).read_text(encoding="utf-8"))
    assert list(state["servers"]) == [radicale.url.rstrip("/")]  # the server: scheme, host, port


@pytest.mark.parametrize(("argv", "expected"), [
    (["--password-file", "missing.txt"],
     "error: --password-file: cannot read the password file: No such file or directory: "
     "'missing.txt' (a file holding the password on its first line)"),
    ([], "error: --password-file: no password given (pass --password-file FILE or set "
         "CC312_CALDAV_PASSWORD)"),
], ids=["missing-file", "no-password"])
def test_password_arguments(study: Path, argv: list[str], expected: str,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC312_CALDAV_PASSWORD", raising=False)
    code, _, err = run("publish", str(study), "--url", "http://127.0.0.1:9/", "--user", USER,
                       *argv)
    assert (code, err) == (2, expected + "\n")



def test_a_server_ahead_of_the_files_state_gets_a_higher_sequence(
        published: tuple[Path, Radicale], password_file: Path) -> None:
    """Killed after the server confirmed, before the files' state was written: the next
    change still goes out above what the server holds (or clients would ignore it)."""
    study, radicale = published
    ics_state = study / ".cc312-ics-state.json"
    before = ics_state.read_bytes()
    stop_003(study)
    publish_ok(study, radicale, password_file, "--generated-at", T1)  # EOT moved: SEQUENCE 1
    ics_state.write_bytes(before)  # the files' state as if that write had been lost
    code, _, err = run("record", str(study), "003", "EOT", "--done", "2026-11-30",
                       "--today", "2026-11-30")
    assert code == 0, err
    radicale.requests()
    publish_ok(study, radicale, password_file, "--generated-at", "2026-11-30T08:00:00Z")
    puts = [line for line in radicale.requests() if line.startswith("PUT")]
    assert len(puts) == 2  # EOT, in its subject's calendar and the site's; nothing else
    by_summary = {str(ev["SUMMARY"]): ev for ev in radicale.objects(S003).values()}
    assert by_summary["DONE: 003 · EOT end-of-treatment visit · DL2"]["SEQUENCE"] == 2
    assert by_summary["CANCELLED: 003 · Dose 42 · W21D4 · DL2"]["SEQUENCE"] == 1
