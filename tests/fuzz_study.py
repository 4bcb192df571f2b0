"""A seeded mutator over the example study's files and its exported workbook (issue 13).

Used by tests/test_issue_13_fuzz.py (a few hundred cases in CI; ``CC312_FUZZ_CASES=N`` for
more) and runnable on its own for a longer run whose figures go to benchmarks/RESULTS.md::

    python tests/fuzz_study.py --cases 5000 --workbook-cases 1000 --seed 1

Each case mutates one file and runs the command line in-process. What is checked:

* the exit code is 0, 1 or 2 and no exception escapes ``main`` (never a traceback);
* the command ends within :data:`CASE_TIMEOUT` seconds (never a hang);
* a study that is accepted (exit 0/1) loses no row: the rows loaded equal the file's CSV
  records, and no free-text value holds a line that looks like a swallowed row.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
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
    seconds: float = 0.0

    def failures(self) -> list[str]:
        return [*self.tracebacks, *self.hangs, *self.row_losses]


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(f"no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


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


def _main() -> int:
    import argparse
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--workbook-cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.environ.setdefault("CC312_SCHEDULE_CACHE_DIR", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as tmp:
        study = fuzz_study(a.cases, a.seed, Path(tmp))
        wb = fuzz_workbook(a.workbook_cases, a.seed, Path(tmp))
    for name, t in (("study folder", study), ("workbook", wb)):
        print(f"{name}: {t.cases} cases in {t.seconds:.0f} s; exits {dict(sorted(t.exits.items()))}; "
              f"tracebacks {len(t.tracebacks)}, hangs {len(t.hangs)}, silent row losses "
              f"{len(t.row_losses)}")
        for f in t.failures()[:20]:
            print("  ", f)
    return 1 if study.failures() or wb.failures() else 0


if __name__ == "__main__":
    sys.exit(_main())
