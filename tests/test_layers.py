"""The architecture as a test: every import of the product code points down the layers of
docs/DESIGN.md, and no modules import each other in a circle.

Layers, bottom first (a package may import its own modules and any package of a lower layer,
never one of its own layer or above)::

    contract                         errors, the record model, the progress type
    ledger, policies                 the log and its proofs; the shipped policies
    privacy                          identifiers, keys, the subject registry
    search, retention                the index projection and queries; schedules, holds, runs
    exports                          bundles, audit exports, evidence packs
    commsledger (root), .config, .synthetic
    commsledger.core                 the Register and ingest
    commsledger.access               the access log, API keys, callers
    commsledger.serve                the service, its jobs and background work
    commsledger.api, commsledger.web the HTTP surfaces
    commsledger.cli                  the command line (``python -m commsledger`` above it)

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a
Protocol in the package's own ``ports.py`` is how a domain names what it needs of the app.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("contract", "ledger", "policies", "privacy", "search", "retention", "exports", "commsledger")
LAYERS: tuple[tuple[str, ...], ...] = (
    ("contract",),
    ("ledger", "policies"),
    ("privacy",),
    ("search", "retention"),
    ("exports",),
    ("commsledger", "commsledger.config", "commsledger.synthetic"),
    ("commsledger.core",),
    ("commsledger.access",),
    ("commsledger.serve",),
    ("commsledger.api", "commsledger.web"),
    ("commsledger.cli",),
    ("commsledger.__main__",),
)
RANK = {package: rank for rank, group in enumerate(LAYERS) for package in group}


def rank(package: str) -> int:
    """A package's layer; a module at the app root (``commsledger.x``) is the app's root layer."""
    return RANK.get(package, RANK["commsledger"])


def package_of(module: str) -> str:
    """The layer unit a module belongs to: a top-level package, or a subpackage of the app."""
    parts = module.split(".")
    if parts[0] == "commsledger" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str) -> set[str]:
    """Every project module named by an import statement anywhere in ``source``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PRODUCT}


def product_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (names that are not modules, such as a
    class imported from a module, resolve to that module)."""
    files = {module_name(p): p for top in PRODUCT for p in (ROOT / top).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for name in imports_of(path.read_text(encoding="utf-8")):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def upward(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports of a package of the same layer or above (a package's own modules excepted)."""
    wrong = []
    for module, targets in graph.items():
        here = package_of(module)
        for target in targets:
            there = package_of(target)
            if there != here and rank(there) >= rank(here):
                wrong.append(f"{module} imports {target} ({there} is not below {here})")
    return sorted(wrong)


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan's strongly connected
    components of more than one module), ignoring a module's import of its own package's
    ``__init__`` (the package's face, which imports its modules by design)."""
    edges = {m: [t for t in ts if not m.startswith(t + ".")] for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_layer() -> None:
    assert {package_of(m) for m in product_graph()} <= set(RANK)


def test_imports_point_down_the_layers() -> None:
    assert upward(product_graph()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(product_graph()) == []


def test_the_app_root_holds_only_a_few_files() -> None:
    assert sorted(p.name for p in (ROOT / "commsledger").glob("*.py")) == [
        "__init__.py",
        "__main__.py",
        "config.py",
    ]


def test_the_checks_catch_an_upward_import_and_a_circle() -> None:
    """The checker itself: a driver importing the app, and two app modules importing each
    other, are both found (as they were on the tree before the layout issue)."""
    graph = {
        "ledger.store.s3": {"commsledger.errors"},
        "commsledger.errors": set(),
        "commsledger.core.register": {"search.indexing"},
        "search.indexing": {"commsledger.core.register"},
    }
    assert upward(graph) == [
        "ledger.store.s3 imports commsledger.errors (commsledger.errors is not below ledger)",
        "search.indexing imports commsledger.core.register (commsledger.core is not below search)",
    ]
    assert circles(graph) == [["commsledger.core.register", "search.indexing"]]
