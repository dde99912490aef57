"""Gate `rollback_drill and drill_vercel`: production rolls back to the previous deployment and is restored.

See `drills.vercel_drill`. Refused, with the reason, unless both `[drills] allow_production_drill`
and `--allow-production-drill` allow it. The app's URL is the environment's `api_url`. A refusal
and every missing input are named in one sentence (`drills.targets.vercel_target`).
"""

from __future__ import annotations

import os

import pytest

from drills.framework import DrillReport
from drills.targets import vercel_target
from drills.vercel_drill import run_vercel_drill
from gates.config import Environment, GatesConfig
from gates.failclosed import fail
from gates.inputs import InputError, stop

pytestmark = [pytest.mark.rollback_drill, pytest.mark.drill_vercel]


def test_production_rolls_back_and_is_restored(
    gates_config: GatesConfig,
    gates_env: Environment,
    allow_production_drill: bool,
    drill_reports: list[DrillReport],
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        target = vercel_target(gates_config, gates_env, os.environ, allow_production_drill)
    except InputError as error:
        stop(gates_env, error)

    def progress(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}")

    report = run_vercel_drill(target, progress)
    drill_reports.append(report)
    if report.outcome == "interrupted":
        raise KeyboardInterrupt(report.message)
    if not report.passed:
        fail(report.message)
