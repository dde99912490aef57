"""Run the installed gates in a pytest of their own (in this process, through `pytester`), as a
workflow would: `pytest --pyargs fly -m MARKER --gates-env ENV`, with a gates.toml of the test's own."""

from __future__ import annotations

import importlib
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


def run_gates(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    marker: str,
    env_name: str,
    environ: Mapping[str, str] | None = None,
    package: str = "fly",
) -> tuple[int, str]:
    """The exit code and the whole output of the run; `folder` holds its gates.toml and is the cwd."""
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
        "python_files=gate_*.py",  # until the plugin collects installed gate modules itself
    )
    return int(result.ret), "\n".join(result.outlines + result.errlines)
