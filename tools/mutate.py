"""Mutation check of the engine's rule modules: does a one-token change make a test fail?

Each mutant changes one token of one rule module:

* a comparison flipped: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* an integer literal moved by one: ``n`` -> ``n + 1`` and ``n`` -> ``n - 1``;
* a boolean operator swapped: ``and`` <-> ``or``.

Comments and strings (docstrings, messages) are never touched. Every mutant runs against a fast
test selection (:data:`TESTS`: the engine's test files, not the ones marked slow, plus the
mutated module's own doctests) in a private copy of the repository (``PYTHONPATH`` puts the
copy's ``src`` before the editable install), stopping at the first failure (``-x``). A mutant
is **caught** when a test fails (or times out), **equivalent** when it survives and
``tools/mutants-equivalent.toml`` says why no test can see it, and **survived** otherwise: a
rule no test checks. Exit status 1 when a mutant survived.

The full set of mutants takes long on the shared 2-core machine (~10 s a survivor, 3-4 s a
caught one): ``--sample N`` runs N of them, drawn with ``--seed`` (deterministic: the same
seed and the same sources give the same sample), in the drawn order, so that a run stopped with
Ctrl-C has still run a random sample (it reports and records what ran, and says it was
interrupted). ``--only KEY`` reruns named mutants (the keys ``--list`` prints).

    .venv/bin/python tools/mutate.py --list | head
    .venv/bin/python tools/mutate.py --sample 100 --seed 19 --record benchmarks/RESULTS.md
    .venv/bin/python tools/mutate.py --only 'core/days.py:84:3 1->2'

A key is ``module:line:k old->new``: the k-th mutable token of that line. Line numbers move
when the module changes; ``tools/mutants-equivalent.toml`` names a mutant by the line's text
instead, so its entries survive edits elsewhere in the module.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import tomllib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path("src/cc312_schedule")

#: The engine's rule modules (paths under src/cc312_schedule).
MODULES = ("planning/engine.py", "core/days.py", "planning/capacity.py", "store/sitecal.py",
           "core/opendays.py")

#: The fast test selection: every test file that exercises the engine's rules and runs in
#: seconds (the calendars', workbook's and clients' tests are slower and test rendering), in
#: two stages: the rule tables first (most mutants die there, in a few seconds), the rest only
#: for a mutant that survives them. ``tests/test_issue_19*.py`` is expanded when the run starts.
TESTS_FIRST = ("tests/test_engine_rules.py", "tests/test_issue_9_clinical_edges.py",
               "tests/test_issue_19*.py", "tests/test_days.py", "tests/test_site_calendar.py")
TESTS_THEN = ("tests/test_properties.py", "tests/test_golden.py", "tests/test_due.py",
              "tests/test_study_loading.py", "tests/test_protocol.py", "tests/test_cli.py")
TESTS = (*TESTS_FIRST, *TESTS_THEN)

EQUIVALENT = ROOT / "tools" / "mutants-equivalent.toml"
#: Set in the tests' environment during a run: a test that reads the rule modules' own text
#: (the list of equivalent mutants) would fail on every mutant and count it as caught.
RUNNING = "CC312_MUTATION_RUN"

_FLIPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_BOOL = {"and": "or", "or": "and"}


@dataclasses.dataclass(frozen=True, slots=True)
class Mutant:
    module: str  # under src/cc312_schedule
    line: int  # 1-based
    col: int  # 0-based, of the token
    k: int  # the k-th mutable token of the line (1-based)
    old: str
    new: str
    text: str  # the line as it is, stripped

    @property
    def key(self) -> str:
        return f"{self.module}:{self.line}:{self.k} {self.old}->{self.new}"

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        row = lines[self.line - 1]
        assert row[self.col:self.col + len(self.old)] == self.old, (self.key, row)
        lines[self.line - 1] = row[:self.col] + self.new + row[self.col + len(self.old):]
        return "".join(lines)


def mutants_of(module: str, source: str) -> Iterator[Mutant]:
    """Every one-token mutant of ``source`` (that still compiles)."""
    lines = source.splitlines()
    per_line: dict[int, int] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        news: list[str] = []
        if tok.type == tokenize.OP and text in _FLIPS:
            news = [_FLIPS[text]]
        elif tok.type == tokenize.NAME and text in _BOOL:
            news = [_BOOL[text]]
        elif tok.type == tokenize.NUMBER and text.isdigit():
            n = int(text)
            news = [str(n + 1)] + ([str(n - 1)] if n > 0 else [])
        if not news:
            continue
        row, col = tok.start
        per_line[row] = per_line.get(row, 0) + 1
        for new in news:
            m = Mutant(module=module, line=row, col=col, k=per_line[row], old=text, new=new,
                       text=lines[row - 1].strip())
            try:
                compile(m.apply(source), module, "exec")
            except SyntaxError:
                continue
            yield m


def all_mutants(root: Path = ROOT) -> list[Mutant]:
    out: list[Mutant] = []
    for module in MODULES:
        out.extend(mutants_of(module, (root / PACKAGE / module).read_text(encoding="utf-8")))
    return out


def load_equivalent(path: Path = EQUIVALENT) -> dict[tuple[str, str, str, str], str]:
    """(module, line text, old, new) -> why no test can tell the mutant from the original."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {(e["module"], e["line"].strip(), e["old"], e["new"]): e["reason"]
            for e in data.get("equivalent", [])}


