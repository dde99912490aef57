"""The smoke's regeneration leg: the regenerator must finish a regeneration with new modules and tasks."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg
import pytest

from gates.connect import ConnectBudget
from smoke.flow import SmokeFailure, run_smoke
from smoke.settings import SmokeSettings
from standin.stack import Stack

Factory = Callable[..., AbstractContextManager[Stack]]
Settings = Callable[..., SmokeSettings]


def test_both_legs_pass_and_the_regeneration_replaced_the_modules(
    standin: Factory, smoke_settings: Settings, tagged_plans: Callable[[], list[str]], smoke_db: psycopg.Connection
) -> None:
    with standin() as stack:
        result = run_smoke(smoke_settings(stack), connect_budget=ConnectBudget(20), report=lambda line: None)
    assert result.regenerated_s > 0
    jobs = smoke_db.execute("SELECT count(*) FROM job_queue").fetchone()
    assert jobs == (0,)  # both jobs went with the plan
    assert tagged_plans() == []


def test_a_regenerator_that_cannot_start_fails_the_regeneration_leg_naming_it(
    standin: Factory, smoke_settings: Settings, tagged_plans: Callable[[], list[str]]
) -> None:
    with standin(STANDIN_FAULTS="worker_no_start@regenerator") as stack:
        assert stack.component("regenerator").exit_code() == 1
        with pytest.raises(SmokeFailure) as caught:
            run_smoke(
                smoke_settings(stack, poll_budget_s=1.5), connect_budget=ConnectBudget(20), report=lambda line: None
            )
    failure = caught.value
    assert failure.stage == "regeneration", failure.message
    assert "the plan_regeneration job of plan" in failure.detail
    assert "never claimed" in failure.detail and "no regenerator is taking jobs" in failure.detail
    assert tagged_plans() == []
