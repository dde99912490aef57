"""Fixtures and options of the rollback drills (loaded by the plugin through `pytest_plugins`).

`drill_reports` collects every drill's report in the session and publishes them at its end: the
Markdown to `GITHUB_STEP_SUMMARY` when set, the JSON to `--drill-report=PATH` when given.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drills.framework import DrillReport
from drills.report import publish
from gates.plugin import OPTION_GROUP


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(OPTION_GROUP)  # one group in `pytest --help` for every gate option
    group.addoption(
        "--allow-production-drill",
        action="store_true",
        default=False,
        help="let the Vercel drill move the production alias (also needs [drills] allow_production_drill = true)",
    )
    group.addoption(
        "--drill-report",
        type=Path,
        default=None,
        help="write the rollback drills' report as JSON to this path (write it as --drill-report=PATH)",
    )


@pytest.fixture(scope="session")
def drill_reports(pytestconfig: pytest.Config) -> Iterator[list[DrillReport]]:
    """Append each drill's report here; they are published when the session ends."""
    reports: list[DrillReport] = []
    yield reports
    publish(reports, pytestconfig.getoption("--drill-report"), os.environ)


@pytest.fixture
def allow_production_drill(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--allow-production-drill"))
