"""The benchmark: one command, one table (a benchmark, not a timed test).

    .venv/bin/python benchmarks/run.py            # 100, 1,000 and 10,000 subjects (~20 min)
    .venv/bin/python benchmarks/run.py --quick    # 100 and 1,000 subjects (~2 min)

For each size it generates (once, cached in the temp folder) a seeded synthetic study
(``benchmarks/synthetic.py``) and runs every step in a fresh process, so each step's peak
memory (``ru_maxrss``) is its own:

* ``plan``: load the study, plan it (the engine: time per planned event, events/s), CSV;
* ``ics``: our exporter (``write_ics``) against ``ics-base``, a baseline that builds and
  serializes exactly the same events directly with icalendar (same properties, alarms and
  VTIMEZONE, one ``Calendar.to_ical()`` per file); both write the same files, and their
  ``.ics`` bytes are compared;
* ``xlsx``: our workbook (``write_xlsx``, XlsxWriter in constant-memory mode) against
  ``xlsx-base``: the same cells with the same styles and sheet settings written with
  openpyxl's write-only mode (read back from our file and streamed, the reading subtracted);
* ``import``: the workbook read back (``import_workbook``, a dry run) for 1,000 subjects;

then the CLI's start-up (median of several runs) against ``python -c pass``, and how each
cost grows from the smallest size to the largest. ``--output FILE`` also writes the report.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = date(2026, 11, 25)
GENERATED_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
SIZES, QUICK_SIZES = (100, 1_000, 10_000), (100, 1_000)
IMPORT_SIZE = 1_000
STEPS = ("plan", "ics", "ics-base", "xlsx", "xlsx-base")

# ---------------------------------------------------------------------------------------
# the steps, each run in its own process: ``run.py --step NAME --study DIR --work DIR``


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _load_and_plan(study_dir: str) -> tuple[Any, Any]:
    from cc312_schedule import load_study, plan_study

    study = load_study(study_dir)
    return study, plan_study(study, today=TODAY)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.glob("*.ics")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def step_plan(study_dir: str, work: Path) -> dict[str, Any]:
    from cc312_schedule import load_study, plan_study
    from cc312_schedule.reports.render import to_csv

    t0 = time.perf_counter()
    study = load_study(study_dir)
    t1 = time.perf_counter()
    plan = plan_study(study, today=TODAY)
    t2 = time.perf_counter()
    text = to_csv(plan)
    t3 = time.perf_counter()
    return {"load": t1 - t0, "plan": t2 - t1, "csv": t3 - t2, "events": len(plan.events),
            "subjects": len(plan.subjects), "csv_bytes": len(text)}


def step_ics(study_dir: str, work: Path) -> dict[str, Any]:
    from cc312_schedule.calendars.ics import write_ics

    study, plan = _load_and_plan(study_dir)
    before = _rss_mb()
    out = work / "ics-ours"
    shutil.rmtree(out, ignore_errors=True)
    (work / "ics-state.json").unlink(missing_ok=True)  # a first export: every event new
    t0 = time.perf_counter()
    written = write_ics(study, plan, out, generated_at=GENERATED_AT,
                        state_path=work / "ics-state.json")
    t1 = time.perf_counter()
    return {"time": t1 - t0, "files": len(written.paths), "rss_before": before,
            "digest": _digest(out)}


def step_ics_base(study_dir: str, work: Path) -> dict[str, Any]:
    """The floor: the same events, built and serialized directly with icalendar."""
    import icalendar

    # Untimed set-up: every event's content as plain values (uid, times, texts, alarms), from
    # the exporter's public calendar_contents, and the zone's transitions.
    from cc312_schedule.calendars import ics
    from cc312_schedule.core.messages import message

    study, plan = _load_and_plan(study_dir)
    contents = ics.calendar_contents(study, plan, generated_at=GENERATED_AT)
    subjects = [(sid, name, list(data)) for sid, name, data in contents.subjects]
    site_name, tz, lang = contents.site_name, contents.tz, contents.lang

    def span(data: list[Any]) -> tuple[date, date]:
        first, last = min(d.on for d in data), max(d.on for d in data)
        return date(first.year - 1, 12, 1), date(last.year + 1, 1, 31)

    zones = {span(data): ics.zone_transitions(tz, *span(data)) for _, _, data in subjects}
    everything = sorted((d for _, _, data in subjects for d in data), key=lambda d: (d.on, d.uid))
    zones[span(everything)] = ics.zone_transitions(tz, *span(everything))
    stamp = contents.stamp
    out = work / "ics-base"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    def event(d: Any) -> icalendar.Event:
        ev = icalendar.Event()
        ev.add("uid", d.uid)
        ev.add("dtstart", d.start)
        ev.add("dtend", d.end)
        ev.add("summary", d.summary)
        ev.add("description", d.description)
        if d.location:
            ev.add("location", d.location)
        ev.add("status", d.status)
        ev.add("transp", "OPAQUE")
        ev.add("class", "PRIVATE")
        for trigger, text in d.alarms:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", trigger)
            alarm.add("description", text)
            ev.add_component(alarm)
        ev.add("dtstamp", stamp)
        ev.add("last-modified", stamp)
        ev.add("sequence", 0)
        return ev

    def calendar(name: str, data: list[Any], events: list[icalendar.Event]) -> bytes:
        cal = icalendar.Calendar()
        cal.add("prodid", ics.PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", icalendar.vText(name))
        cal.add("x-wr-caldesc", icalendar.vText(message(lang, "calendar.description")))
        vtz = icalendar.Timezone()
        vtz.add("tzid", tz.key)
        for t in zones[span(data)]:
            o = icalendar.TimezoneDaylight() if t.dst else icalendar.TimezoneStandard()
            o.add("dtstart", t.local_start)
            o.add("tzoffsetfrom", t.offset_from)
            o.add("tzoffsetto", t.offset_to)
            o.add("tzname", t.name)
            vtz.add_component(o)
        cal.add_component(vtz)
        for ev in events:
            cal.add_component(ev)
        data_: bytes = cal.to_ical()
        return data_

    t0 = time.perf_counter()
    by_uid: dict[str, icalendar.Event] = {}
    for subject_id, name, data in subjects:
        events = [event(d) for d in data]
        by_uid.update(zip((d.uid for d in data), events, strict=True))
        (out / f"subject-{subject_id}.ics").write_bytes(calendar(name, data, events))
    (out / ics.SITE_FILE).write_bytes(
        calendar(site_name, everything, [by_uid[d.uid] for d in everything]))
    t1 = time.perf_counter()
    return {"time": t1 - t0, "digest": _digest(out)}


def step_xlsx(study_dir: str, work: Path) -> dict[str, Any]:
    # xlsxwriter imported untimed, as the dump's openpyxl is: the writing library's start-up
    # is not the workbook's time
    import xlsxwriter  # noqa: F401

    from cc312_schedule.reports.xlsx import write_xlsx

    study, plan = _load_and_plan(study_dir)
    before = _rss_mb()
    t0 = time.perf_counter()
    write_xlsx(work / "plan.xlsx", study, plan, generated_at=GENERATED_AT)
    t1 = time.perf_counter()
    return {"time": t1 - t0, "rss_before": before, "bytes": (work / "plan.xlsx").stat().st_size}


def step_xlsx_dump(study_dir: str, work: Path) -> dict[str, Any]:
    """The plain floor of issue 22: the Visits rows (the same values our Visits sheet shows,
    one row per event, made from the plan in the timed part as ours are) dumped into one
    sheet with openpyxl's write-only mode, no styles, widths, heights or print set-up."""
    from openpyxl import Workbook

    from cc312_schedule.core.l10n import weekday
    from cc312_schedule.core.messages import procedures
    from cc312_schedule.core.model import event_order

    study, plan = _load_and_plan(study_dir)
    lang = study.config.language
    before = _rss_mb()
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Visits")
    for e in sorted(plan.events, key=event_order):
        ws.append([e.subject_id, e.visit, e.kind.value, e.study_day.value, e.planned_date,
                   weekday(lang, e.date), e.window_start, e.window_end, e.reason_in(lang),
                   procedures(lang, e.procedures), e.status.value, e.actual_date, e.note])
    wb.save(work / "plan-dump.xlsx")
    t1 = time.perf_counter()
    return {"time": t1 - t0, "rss_before": before}