def _copy_repository(dest: Path) -> None:
    """The working tree's tracked and new files (uncommitted edits included), no .venv/.git."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if not src.exists() and not src.is_symlink():  # deleted in the working tree
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)


class Runner:
    """A private copy of the repository in which mutants are applied one at a time."""

    def __init__(self, workdir: Path, stages: Sequence[Sequence[str]],
                 timeout: float | None = None) -> None:
        self.dir = workdir
        _copy_repository(workdir)
        self.stages = [[str(p.relative_to(workdir)) for pattern in stage
                        for p in sorted(workdir.glob(pattern))] for stage in stages]
        self.env = {**os.environ, "PYTHONPATH": str(workdir / "src"),
                    "PYTHONDONTWRITEBYTECODE": "1", RUNNING: "1"}
        self.env.pop("CI", None)  # CI never skips a missing program; the fast selection may
        probe = subprocess.run([sys.executable, "-c", "import cc312_schedule; "
                                "print(cc312_schedule.__file__)"],
                               cwd=workdir, env=self.env, capture_output=True, text=True, check=True)
        if not probe.stdout.strip().startswith(str(workdir)):
            raise SystemExit(f"the copy is not what the tests import: {probe.stdout.strip()}")
        self.timeout = timeout

    @property
    def tests(self) -> list[str]:
        return [t for stage in self.stages for t in stage]

    def pytest(self, module: str | None) -> tuple[int, float]:
        """Run the selection stage by stage (the first with ``module``'s doctests), up to the
        first failure: pytest's exit status (-1 for a timeout) and the time."""
        started = time.monotonic()
        rc = 0
        for i, stage in enumerate(self.stages):
            targets = [*stage, *([str(PACKAGE / module)] if module and i == 0 else [])]
            try:
                rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow",
                                     "-p", "no:cacheprovider", *targets],
                                    cwd=self.dir, env=self.env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=self.timeout).returncode
            except subprocess.TimeoutExpired:
                rc = -1
            if rc != 0:
                break
        return rc, time.monotonic() - started

    def run(self, m: Mutant) -> tuple[str, float]:
        """'caught', 'timeout' or 'survived', and the time the tests took."""
        path = self.dir / PACKAGE / m.module
        original = path.read_text(encoding="utf-8")
        try:
            path.write_text(m.apply(original), encoding="utf-8")
            _drop_bytecode(path)
            rc, took = self.pytest(m.module)
        finally:
            path.write_text(original, encoding="utf-8")
            _drop_bytecode(path)
        if rc == -1:
            return "timeout", took
        return ("survived" if rc == 0 else "caught"), took


