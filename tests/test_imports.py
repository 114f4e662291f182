"""The package's import graph: one namespace, the host apart from its test double, no cycles.

Read from the source with ``ast`` (every import, those under ``TYPE_CHECKING`` and inside functions
included), so a cycle that only type checkers or late imports would close is caught too.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "badgebridge"
NOT_SHIPPED = ("tests", "bench", "examples", "docs", ".venv", "build")
OLD_TOP_LEVEL = ("core", "plugins", "mock_server", "cli", "commands", "testing")


def source_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in NOT_SHIPPED
        and not path.relative_to(ROOT).parts[0].startswith(".")
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in source_files()}
    return {
        name: {target for target in imported_modules(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def test_no_source_file_imports_an_old_top_level_name():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in source_files()
        for name in imported_modules(path)
        if name.split(".")[0] in OLD_TOP_LEVEL
    ]
    assert offenders == []


def test_tests_and_the_example_import_only_the_badgebridge_namespace():
    paths = [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("examples").rglob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in paths
        for name in imported_modules(path)
        if name.split(".")[0] in OLD_TOP_LEVEL
    ]
    assert offenders == []


@pytest.mark.parametrize("outside", ["badgebridge.mock_server", "badgebridge.commands", "badgebridge.cli"])
def test_the_host_does_not_depend_on_the_command_line_or_the_mock(outside):
    offenders = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name.startswith("badgebridge.core")
        for target in targets
        if target == outside or target.startswith(outside + ".")
    ]
    assert offenders == []


def test_the_import_graph_has_no_cycle():
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    # a package's __init__ re-exporting its submodules is not a cycle of meaning
    real = [cycle for cycle in cycles if not _only_through_package_init(cycle)]
    assert real == [], " ; ".join(" -> ".join(cycle) for cycle in real)


def _only_through_package_init(cycle: list[str]) -> bool:
    """A cycle closed by a module importing its own package (``badgebridge.x.y`` -> ``badgebridge.x``)."""
    return any(b != a and a.startswith(b + ".") for a, b in itertools.pairwise(cycle))