def step_xlsx_base(study_dir: str, work: Path) -> dict[str, Any]:
    """The openpyxl floor (issue 15: our exporter now writes with XlsxWriter): the workbook our
    ``xlsx`` step wrote (``work/plan.xlsx``) is read back with openpyxl's read-only mode and
    every cell, with its font, fill, border, alignment, number format and quote prefix, the
    row heights, column widths, panes, print set-up, validations and conditional formats,
    written again with openpyxl's write-only mode. Rows stream from reader to writer (memory
    stays flat at any size); the time of a read-only pass alone, made first, is subtracted.
    The few dozen validation and conditional-format elements are left out of the baseline.
    """
    import re
    import zipfile
    from copy import copy

    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    src_path = work / "plan.xlsx"
    # sheet settings (untimed): read-only sheets keep no column widths, so they come from the XML

    settings: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(src_path) as z:
        wbxml = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', wbxml)
        for i, name in enumerate(names, start=1):
            xml = z.read(f"xl/worksheets/sheet{i}.xml").decode()
            head = xml.partition("<sheetData")[0]
            settings[name] = {
                "widths": [(int(a), int(b), float(w)) for a, b, w in
                           re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', head)],
                "hidden": 'state="hidden"' in wbxml.split(f'name="{name}"')[1].split("/>")[0],
            }
    ro = load_workbook(src_path, read_only=True)
    t0 = time.perf_counter()
    cells = 0
    for ws in ro.worksheets:  # the read-only pass alone
        for row in ws.iter_rows():
            for c in row:
                if getattr(c, "has_style", False):
                    _ = (c.value, c.font, c.fill, c.border, c.alignment, c.number_format)
    t_read = time.perf_counter() - t0
    out = work / "plan-base.xlsx"
    styles: dict[int, tuple[Any, ...]] = {}
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    for ws in ro.worksheets:
        s = settings[ws.title]
        dst = wb.create_sheet(ws.title)
        if s["hidden"]:
            dst.sheet_state = "hidden"
        for a, b, w in s["widths"]:
            for k in range(a, b + 1):
                dst.column_dimensions[get_column_letter(k)].width = w
        dst.page_setup.orientation = "landscape"
        dst.page_setup.paperSize = 9  # A4
        dst.sheet_properties.pageSetUpPr.fitToPage = True
        dst.page_setup.fitToHeight = 0
        dst.print_title_rows = "1:2"
        for row in ws.iter_rows():
            out_row = []
            for c in row:
                if c.value is None and not getattr(c, "has_style", False):
                    out_row.append(None)  # EmptyCell: nothing there
                    continue
                cell = WriteOnlyCell(dst, c.value)
                if isinstance(c.value, str):
                    cell.data_type = "s"
                if c.has_style:  # one set of style objects per distinct style, as ours shares
                    style = styles.get(c._style_id)
                    if style is None:
                        style = styles[c._style_id] = (copy(c.font), copy(c.fill), copy(c.border),
                                                      copy(c.alignment), c.number_format)
                    (cell.font, cell.fill, cell.border, cell.alignment,
                     cell.number_format) = style
                out_row.append(cell)
                cells += 1
            dst.append(out_row)
    buf = io.BytesIO()
    wb.save(buf)
    out.write_bytes(buf.getvalue())
    t1 = time.perf_counter()
    return {"time": t1 - t0 - t_read, "read": t_read, "cells": cells}


def step_import(study_dir: str, work: Path) -> dict[str, Any]:
    from cc312_schedule.entries.writes import import_workbook

    t0 = time.perf_counter()
    result = import_workbook(study_dir, work / "plan.xlsx", today=TODAY)
    t1 = time.perf_counter()
    return {"time": t1 - t0, "changes": result.changes, "conflicts": len(result.conflicts)}


def step_due(study_dir: str, work: Path) -> dict[str, Any]:
    """The nurses' due list of one day, as `cc312-schedule due --format html` makes it."""
    from cc312_schedule.reports.due import plan_due, to_due_table
    from cc312_schedule.reports.pages import to_due_html

    t0 = time.perf_counter()
    study, plan = _load_and_plan(study_dir)
    t1 = time.perf_counter()
    due = plan_due(study, plan, start=TODAY)
    t2 = time.perf_counter()
    html = to_due_html(due, generated="2026-11-25 16:00")
    to_due_table(due)
    t3 = time.perf_counter()
    week_rows = len(plan_due(study, plan, start=TODAY, end=date(2026, 12, 1)).rows)
    t4 = time.perf_counter()
    (work / "due.html").write_text(html, encoding="utf-8")
    return {"load_plan": t1 - t0, "due": t2 - t1, "render": t3 - t2, "week": t4 - t3,
            "total": t3 - t0, "rows": len(due.rows), "week_rows": week_rows}


def step_handout(study_dir: str, work: Path) -> dict[str, Any]:
    """A participant's schedule of the example study (003, from TODAY) as PDF, zh-CN and en.

    ``first``: the first PDF of a process (WeasyPrint and the fonts loading); ``next``: the
    median of three more, as when a nurse prints several schedules in one run."""
    from cc312_schedule import example_study_path, load_study, plan_study
    from cc312_schedule.reports.handout import plan_handout
    from cc312_schedule.reports.pages import to_handout_html, to_pdf

    study = load_study(example_study_path())
    plan = plan_study(study, today=TODAY)
    out: dict[str, Any] = {}
    for lang in ("zh-CN", "en"):
        times = []
        for _ in range(4):
            t0 = time.perf_counter()
            pdf = to_pdf(to_handout_html(plan_handout(study, plan, "003", today=TODAY,
                                                      generated=TODAY, language=lang)))
            times.append(time.perf_counter() - t0)
        (work / f"handout-{lang}.pdf").write_bytes(pdf)
        out[lang] = {"first": times[0], "next": statistics.median(times[1:]), "bytes": len(pdf)}
    return out


STEP_FUNCTIONS: dict[str, Callable[[str, Path], dict[str, Any]]] = {
    "plan": step_plan, "ics": step_ics, "ics-base": step_ics_base, "xlsx": step_xlsx,
    "xlsx-base": step_xlsx_base, "xlsx-dump": step_xlsx_dump, "import": step_import,
    "due": step_due, "handout": step_handout,
}

# ---------------------------------------------------------------------------------------
# the driver


def _study(n: int, cache: Path) -> Path:
    """The generated study of ``n`` subjects, cached by the generator's own source."""
    key = hashlib.sha256((HERE / "synthetic.py").read_bytes()).hexdigest()[:8]
    folder = cache / f"study-{n}-{key}"
    if not (folder / "visits.csv").exists():
        sys.path.insert(0, str(HERE))
        from synthetic import generate

        tmp = cache / f".tmp-study-{n}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        generate(n, tmp)
        tmp.rename(folder)
    return folder


def _run_step(step: str, study: Path, work: Path) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--study", str(study),
           "--work", str(work)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"step {step} on {study.name} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _median_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                       check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _startup(runs: int) -> dict[str, float]:
    exe = str(Path(sys.executable).with_name("cc312-schedule"))
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "cc312-schedule --help": [exe, "--help"],
        "cc312-schedule plan templates/example-study --format csv":
            [exe, "plan", "templates/example-study", "--format", "csv"],
    }
    for cmd in cmds.values():  # warm the OS caches
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                       check=True)
    return {name: _median_ms(cmd, runs) for name, cmd in cmds.items()}


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _growth(label: str, small: tuple[int, float], large: tuple[int, float]) -> str:
    (n0, t0), (n1, t1) = small, large
    per = (t1 / n1) / (t0 / n0)
    verdict = "linear" if 0.67 <= per <= 1.5 else ("worse than linear" if per > 1.5 else
                                                  "better than linear (fixed costs amortized)")
    return (f"{label}: events ×{n1 / n0:.0f}, time ×{t1 / t0:.1f}, "
            f"time per event ×{per:.2f} → {verdict}")


