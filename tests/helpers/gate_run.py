"""Run the installed gates in a pytest of their own, through `pytester`, as a workflow would, with a
gates.toml of the test's own: in this process (`run_gates`), or in a child process (`run_in_child`)
where the run needs its own environment variables or signals."""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping
from pathlib import Path

import pytest

import drills
import fly

# An in-process pytester run takes out of sys.modules every module first imported inside it, so a
# later import in this process makes second copies whose classes differ (httpx then fails to map
# httpcore's errors). Everything an inner run imports is imported here first.
for _package in (fly, drills):
    for _name in (
        "httpcore",
        "tenacity",
        *(f"{_package.__name__}.{m.name}" for m in pkgutil.iter_modules(_package.__path__)),
    ):
        importlib.import_module(_name)


class GateRun(tuple[int, str]):
    """One run of the gates: `code, output = run` for its exit code and whole output, and
    `run.assert_outcomes(passed=...)` for its counts, read by pytester rather than from text.
    A tuple of the two, so unpacking keeps each one's type."""

    result: pytest.RunResult

    def __new__(cls, result: pytest.RunResult) -> GateRun:
        run = super().__new__(cls, (int(result.ret), "\n".join(result.outlines + result.errlines)))
        run.result = result
        return run

    @property
    def code(self) -> int:
        return self[0]

    @property
    def output(self) -> str:
        return self[1]

    def assert_outcomes(self, **counts: int) -> None:
        self.result.assert_outcomes(**counts)


def run_gates(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    marker: str,
    env_name: str,
    environ: Mapping[str, str] | None = None,
    package: str = "fly",
) -> GateRun:
    """The run of the gates; `folder` holds its gates.toml and is the cwd."""
    for name, value in (environ or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder)
    result = pytester.runpytest(
        "--pyargs",
        package,
        "-m",
        marker,
        "--gates-env",
        env_name,
        f"--gates-config={folder / 'gates.toml'}",
        "-p",
        "no:cacheprovider",
        "-rA",
        "-o",
        "python_files=gate_*.py",  # --pyargs collects the package's gate modules, not test files
    )
    return GateRun(result)


def run_in_child(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    environ: Mapping[str, str],
    timeout: float = 120,
) -> pytest.RunResult:
    """pytest in a child process, as a workflow step runs it: in `pytester.path` (which holds the
    run's gates.toml, so the installed gates are collected) and with exactly `environ`."""
    for name in set(os.environ) - set(environ):
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=timeout)
