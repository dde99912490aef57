"""`pytest -m "post_deploy and fly_health"`: every machine of each app started, on the newest complete
release's image, all checks passing, within the health budget (gates.toml `[fly] health_budget_s`,
`GATES_FLY_HEALTH_BUDGET_S`). With zero_downtime on, at least two machines per app must be healthy.
A crash-looping machine fails at once, named as such. A stopped standby machine need only be on that
image (see fly.health).
"""

from __future__ import annotations

import pytest

from fly.apps import minimum_machines
from fly.fixtures import FlyTarget
from fly.health import wait_until_healthy
from fly.platform import PlatformError
from gates.config import FLY_ROLES, Environment
from gates.failclosed import fail


@pytest.mark.post_deploy
@pytest.mark.fly_health
@pytest.mark.parametrize("role", FLY_ROLES)
def test_machines_healthy_on_the_new_release(role: str, gates_env: Environment, fly_health_target: FlyTarget) -> None:
    app = fly_health_target.apps[role]
    budget = fly_health_target.health_budget_s
    assert budget is not None  # fly_health_target reads it
    try:
        outcome = wait_until_healthy(fly_health_target.platform, app, budget, minimum_machines(gates_env))
    except PlatformError as error:
        fail(f"fly_health cannot read {app}: {error}")
    if not outcome.healthy:
        fail(outcome.sentence())
