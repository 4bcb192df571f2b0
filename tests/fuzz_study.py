"""A seeded mutator over the example study's files and its exported workbook (issue 13), and
the generators of issue 20's families: short rows swallowed by an open quote, workbooks
without cell references, control characters in every text field, interrupted feed rotations.

Used by tests/test_issue_13_fuzz.py and tests/test_issue_20_fuzz.py (a few hundred cases in
CI; ``CC312_FUZZ_CASES=N`` for more) and runnable on its own for a longer run whose figures
go to benchmarks/RESULTS.md::

    python tests/fuzz_study.py --cases 5000 --workbook-cases 1000 --seed 1
    python tests/fuzz_study.py --cases 6000 --workbook-cases 1500 --swallowed-cases 1000 \
        --no-refs-cases 400 --control-cases 800 --rotation-cases 300 --seed 20

Each case mutates one file and runs the command line in-process. What is checked:

* the exit code is 0, 1 or 2 and no exception escapes ``main`` (never a traceback);
* the command ends within :data:`CASE_TIMEOUT` seconds of CPU time, and ten times as many on
  the clock (never a hang);
* a study that is accepted (exit 0/1) loses no row: the rows loaded equal the file's CSV
  records, and no free-text value holds a line that looks like a swallowed row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import re
import shutil
import signal
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cc312_schedule import example_study_path
from cc312_schedule.cli import main

CASE_TIMEOUT = 30  # seconds; a case of the example study takes ~0.1 s
TODAY = "2026-11-30"
CSV_FILES = ("subjects.csv", "decisions.csv", "visits.csv")
STUDY_FILES = ("study.toml", *CSV_FILES)

# Pieces a hostile or careless editor puts into a file: quotes, separators, line breaks of
# every kind, NUL, invalid UTF-8, a BOM, formulas, huge numbers and far years, TOML brackets.
PIECES: tuple[bytes, ...] = (
    b'"', b'""', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xc3",
    b"=HYPERLINK(\"x\")", b"+cmd|' /C calc'!A0", b"9999-12-31", b"0001-01-01", b"1000000",
    b"-1", b"99999999999999", b"[[[[[[[[", b"{", b"}", b"]", b"=", b"#", b"'", b"\\",
    b"\t", b" ", "\u2028".encode(), "\x85".encode(), "测试".encode(), b"NaN", b"1e309",
    b"W21D1", b"w21d1", b"qw", b"EOT", b"done", b"missed", b"continue", b"stop", b"hold",
    b"resume", b"QW", b"Q2W", b"BIW", b"001", b"x" * 300, b"2026-02-30", b"23/11/2026",
)


class CaseTimeout(Exception):
    pass


@dataclass
class Tally:
    """What a fuzz run saw: cases, exit codes, and every failure with its seed."""

    cases: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    row_losses: list[str] = field(default_factory=list)
    #: issue 20: a legitimate multi-line note refused, a control character in a calendar,
    #: an old feed address still served
    wrong: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def failures(self) -> list[str]:
        return [*self.tracebacks, *self.hangs, *self.row_losses, *self.wrong]


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """``seconds`` of this process's CPU time (a loop that never ends), or ten times as many
    on the clock (a read that blocks): on a machine shared with other jobs the clock alone
    takes a slow case for a hang (issue 20's run: load average 15 on 2 cores)."""
    def alarm(signum: int, frame: object) -> None:
        what = "CPU seconds" if signum == signal.SIGPROF else "seconds on the clock"
        raise CaseTimeout(f"no answer after {seconds if signum == signal.SIGPROF else 10 * seconds}"
                          f" {what}")

    old = signal.signal(signal.SIGALRM, alarm), signal.signal(signal.SIGPROF, alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.alarm(10 * seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, old[0])
        signal.signal(signal.SIGPROF, old[1])


def run_cli(args: list[str], tally: Tally, label: str) -> int | None:
    """Run ``main(args)`` in-process; record the exit code or the failure."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with _deadline(CASE_TIMEOUT):
            code = main(args, stdout=out, stderr=err)
    except CaseTimeout as exc:
        tally.hangs.append(f"{label}: {' '.join(args)}: {exc}")
        return None
    except BaseException as exc:
        tally.tracebacks.append(f"{label}: {' '.join(args)}: {type(exc).__name__}: {exc}"[:500])
        return None
    tally.exits[code] += 1
    if code not in (0, 1, 2):
        tally.tracebacks.append(f"{label}: {' '.join(args)}: exit {code}")
    if "Traceback" in err.getvalue():
        tally.tracebacks.append(f"{label}: {' '.join(args)}: a traceback printed")
    return code


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits: insert, delete, replace, duplicate or swap lines, truncate."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(8)
        pos = rng.randint(0, len(data))
        if kind == 0:
            data = data[:pos] + rng.choice(PIECES) + data[pos:]
        elif kind == 1:
            data = data[:pos] + data[pos + rng.randint(1, 40):]
        elif kind == 2:
            data = data[:pos] + rng.choice(PIECES) + data[pos + rng.randint(1, 12):]
        elif kind == 3:
            lines = data.splitlines(keepends=True)
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(rng.randint(0, len(lines)), lines[i])
                data = b"".join(lines)
        elif kind == 4:
            lines = data.splitlines(keepends=True)
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = b"".join(lines)
        elif kind == 5:
            data = data[:pos]
        elif kind == 6:  # replace one CSV field / TOML value with an extreme piece
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            cells = lines[i].split(b",")
            cells[rng.randrange(len(cells))] = rng.choice(PIECES)
            lines[i] = b",".join(cells)
            data = b"\n".join(lines)
        else:
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))) + data[pos:]
    return data


def _records(path: Path) -> list[list[str]] | None:
    """The CSV records of ``path`` (non-blank), by the csv module in strict mode; None if not UTF-8."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    return [r for r in rows[1:] if any(c.strip() for c in r)]


def check_no_row_loss(folder: Path, tally: Tally, label: str) -> None:
    """An accepted study: every CSV record is a loaded row; no value swallowed a row."""
    from cc312_schedule.store.study import load_study

    study = load_study(folder)
    loaded = {"subjects.csv": len(study.subjects), "decisions.csv": len(study.decisions),
              "visits.csv": len(study.visits)}
    for name in CSV_FILES:
        path = folder / name
        if not path.exists():
            continue
        try:
            records = _records(path)
        except csv.Error as exc:  # accepted, yet a strict reader finds a quote left open
            tally.row_losses.append(f"{label}: {name} accepted but malformed: {exc}")
            continue
        if records is None:
            tally.row_losses.append(f"{label}: {name} accepted but not UTF-8")
            continue
        header = path.read_bytes().decode("utf-8-sig").splitlines()[0].split(",")
        if len(records) != loaded[name]:
            tally.row_losses.append(f"{label}: {name}: {len(records)} records, {loaded[name]} loaded")
        for rec in records:
            for value in rec:
                for line in value.splitlines()[1:]:
                    if line.count(",") >= len(header) - 1:
                        tally.row_losses.append(f"{label}: {name}: a value swallowed {line!r}")


def fuzz_study(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """``cases`` mutated study folders, each checked and planned."""
    tally = tally or Tally()
    rng = random.Random(seed)
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        folder = workdir / f"study-{n}"
        shutil.copytree(example_study_path(), folder, ignore=shutil.ignore_patterns(".cc312-*"))
        name = crng.choice(STUDY_FILES)
        path = folder / name
        path.write_bytes(mutate(path.read_bytes(), crng))
        label = f"seed {seed} case {n} (case seed {case_seed}, {name})"
        tally.cases += 1
        code = run_cli(["check", str(folder)], tally, label)
        run_cli(["plan", str(folder), "--format", "csv", "--today", TODAY,
                 "-o", str(folder / "plan.csv")], tally, label)
        if code in (0, 1):
            try:
                check_no_row_loss(folder, tally, label)
            except Exception as exc:
                tally.tracebacks.append(f"{label}: load_study after an accepted check: {exc!r}")
        shutil.rmtree(folder, ignore_errors=True)
    tally.seconds += time.perf_counter() - start
    return tally


def _workbook_edits(path: Path, rng: random.Random) -> None:
    """Cell-level edits with openpyxl: far cells, moved headers, numbers and formulas in entries."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[rng.choice(wb.sheetnames)]
    far: list[tuple[int, int]] = []  # set last: openpyxl's insert/delete walk the whole area
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        if kind == 0:
            ws.cell(row=rng.randint(1, 400), column=rng.randint(1, 20),
                    value=rng.choice(PIECES).decode("utf-8", "replace"))
        elif kind == 1:
            ws.cell(row=rng.randint(1, 400), column=rng.randint(1, 20),
                    value=rng.choice([3, 3.0, -1, 1e308, 46085, True]))
        elif kind == 2:
            ws.insert_rows(1, amount=rng.randint(1, 60))  # the header moves down
        elif kind == 3:
            ws.cell(row=rng.randint(1, 400), column=rng.randint(1, 20), value="=1+1")
        elif kind == 4:
            far.append(rng.choice([(1048576, 16384), (100000, 702), (rng.randint(1, 2000),
                                                                     rng.randint(1, 60))]))
        else:
            ws.delete_cols(rng.randint(1, 20))
    for row, col in far:
        ws.cell(row=row, column=col, value="far")
    wb.save(path)


def _zip_edit(path: Path, rng: random.Random) -> None:
    """Byte-level damage to one part of the workbook's zip: mutated, truncated or missing."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    victim = rng.choice(sorted(parts))
    choice = rng.randrange(3)
    if choice == 0:
        parts[victim] = mutate(parts[victim], rng)
    elif choice == 1:
        parts[victim] = parts[victim][: rng.randint(0, len(parts[victim]))]
    else:
        del parts[victim]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def fuzz_workbook(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """``cases`` damaged or edited copies of the example study's exported workbook, imported."""
    tally = tally or Tally()
    rng = random.Random(seed)
    study = workdir / "wb-study"
    shutil.copytree(example_study_path(), study, ignore=shutil.ignore_patterns(".cc312-*"))
    exported = workdir / "exported.xlsx"
    assert main(["xlsx", str(study), "-o", str(exported), "--today", TODAY,
                 "--generated-at", "2026-11-30T08:00:00Z"], stdout=io.StringIO(),
                stderr=io.StringIO()) == 0
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        path = workdir / f"wb-{n}.xlsx"
        shutil.copyfile(exported, path)
        edit: Callable[[Path, random.Random], None] = (
            _workbook_edits if crng.random() < 0.5 else _zip_edit)
        label = f"seed {seed} workbook case {n} (case seed {case_seed}, {edit.__name__})"
        try:
            edit(path, crng)
        except Exception:
            continue
        tally.cases += 1
        run_cli(["import", str(study), str(path), "--today", TODAY], tally, label)
        path.unlink()
    tally.seconds += time.perf_counter() - start
    return tally


# ---------------------------------------------------------------------------------------
# Issue 20's families


def _fresh(workdir: Path, name: str) -> Path:
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(example_study_path(), folder, ignore=shutil.ignore_patterns(".cc312-*"))
    return folder


#: free-text lines a note or rationale may hold over several lines (none could be a row)
_TEXT_LINES = ("BP 140/90, HR 80", "called back 2026-05-05", "ok", "迟到，已给药", "- see CRF p. 3",
               "W1D4 moved, patient asked", "")


def _swallow(data: str, rng: random.Random, free_text: str) -> tuple[str, bool]:
    """Open a quote in one row's free-text field; the next 1-3 rows are swallowed, made
    short (trailing empty fields dropped) when ``rng`` says so, or text lines are inserted
    instead (a legitimate multi-line value). Returns the text and whether rows were swallowed."""
    lines = data.splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    col = header.index(free_text)
    i = rng.randrange(1, max(len(lines) - 4, 2))
    cells = lines[i].rstrip("\r\n").split(",")
    if len(cells) != len(header) or '"' in lines[i]:
        return data, False
    cells[col] = '"' + cells[col] + rng.choice(("late", "", "x"))
    lines[i] = ",".join(cells) + "\n"
    swallow = rng.random() < 0.7
    if swallow:
        n = rng.randint(1, 3)
        for j in range(i + 1, min(i + 1 + n, len(lines))):
            row = lines[j].rstrip("\r\n")
            if rng.random() < 0.8:
                row = row.rstrip(",") if col == len(header) - 1 else row
            lines[j] = row + "\n"
        at = min(i + 1 + n, len(lines))
    else:
        at = i + 1
        for _ in range(rng.randint(1, 3)):
            lines.insert(at, rng.choice(_TEXT_LINES) + "\n")
            at += 1
    lines.insert(at, rng.choice(("more", "", "end")) + '"' + "," * (len(header) - 1 - col) + "\n")
    return "".join(lines), swallow


def fuzz_swallowed(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """Short rows swallowed by an open quote in visits.csv (note) or decisions.csv (rationale):
    refused, or (no row swallowed) accepted with every row and the value's lines kept."""
    tally = tally or Tally()
    rng = random.Random(seed)
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        folder = _fresh(workdir, f"sw-{n}")
        name, col = crng.choice((("visits.csv", "note"), ("decisions.csv", "rationale")))
        path = folder / name
        before = len(path.read_text(encoding="utf-8").splitlines()) - 1
        text, swallowed = _swallow(path.read_text(encoding="utf-8"), crng, col)
        path.write_text(text, encoding="utf-8")
        label = f"seed {seed} swallowed case {n} (case seed {case_seed}, {name})"
        tally.cases += 1
        code = run_cli(["check", str(folder)], tally, label)
        if code in (0, 1):
            from cc312_schedule.store.study import load_study

            study = load_study(folder)
            loaded = len(study.visits if name == "visits.csv" else study.decisions)
            if swallowed or loaded != before:
                tally.row_losses.append(f"{label}: accepted with {loaded} of {before} rows"
                                        + (" (rows swallowed)" if swallowed else ""))
            check_no_row_loss(folder, tally, label)
        elif code == 2 and not swallowed:
            tally.wrong.append(f"{label}: a multi-line {col} that holds no row was refused")
        shutil.rmtree(folder, ignore_errors=True)
    tally.seconds += time.perf_counter() - start
    return tally


def _strip_refs(xml: bytes, rng: random.Random) -> bytes:
    """Cells (and maybe rows) without r="" references; sometimes a far row of them too."""
    import re

    xml = re.sub(rb'(<c\b[^>]*?) r="[A-Z]+\d+"', rb"\1", xml)
    if rng.random() < 0.5:
        xml = re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml)
    if rng.random() < 0.5:
        width = rng.choice((30, 702, 16384, 20000))
        far = rng.choice((b"", b' r="%d"' % rng.choice((2, 1000, 1048576))))
        row = b"<row" + far + b">" + b"<c><v>1</v></c>" * width + b"</row>"
        xml = xml.replace(b"</sheetData>", row + b"</sheetData>", 1)
    return xml


def fuzz_no_refs(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """The exported workbook with one or more sheets' cell references removed (as some
    writers save them), sometimes a wide row added: imported, never an abort or a hang."""
    tally = tally or Tally()
    rng = random.Random(seed)
    study = _fresh(workdir, "nr-study")
    exported = workdir / "nr-exported.xlsx"
    assert main(["xlsx", str(study), "-o", str(exported), "--today", TODAY,
                 "--generated-at", "2026-11-30T08:00:00Z"], stdout=io.StringIO(),
                stderr=io.StringIO()) == 0
    with zipfile.ZipFile(exported) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheets = sorted(p for p in parts if p.startswith("xl/worksheets/"))
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        edited = dict(parts)
        for part in crng.sample(sheets, crng.randint(1, len(sheets))):
            edited[part] = _strip_refs(parts[part], crng)
        path = workdir / f"nr-{n}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in edited.items():
                z.writestr(name, data)
        tally.cases += 1
        run_cli(["import", str(study), str(path), "--today", TODAY],
                tally, f"seed {seed} no-refs case {n} (case seed {case_seed})")
        path.unlink()
    tally.seconds += time.perf_counter() - start
    return tally


#: (file, column or TOML key): every text field a person types
_TEXT_FIELDS = (("study.toml", "name"), ("study.toml", "site.name"), ("study.toml", "site.phone"),
                ("subjects.csv", "cohort"), ("subjects.csv", "dose_level"),
                ("subjects.csv", "disease"), ("subjects.csv", "sex"),
                ("subjects.csv", "initials"), ("decisions.csv", "investigator"),
                ("decisions.csv", "rationale"), ("visits.csv", "note"),
                ("closed-days.csv", "reason"))
_CONTROLS = tuple(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)))
#: bytes no calendar line may hold (RFC 5545 3.1: CONTROL = %x00-08 / %x0A-1F / %x7F;
#: CR LF end a line and are checked as a pair)
_BAD_ICS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n|\xc2[\x80-\x9f]")


def _put_control(folder: Path, rng: random.Random) -> str:
    file, field_ = rng.choice(_TEXT_FIELDS)
    ch = rng.choice(_CONTROLS)
    path = folder / file
    if file == "closed-days.csv":
        path.write_text("date,status,reason\n2026-12-02,closed,staff" + ch + "day\n",
                        encoding="utf-8")
        return f"{file}:{field_}:{ord(ch):#04x}"
    text = path.read_text(encoding="utf-8")
    if file == "study.toml":
        key = field_.split(".")[-1]
        prefix = "site." if field_.startswith("site.") else ""
        esc = f"\\u{ord(ch):04X}"  # TOML basic strings take any character as \uXXXX
        text = re.sub(rf'(?m)^{re.escape(prefix + key)} = "',
                      lambda m: f'{prefix}{key} = "x{esc}', text, count=1)
        path.write_text(text, encoding="utf-8")
        return f"{file}:{field_}:{ord(ch):#04x}"
    lines = text.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    col = header.index(field_)
    i = rng.randrange(1, len(lines))
    rows = next(iter(csv.reader([lines[i]])))
    if col < len(rows):
        rows[col] = rows[col] + ch + "x"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(rows)
        lines[i] = buf.getvalue()
        path.write_text("".join(lines), encoding="utf-8")
    return f"{file}:{field_}:{ord(ch):#04x} line {i + 1}"


def fuzz_controls(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """A control character in one text field: refused, or (a free-text field never shown in
    calendars) accepted with calendars and feeds that hold no control character."""
    tally = tally or Tally()
    rng = random.Random(seed)
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        folder = _fresh(workdir, f"cc-{n}")
        what = _put_control(folder, crng)
        label = f"seed {seed} control case {n} (case seed {case_seed}, {what})"
        tally.cases += 1
        code = run_cli(["check", str(folder)], tally, label)
        if code in (0, 1):
            out = workdir / f"cc-{n}-out"
            for args in (["ics", str(folder), "-o", str(out / "ics")],
                         ["feed", str(folder), "-o", str(out / "feed")]):
                run_cli([*args, "--today", TODAY, "--generated-at", "2026-11-30T08:00:00Z"],
                        tally, label)
            for ics in out.rglob("*.ics"):
                bad = _BAD_ICS.search(ics.read_bytes())
                if bad:
                    tally.wrong.append(f"{label}: {ics.name} holds {bad.group()!r}")
                    break
            shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    tally.seconds += time.perf_counter() - start
    return tally


class _Interrupt(BaseException):
    """A kill in the middle of a run (not an Exception: nothing may catch it)."""


def _tokens(path: Path) -> dict[str, str]:
    import json

    return dict(json.loads(path.read_text(encoding="utf-8"))["tokens"])


def _failing(real: Callable[..., None], fail_at: int, how: str) -> Callable[..., None]:
    """``os.replace`` that fails at its ``fail_at``-th call: ENOSPC, EACCES, or a kill."""
    import errno

    calls = [0]

    def replace(src: object, dst: object) -> None:
        calls[0] += 1
        if calls[0] == fail_at:
            if how == "kill":
                raise _Interrupt
            code = errno.ENOSPC if how == "ENOSPC" else errno.EACCES
            raise OSError(code, os.strerror(code))
        real(src, dst)

    return replace


def fuzz_rotations(cases: int, seed: int, workdir: Path, tally: Tally | None = None) -> Tally:
    """``feed --rotate`` interrupted at a random write (a full disk, a folder that cannot be
    written, a kill), then a plain ``feed``: afterwards only the current tokens' files are
    served, and no rotated-away address."""
    import cc312_schedule.core.fileio as fileio
    from cc312_schedule.calendars.feed import TOKENS_FILE

    tally = tally or Tally()
    rng = random.Random(seed)
    stamp = ["--today", TODAY, "--generated-at", "2026-11-30T08:00:00Z"]
    study = _fresh(workdir, "rot-study")
    start = time.perf_counter()
    for n in range(cases):
        case_seed = rng.randrange(2**32)
        crng = random.Random(case_seed)
        label = f"seed {seed} rotation case {n} (case seed {case_seed})"
        out = workdir / f"rot-{n}"
        (study / TOKENS_FILE).unlink(missing_ok=True)
        tally.cases += 1
        if run_cli(["feed", str(study), "-o", str(out), *stamp], tally, label) != 0:
            continue

        before = _tokens(study / TOKENS_FILE)
        who = crng.sample(sorted(before), crng.randint(1, 3))
        real_replace = fileio.os.replace
        fileio.os.replace = _failing(real_replace, crng.randint(1, 12),  # type: ignore[assignment]
                                     crng.choice(("ENOSPC", "EACCES", "kill")))
        try:
            run_cli(["feed", str(study), "-o", str(out), *stamp,
                     *[a for w in who for a in ("--rotate", w)]], Tally(), label)
        except _Interrupt:
            pass
        finally:
            fileio.os.replace = real_replace
        run_cli(["feed", str(study), "-o", str(out), *stamp], tally, label)
        after = _tokens(study / TOKENS_FILE)
        served = {p.name for p in out.iterdir() if p.name.endswith(".ics")}
        if served != {f"{t}.ics" for t in after.values()}:
            tally.wrong.append(f"{label}: served {len(served)} files, {len(after)} tokens")
        stale = {f"{before[w]}.ics" for w in who if after.get(w) != before[w]} & served
        if stale:
            tally.wrong.append(f"{label}: a rotated-away address is still served")
        shutil.rmtree(out, ignore_errors=True)
    tally.seconds += time.perf_counter() - start
    return tally


def _main() -> int:
    import argparse
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--workbook-cases", type=int, default=500)
    ap.add_argument("--swallowed-cases", type=int, default=0)
    ap.add_argument("--no-refs-cases", type=int, default=0)
    ap.add_argument("--control-cases", type=int, default=0)
    ap.add_argument("--rotation-cases", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.environ.setdefault("CC312_SCHEDULE_CACHE_DIR", tempfile.mkdtemp())
    runs: list[tuple[str, Tally]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, fuzz, cases in (("study folder", fuzz_study, a.cases),
                                  ("workbook", fuzz_workbook, a.workbook_cases),
                                  ("swallowed short rows", fuzz_swallowed, a.swallowed_cases),
                                  ("workbook without cell references", fuzz_no_refs,
                                   a.no_refs_cases),
                                  ("control characters", fuzz_controls, a.control_cases),
                                  ("interrupted rotations", fuzz_rotations, a.rotation_cases)):
            if cases:
                runs.append((name, fuzz(cases, a.seed, Path(tmp))))
                t = runs[-1][1]
                print(f"{name}: {t.cases} cases in {t.seconds:.0f} s; exits "
                      f"{dict(sorted(t.exits.items()))}; tracebacks {len(t.tracebacks)}, hangs "
                      f"{len(t.hangs)}, silent row losses {len(t.row_losses)}, other wrong "
                      f"results {len(t.wrong)}", flush=True)
                for f in t.failures()[:20]:
                    print("  ", f, flush=True)
    return 1 if any(t.failures() for _, t in runs) else 0


if __name__ == "__main__":
    sys.exit(_main())
