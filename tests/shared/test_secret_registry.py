"""Every secret the suite reads is named in `gates.secret_env`, so Actions masks it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates.secret_env import DATABASE_URL_VARIABLES, SECRET_VARIABLES, UnregisteredSecret, read_secret

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("gates", "fly", "drills", "smoke", "migrations_checks", "rehearse", "standin")
# A variable name whose value is a credential or a connection string.
_SECRET_SHAPED = re.compile(r"[A-Z][A-Z0-9_]*(?:TOKEN|_KEY|SECRET|PASSWORD|DATABASE_URL)[A-Z0-9_]*")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def _reads_environment(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        target = inner.value if isinstance(inner, ast.Subscript) else None
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            target = inner.func.value if inner.func.attr == "get" else None
            if inner.func.attr == "getenv":
                return True
        if target is not None and ast.unparse(target) in ("environ", "os.environ"):
            return True
    return False


def _builds_secret(node: ast.AST) -> bool:
    return any(
        isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "Secret"
        for inner in ast.walk(node)
    )


def test_every_secret_shaped_variable_name_is_registered() -> None:
    registered = {*SECRET_VARIABLES, *DATABASE_URL_VARIABLES}
    unregistered = sorted(
        f"{path}:{node.lineno} {node.value}"
        for path, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _SECRET_SHAPED.fullmatch(node.value)
        and node.value not in registered
    )
    assert unregistered == [], "add these to gates.secret_env so Actions masks them"


def test_no_secret_is_built_from_the_environment_but_through_read_secret() -> None:
    offenders = sorted(
        f"{path}:{node.lineno} {node.name}"
        for path, module in _modules()
        if path != "gates/secret_env.py"
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _builds_secret(node)
        and _reads_environment(node)
    )
    assert offenders == [], "read secrets with gates.secret_env.read_secret, which only takes registered names"


def test_read_secret_refuses_a_name_that_is_not_registered() -> None:
    with pytest.raises(UnregisteredSecret, match="NEW_SERVICE_TOKEN is read as a secret but is not in"):
        read_secret({"NEW_SERVICE_TOKEN": "t"}, "NEW_SERVICE_TOKEN")
    assert read_secret({"VERCEL_TOKEN": " t\n"}, "VERCEL_TOKEN").reveal() == "t"
    assert not read_secret({}, "VERCEL_TOKEN")
