"""The package's layers (issue 10): values, rules and edges, read from the source with ast.

* **values** — days, errors, warnings, messages, the protocol model, the site calendar as data,
  the study's inputs (``domain``) and the plan's outputs (``model``);
* **rules** — the planner (``engine``), capacity and the next-slot rule, each pure;
* **edges** — everything else: reading study folders and holidays, every export, entries back
  in, and the CLI on top.

A module imports only from its own layer or below, never in a circle, and only at the top of
the module: a function-level import of the package's own modules hides a circle. The CLI's lazy
loading of commands (which keeps ``--help`` fast) and the package's lazy namespace are the
exceptions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cc312_schedule"
# fileio, the one reader and writer of files (bounded reads, atomic writes), knows nothing of
# the domain and sits at the bottom with errors: load_protocol reads the template through it.
VALUES = {"days", "errors", "fileio", "warnings", "messages", "protocol", "opendays", "domain",
          "model"}
RULES = {"engine", "capacity", "slots"}
LAZY_OK = {"cli", "__init__"}  # lazy command loading / lazy package namespace


def layer(module: str) -> int:
    if module in VALUES:
        return 0
    if module in RULES:
        return 1
    return 3 if module in ("cli", "__main__", "__init__") else 2


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported package module, line, at module level) for each import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for n in tree.body:  # `if TYPE_CHECKING:` blocks are type-only: not run
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING":
            top |= {id(x) for x in ast.walk(n)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            for name in names:
                out.append((name.split(".")[0], node.lineno, id(node) in top))
    return out


MODULES = sorted(p.stem for p in SRC.glob("*.py"))
GRAPH = {m: imports_of(SRC / f"{m}.py") for m in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_imports_only_downwards_and_at_the_top(module: str) -> None:
    for target, line, at_top in GRAPH[module]:
        if target not in MODULES:
            continue
        assert layer(target) <= layer(module), (
            f"{module}.py:{line} imports {target} from a higher layer")
        assert at_top or module in LAZY_OK, (
            f"{module}.py:{line} imports {target} inside a function: move it to the top "
            "(a function-level import hides a circle)")


def test_no_import_cycles() -> None:
    edges = {m: {t for t, _, _ in GRAPH[m] if t in MODULES and t != m}
             for m in MODULES if m not in LAZY_OK}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges.get(m, ())):
            assert state.get(t) != 1, "import cycle: " + " -> ".join([*path, m, t])
            if t not in state:
                visit(t, [*path, m])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [])


def test_the_layer_test_can_fail(tmp_path: Path) -> None:
    # an engine that imports the study loader (an edge) is refused
    bad = tmp_path / "engine.py"
    bad.write_text("from .study import load_study\ndef f():\n    from .ics import x\n")
    found = imports_of(bad)
    assert found == [("study", 1, True), ("ics", 3, False)]
    assert layer("study") > layer("engine")
