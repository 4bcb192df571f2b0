"""The package's layers (issue 18), read from the source with ast: the one place they are written.

``LAYERS`` below is the order, bottom first. A module may import modules of its own package and
of the packages on lower layers, never of a package on its own layer (siblings stay apart) or
above; packages never import in a circle, nor do modules inside one; and imports of the
package's own modules sit at the top of a module (a function-level import hides a circle). The
CLI's lazy loading of commands (which keeps ``--help`` fast) and the package's lazy namespace
are the exceptions. Each sub-package's docstring starts with its layer, checked here too.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cc312_schedule"

#: The layers, bottom first. The package root's modules (``cli``, ``__init__``, ``__main__``)
#: are the top: the edges a person or a tool starts from.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),                             # 0 values: days, errors, messages, protocol, model, file I/O
    ("planning",),                         # 1 rules: the engine, capacity, slots, the clock
    ("store",),                            # 2 the study folder: loading, CSV edits, the lock
    ("entries",),                          # 3 writes that need a plan: record, decide, import
    ("calendars", "reports", "cdisc"),     # 4 outputs, side by side, none importing another
    ("desk",),                             # 5 the web desk, on every output and the entries
)
TOP = "<root>"  # cli, __init__, __main__
LAZY_OK = {"cli", "__init__"}  # lazy command loading / lazy package namespace


def package_of(module: str) -> str:
    """``core.days`` -> ``core``; a module of the package root -> :data:`TOP`."""
    return module.split(".")[0] if "." in module else TOP


def rank(package: str) -> int:
    if package == TOP:
        return len(LAYERS)
    for i, packages in enumerate(LAYERS):
        if package in packages:
            return i
    raise AssertionError(f"package {package!r} is on no layer: add it to tests/test_layers.py LAYERS")


def may_import(importer: str, imported: str) -> bool:
    """Whether module ``importer`` may import module ``imported`` (dotted, under the package)."""
    a, b = package_of(importer), package_of(imported)
    return a == b or rank(b) < rank(a)


def imports_of(path: Path, module: str) -> list[tuple[str, int, bool]]:
    """(imported package module, line, at module level) for each import of our own modules,
    the relative imports resolved against ``module`` (dotted, e.g. ``planning.clock``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for n in tree.body:  # `if TYPE_CHECKING:` blocks are type-only: not run
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING":
            top |= {id(x) for x in ast.walk(n)}
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            base = here[:len(here) - (node.level - 1)]
            if node.module:
                names = [".".join([*base, node.module])]
            else:  # `from . import engine`: submodules (or a name of the package itself)
                names = [".".join([*base, a.name]) for a in node.names]
            for name in names:
                out.append((name, node.lineno, id(node) in top))
    return out


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


PATHS = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}
MODULES = sorted(PATHS)
GRAPH = {m: imports_of(PATHS[m], m) for m in MODULES}


def own(target: str) -> str | None:
    """The package module ``target`` names, or None (a name of a package, not a module)."""
    while target and target not in PATHS:
        target = target.rpartition(".")[0]
    return target or None


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_imports_only_downwards_and_at_the_top(module: str) -> None:
    for target, line, at_top in GRAPH[module]:
        found = own(target)
        if found is None or found == module:
            continue
        assert may_import(module, found), (
            f"{PATHS[module].relative_to(SRC)}:{line} imports {found} from "
            f"{'its own layer' if rank(package_of(found)) == rank(package_of(module)) else 'a higher layer'}:"
            " move what both need down a layer (tests/test_layers.py LAYERS)")
        assert at_top or module in LAZY_OK, (
            f"{PATHS[module].relative_to(SRC)}:{line} imports {found} inside a function: move "
            "it to the top (a function-level import hides a circle)")


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> list[str] | None:
        state[m] = 1
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                return [*path, m, t]
            if t not in state and (found := visit(t, [*path, m])):
                return found
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state and (found := visit(m, [])):
            return found
    return None


def test_no_import_cycles_between_modules() -> None:
    edges = {m: {t for t in (own(x) for x, _, _ in GRAPH[m]) if t and t != m}
             for m in MODULES if m not in LAZY_OK}
    assert _cycle(edges) is None, "import cycle: " + " -> ".join(_cycle(edges) or [])


def test_no_import_cycles_between_packages() -> None:
    edges: dict[str, set[str]] = {}
    for m in MODULES:
        for t in (own(x) for x, _, _ in GRAPH[m]):
            if t and package_of(t) != package_of(m) and package_of(m) != TOP:
                edges.setdefault(package_of(m), set()).add(package_of(t))
    assert _cycle(edges) is None, "package cycle: " + " -> ".join(_cycle(edges) or [])


@pytest.mark.parametrize("package", sorted({package_of(m) for m in MODULES} - {TOP}))
def test_every_package_is_on_a_layer_its_docstring_names(package: str) -> None:
    doc = importlib.import_module(f"cc312_schedule.{package}").__doc__ or ""
    assert doc.startswith(f"Layer {rank(package)}"), (
        f"cc312_schedule/{package}/__init__.py: its docstring should start 'Layer {rank(package)}'")


# The rule can fail: a literal table of imports the layers allow and refuse.
@pytest.mark.parametrize(("importer", "imported", "allowed"), [
    ("planning.engine", "core.days", True),          # down
    ("planning.engine", "planning.capacity", True),  # own package
    ("core.model", "planning.engine", False),        # up
    ("planning.engine", "store.study", False),       # up: the engine never reads a study folder
    ("reports.xlsx", "calendars.ics", False),        # siblings on one layer
    ("cdisc.sdtm", "reports.due", False),
    ("entries.workbook_read", "reports.xlsx", False),  # the workbook's layout lives in store
    ("entries.writes", "store.workbook_layout", True),
    ("desk.app", "entries.writes", True),
    ("cli", "desk.app", True),
    ("store.study", "cli", False),
], ids=lambda v: str(v))
def test_the_layer_rule_as_a_table(importer: str, imported: str, allowed: bool) -> None:
    assert may_import(importer, imported) is allowed


def test_the_import_reader_resolves_relative_imports(tmp_path: Path) -> None:
    bad = tmp_path / "engine.py"
    bad.write_text("from ..store.study import load_study\nfrom . import capacity\n"
                   "def f():\n    from ..calendars.ics import x\n")
    assert imports_of(bad, "planning.engine") == [
        ("store.study", 1, True), ("planning.capacity", 2, True), ("calendars.ics", 4, False)]