def _drop_bytecode(path: Path) -> None:
    for pyc in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        pyc.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print every mutant's key and line")
    ap.add_argument("--sample", type=int, help="run this many mutants, drawn with --seed")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--only", action="append", default=[], metavar="KEY",
                    help="run this mutant (a key --list prints); repeatable")
    ap.add_argument("--record", type=Path, help="append the score as a section to this file")
    args = ap.parse_args(argv)

    everything = all_mutants()
    if args.list:
        for m in everything:
            print(f"{m.key}\t{m.text}")
        print(f"{len(everything)} mutants", file=sys.stderr)
        return 0
    if args.only:
        by_key = {m.key: m for m in everything}
        unknown = [k for k in args.only if k not in by_key]
        if unknown:
            raise SystemExit(f"no such mutant: {unknown[0]} (see --list)")
        chosen = [by_key[k] for k in args.only]
    elif args.sample is not None and args.sample < len(everything):
        # in the drawn order: a run stopped early (Ctrl-C) has still run a random sample
        chosen = random.Random(args.seed).sample(everything, args.sample)
    else:
        chosen = everything
    equivalent = load_equivalent()
    stale = set(equivalent) - {(m.module, m.text, m.old, m.new) for m in everything}
    for module, text, old, new in sorted(stale):
        print(f"note: {EQUIVALENT.name} names a mutant that no longer exists: {module}: "
              f"{old}->{new} in {text!r}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="cc312-mutate-") as tmp:
        runner = Runner(Path(tmp), (TESTS_FIRST, TESTS_THEN))
        rc, base = runner.pytest(None)
        if rc != 0:
            raise SystemExit("the test selection fails without any mutant: fix that first")
        runner.timeout = 5 * base + 30
        print(f"selection: {len(runner.tests)} test files, {base:.1f} s unmutated; "
              f"{len(chosen)} of {len(everything)} mutants", flush=True)
        counts = {"caught": 0, "timeout": 0, "equivalent": 0, "survived": 0}
        survivors: list[tuple[Mutant, str]] = []
        started = time.monotonic()
        done: list[Mutant] = []
        try:
            for i, m in enumerate(chosen, 1):
                outcome, took = runner.run(m)
                if outcome == "survived":
                    reason = equivalent.get((m.module, m.text, m.old, m.new))
                    if reason is not None:
                        outcome = "equivalent"
                    survivors.append((m, reason or ""))
                counts[outcome] += 1
                done.append(m)
                print(f"[{i}/{len(chosen)}] {outcome:10} {took:5.1f} s  {m.key}  | {m.text}",
                      flush=True)
        except KeyboardInterrupt:  # Ctrl-C: report (and record) what ran, and say so
            print(f"\ninterrupted after {len(done)} of {len(chosen)} mutants", flush=True)
        elapsed = time.monotonic() - started
    interrupted = len(done) < len(chosen)
    chosen = done

    caught = counts["caught"] + counts["timeout"]
    print(f"\n{len(chosen)} mutants: {caught} caught ({counts['timeout']} by timeout), "
          f"{counts['equivalent']} equivalent, {counts['survived']} survived; {elapsed / 60:.1f} min")
    for m, reason in survivors:
        print(f"  {'equivalent' if reason else 'SURVIVED  '} {m.key}  | {m.text}"
              + (f"\n      {reason}" if reason else ""))
    if args.record:
        _record(args.record, args, everything, chosen, counts, survivors, elapsed, interrupted)
    return 1 if counts["survived"] or interrupted else 0


def _record(path: Path, args: argparse.Namespace, everything: Sequence[Mutant],
            chosen: Sequence[Mutant], counts: dict[str, int],
            survivors: Sequence[tuple[Mutant, str]], elapsed: float, interrupted: bool) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.only:
        how = f"the {len(chosen)} mutants named with --only"
    elif len(chosen) < len(everything):
        how = f"a sample of {len(chosen)} of the {len(everything)} mutants (seed {args.seed})"
    else:
        how = f"all {len(everything)} mutants"
    if interrupted:
        how += f" (interrupted: {len(chosen)} of the {args.sample or len(everything)} drawn ran)"
    caught = counts["caught"] + counts["timeout"]
    lines = [
        "", f"## Mutation check of the engine's rule modules ({now})", "",
        f"`tools/mutate.py{' --sample ' + str(args.sample) if args.sample else ''}"
        f"{' --seed ' + str(args.seed) if args.sample else ''}`: {how} of "
        f"{', '.join(MODULES)}; each against the fast selection (`tools/mutate.py` TESTS, not "
        f"slow, `-x`), {elapsed / 60:.0f} min on the shared 2-core machine.", "",
        "| mutants | caught | of which by timeout | equivalent | survived |",
        "|---|---|---|---|---|",
        f"| {len(chosen)} | {caught} | {counts['timeout']} | {counts['equivalent']} "
        f"| {counts['survived']} |", ""]
    if survivors:
        lines.append("Survivors (equivalent ones with the reason from "
                     "`tools/mutants-equivalent.toml`):")
        lines.append("")
        for m, reason in survivors:
            lines.append(f"* `{m.key}` `{m.text}`: {reason or 'SURVIVED, no test sees it'}")
        lines.append("")
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
