"""Gate `rollback_drill and drill_neon`: a point-in-time branch of the environment's database is usable.

See `drills.neon_drill` for the steps. It writes nothing to the environment's database, so it is
safe to schedule against production. The report goes to `drill_reports`.
"""

from __future__ import annotations

import os

import pytest

from drills.framework import DrillReport
from drills.neon_drill import run_neon_drill
from drills.targets import neon_target
from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.failclosed import fail
from gates.inputs import InputError, stop

pytestmark = [pytest.mark.rollback_drill, pytest.mark.drill_neon]


def test_point_in_time_branch_is_usable(
    gates_config: GatesConfig,
    gates_env: Environment,
    connect_budget: ConnectBudget,
    drill_reports: list[DrillReport],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def progress(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}")

    try:
        with neon_target(gates_config, gates_env, os.environ, connect_budget) as target:
            report = run_neon_drill(target, progress)
    except InputError as error:
        stop(gates_env, error)
    drill_reports.append(report)
    if report.outcome == "interrupted":
        raise KeyboardInterrupt(report.message)
    if not report.passed:
        fail(report.message)
