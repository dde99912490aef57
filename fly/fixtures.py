"""Fixtures of the Fly gates (loaded by the plugin): the environment's apps, its platform, the health budget.

Each gate's inputs are read together (gates.inputs), so one sentence names every unusable one,
wrong ones first: `fly_health` adds its budget to the apps and platform every Fly gate needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from fly.apps import fly_platform
from fly.health import health_budget_s
from fly.platform import FlyPlatform
from gates.config import Environment, GatesConfig
from gates.inputs import Inputs


@dataclass(frozen=True)
class FlyTarget:
    apps: dict[str, str]  # role (worker, regenerator) -> Fly app name
    platform: FlyPlatform  # flyctl for staging and production, the stand-in's worker processes for local
    health_budget_s: float | None = None  # read for fly_health only


def _fly_target(config: GatesConfig, environment: Environment, gate: str, *, health: bool = False) -> FlyTarget:
    inputs = Inputs()
    budget = inputs.read(lambda: health_budget_s(config.fly, os.environ)) if health else None
    fly = inputs.read(lambda: fly_platform(config, environment, os.environ))
    inputs.settle(environment, f"{gate} cannot run: ")
    assert fly is not None
    return FlyTarget(*fly, health_budget_s=budget)


@pytest.fixture(scope="session")
def fly_target(gates_config: GatesConfig, gates_env: Environment) -> FlyTarget:
    """The environment's Fly apps and the platform that reaches them."""
    return _fly_target(gates_config, gates_env, "the Fly gates")


@pytest.fixture(scope="session")
def fly_health_target(gates_config: GatesConfig, gates_env: Environment) -> FlyTarget:
    """`fly_target` with the health budget (`[fly] health_budget_s`, `GATES_FLY_HEALTH_BUDGET_S`)."""
    return _fly_target(gates_config, gates_env, "fly_health", health=True)