def _pages(cache: Path, out: Callable[..., None]) -> None:
    """The printed pages: the due list of one day for 1,000 subjects, a participant's schedule."""
    study = _study(IMPORT_SIZE, cache)
    work = cache / f"work-{IMPORT_SIZE}"
    work.mkdir(exist_ok=True)
    d = _run_step("due", study, work)
    out(f"due list of {TODAY} for {IMPORT_SIZE:,} subjects ({d['rows']:,} rows): load + plan "
        f"{_fmt_s(d['load_plan'])}, due rows {_fmt_s(d['due'])}, table + HTML {_fmt_s(d['render'])}; "
        f"total {_fmt_s(d['total'])}, peak {d['rss_mb']:,.0f} MB (a 7-day range: {_fmt_s(d['week'])})")
    h = _run_step("handout", study, work)
    for lang in ("zh-CN", "en"):
        out(f"participant's schedule (003, {lang}, PDF {h[lang]['bytes'] / 1024:,.0f} KB): first in a "
            f"process {_fmt_s(h[lang]['first'])}, then {_fmt_s(h[lang]['next'])} each (median of 3)")
    out()


def _xlsx_against_dump(cache: Path, sizes: tuple[int, ...], runs: int,
                       out: Callable[[str], None]) -> None:
    """Our workbook and the plain dump, each in a fresh process, alternately; medians, and
    the ratio of each pair (ours / the dump run right after it): median, least and most."""
    out("| subjects | events | workbook (ours, 5 sheets, print layout) | plain one-sheet dump "
        "| ratio of medians | ratio per pair: median (least-most) |")
    out("|---|---|---|---|---|---|")
    for n in sizes:
        study = _study(n, cache)
        with tempfile.TemporaryDirectory(prefix="cc312-bench-") as tmp:
            times: dict[str, list[float]] = {"xlsx": [], "xlsx-dump": []}
            for _ in range(runs):
                for step in times:
                    times[step].append(_run_step(step, study, Path(tmp))["time"])
            events = _run_step("plan", study, Path(tmp))["events"]
        ours, dump = (statistics.median(times[s]) for s in ("xlsx", "xlsx-dump"))
        pairs = [a / b for a, b in zip(times["xlsx"], times["xlsx-dump"], strict=True)]
        out(f"| {n:,} | {events:,} | {_fmt_s(ours)} | {_fmt_s(dump)} | {ours / dump:.2f} "
            f"| {statistics.median(pairs):.2f} ({min(pairs):.2f}-{max(pairs):.2f}) |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 subjects only")
    parser.add_argument("--sizes", help="comma-separated subject counts (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=15, help="start-up runs per command")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "cc312-schedule-bench",
                        help="where generated studies are kept between runs")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument("--pages", action="store_true",
                        help="only the printed pages: due list (1,000 subjects) and a handout")
    parser.add_argument("--xlsx", action="store_true",
                        help="only the workbook against a plain one-sheet openpyxl dump of its "
                             "Visits rows (issue 22), alternately, --runs times each")
    parser.add_argument("--step", choices=[*STEP_FUNCTIONS], help=argparse.SUPPRESS)
    parser.add_argument("--study", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:  # a child process: one step, one JSON line
        result = STEP_FUNCTIONS[args.step](args.study, args.work)
        result["rss_mb"] = _rss_mb()
        print(json.dumps(result))
        return 0

    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else \
        (QUICK_SIZES if args.quick else SIZES)
    args.cache.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def out(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    if args.pages:
        _pages(args.cache, out)
        return 0
    if args.xlsx:
        _xlsx_against_dump(args.cache, sizes, min(args.runs, 5), out)
        return 0

    import icalendar
    import openpyxl

    out(f"cc312-schedule benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"icalendar {icalendar.__version__}, openpyxl {openpyxl.__version__}, "
        f"{platform.system()} {platform.machine()}")
    out(f"command: .venv/bin/python benchmarks/run.py{' --quick' if args.quick else ''}")
    out()
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in sizes:
        study = _study(n, args.cache)
        work = args.cache / f"work-{n}"
        work.mkdir(exist_ok=True)
        results[n] = {}
        for step in STEPS:
            results[n][step] = _run_step(step, study, work)
            print(f"  {n:>6} subjects: {step} done", file=sys.stderr, flush=True)
        if n == IMPORT_SIZE:
            results[n]["import"] = _run_step("import", study, work)
            print(f"  {n:>6} subjects: import done", file=sys.stderr, flush=True)

    header = ("| subjects | events | load | plan | µs/event | events/s | plan+CSV peak "
              "| iCal ours | iCal icalendar | ratio | iCal peak (before export) "
              "| same bytes | plan / iCal | Excel ours | Excel openpyxl | ratio "
              "| Excel peak (before export) |")
    out(header)
    out("|" + "---|" * (header.count("|") - 1))
    for n, r in results.items():
        p, i, ib, x, xb = (r[s] for s in STEPS)
        xr = f"{x['time'] / xb['time']:.2f}" if xb.get("time") else "n/a"
        out(f"| {n:,} | {p['events']:,} | {_fmt_s(p['load'])} | {_fmt_s(p['plan'])} "
            f"| {p['plan'] / p['events'] * 1e6:.1f} | {p['events'] / p['plan']:,.0f} "
            f"| {p['rss_mb']:,.0f} MB "
            f"| {_fmt_s(i['time'])} | {_fmt_s(ib['time'])} | {i['time'] / ib['time']:.2f} "
            f"| {i['rss_mb']:,.0f} MB ({i['rss_before']:,.0f} MB) "
            f"| {'yes' if i['digest'] == ib['digest'] else 'NO'} "
            f"| {p['plan'] / i['time']:.1%} "
            f"| {_fmt_s(x['time'])} | {_fmt_s(xb.get('time'))} | {xr} "
            f"| {x['rss_mb']:,.0f} MB ({x['rss_before']:,.0f} MB) |")
    out()
    if IMPORT_SIZE in results:
        imp = results[IMPORT_SIZE]["import"]
        out(f"workbook import (round trip, dry run) of the {IMPORT_SIZE:,}-subject workbook: "
            f"{_fmt_s(imp['time'])}, peak {imp['rss_mb']:,.0f} MB, {imp['changes']} change(s), "
            f"{imp['conflicts']} conflict(s) (expected: none)")
        out()
    start = _startup(args.runs)
    base = start["python -c pass"]
    out(f"CLI start-up, median of {args.runs} runs:")
    out()
    out("| command | median | minus `python -c pass` |")
    out("|---|---|---|")
    for name, ms in start.items():
        out(f"| `{name}` | {ms:.0f} ms | {ms - base:+.0f} ms |")
    out()
    _pages(args.cache, out)
    if len(results) > 1:
        lo, hi = min(results), max(results)
        out(f"growth {lo:,} → {hi:,} subjects:")
        out()
        for label, step, key in (("load", "plan", "load"), ("plan", "plan", "plan"),
                                 ("CSV", "plan", "csv"), ("iCal", "ics", "time"),
                                 ("iCal baseline", "ics-base", "time"),
                                 ("Excel", "xlsx", "time"), ("Excel baseline", "xlsx-base", "time")):
            a, b = results[lo][step].get(key), results[hi][step].get(key)
            if a and b:
                out("* " + _growth(label, (results[lo]["plan"]["events"], a),
                                   (results[hi]["plan"]["events"], b)))
        mem = [(n, r["ics"]["rss_mb"] - r["ics"]["rss_before"]) for n, r in results.items()]
        out("* iCal export's own memory (peak minus the peak before it): "
            + ", ".join(f"{n:,}: {m:,.0f} MB" for n, m in mem))
    if args.output:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
