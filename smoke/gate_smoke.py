"""The smoke gate: `pytest -m smoke --gates-env ENV`.

Creates a plan through the app's API, waits for the worker to finish it, checks modules and tasks
in the database and through the API, and deletes what it created. Inputs and budgets are in
`smoke.settings`; the whole run is bounded by pytest-timeout with the signal method, so a timeout
interrupts the run like Ctrl-C does and its cleanup still runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.config import Environment
from gates.connect import ConnectBudget
from gates.failclosed import cannot_decide, fail
from gates.plugin import config_path
from smoke.flow import SmokeFailure, run_smoke
from smoke.local_standin import smoke_environ
from smoke.settings import DEFAULT_TOTAL_BUDGET_S, InputError, MissingInput, resolve, total_budget_s


def _marker_budget() -> float:
    """The timeout for the marker; a bad value is reported by `resolve` inside the test."""
    try:
        return total_budget_s()
    except InputError:
        return DEFAULT_TOTAL_BUDGET_S


@pytest.mark.smoke
@pytest.mark.timeout(_marker_budget(), method="signal")
def test_plan_is_generated_end_to_end(
    gates_env: Environment,
    connect_budget: ConnectBudget,
    pytestconfig: pytest.Config,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_file = config_path(pytestconfig)
    environ, hint = smoke_environ(gates_env, [Path.cwd(), *([config_file.parent] if config_file else [])])
    try:
        settings = resolve(gates_env, environ)
    except MissingInput as error:
        cannot_decide(gates_env, f"smoke gate cannot run: {error}{hint}")
    except InputError as error:  # set, but wrong: a mistake to fix, never a reason to skip
        fail(f"smoke gate cannot run: {error}")

    def report(line: str) -> None:
        with capsys.disabled():  # shown as it happens, on its own line after pytest's progress
            print(f"\n{line}")

    try:
        result = run_smoke(settings, connect_budget=connect_budget, report=report)
    except SmokeFailure as failure:
        fail(str(failure))
    report(result.timing_line())
