"""The suite's own layout: shared helpers are imported from tests/helpers, never from a conftest.py,
whose fixtures pytest hands out by name (a conftest imported as a module runs twice, under two names)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported(module: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
            names += [alias.name for alias in node.names if not node.module]
    return names


def test_no_module_of_the_suite_imports_a_conftest() -> None:
    offenders = {
        str(module.relative_to(TESTS)): name
        for module in TESTS.rglob("*.py")
        for name in _imported(module)
        if "conftest" in name.split(".")
    }
    assert offenders == {}
