"""Gate `rollback_drill and drill_fly`: each Fly app rolls back to its previous image, passes the smoke
there, and is rolled forward to the original image, healthy and smoked again.

See `drills.fly_drill`. The platform is the environment's (local processes in `local`, flyctl
elsewhere); the smoke uses the smoke gate's inputs, and without them the drill cannot decide
(unless `[drills] fly_smoke = false`).
"""

from __future__ import annotations

import os

import pytest

from drills.fly_drill import run_fly_drill
from drills.framework import DrillReport
from drills.targets import fly_targets
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.failclosed import fail
from gates.inputs import InputError, stop

pytestmark = [pytest.mark.rollback_drill, pytest.mark.drill_fly]


@pytest.mark.parametrize("role", FLY_ROLES)
def test_app_rolls_back_to_the_previous_image_and_is_restored(
    role: str,
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
        target = fly_targets(gates_config, gates_env, os.environ, progress, connect_budget)[role]
    except InputError as error:
        stop(gates_env, error)
    report = run_fly_drill(target, progress)
    drill_reports.append(report)
    if report.outcome == "interrupted":
        raise KeyboardInterrupt(report.message)
    if not report.passed:
        fail(report.message)
