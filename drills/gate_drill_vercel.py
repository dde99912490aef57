"""Gate `rollback_drill and drill_vercel`: production rolls back to the previous deployment and is restored.

See `drills.vercel_drill`. Refused, with the reason, unless both `[drills] allow_production_drill`
and `--allow-production-drill` allow it. The app's URL is the environment's `api_url`.
"""

from __future__ import annotations

import os

import pytest

from drills.framework import DrillReport
from drills.vercel_cli import VercelCli, VercelError
from drills.vercel_drill import VercelDrillTarget, refusal, run_vercel_drill
from gates.config import Environment, GatesConfig
from gates.failclosed import cannot_decide, fail

pytestmark = [pytest.mark.rollback_drill, pytest.mark.drill_vercel]


def test_production_rolls_back_and_is_restored(
    gates_config: GatesConfig,
    gates_env: Environment,
    allow_production_drill: bool,
    drill_reports: list[DrillReport],
    capsys: pytest.CaptureFixture[str],
) -> None:
    refused = refusal(gates_config.drills, allow_production_drill)
    if refused:
        fail(refused)
    try:
        cli = VercelCli.from_environment(os.environ)
    except VercelError as error:
        cannot_decide(gates_env, f"drill_vercel cannot run: {error}")
    if not gates_env.api_url:
        cannot_decide(gates_env, f"drill_vercel checks that production answers: set api_url of {gates_env.name}")

    def progress(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}")

    report = run_vercel_drill(VercelDrillTarget(cli, gates_env.api_url, gates_config.drills), progress)
    drill_reports.append(report)
    if report.outcome == "interrupted":
        raise KeyboardInterrupt(report.message)
    if not report.passed:
        fail(report.message)
