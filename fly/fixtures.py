"""Fixtures of the Fly gates (loaded by the plugin): the environment's apps, its platform, the health budget."""

from __future__ import annotations

import pytest

from fly.apps import fly_apps, platform_for
from fly.health import health_budget_s
from fly.platform import FlyPlatform, PlatformError
from gates.config import Environment, GatesConfig
from gates.env import EnvError
from gates.failclosed import cannot_decide, fail


@pytest.fixture(scope="session")
def fly_app_names(gates_env: Environment) -> dict[str, str]:
    """Role (worker, regenerator) -> Fly app name of the environment under test."""
    try:
        return fly_apps(gates_env)
    except PlatformError as error:
        cannot_decide(gates_env, str(error))


@pytest.fixture(scope="session")
def fly_platform(gates_config: GatesConfig, gates_env: Environment, fly_app_names: dict[str, str]) -> FlyPlatform:
    """flyctl for staging and production, the stand-in's worker processes for local."""
    try:
        return platform_for(gates_config, gates_env)
    except PlatformError as error:
        cannot_decide(gates_env, str(error))


@pytest.fixture(scope="session")
def fly_health_budget_s(gates_config: GatesConfig) -> float:
    try:
        return health_budget_s(gates_config.fly)
    except EnvError as error:
        fail(str(error))
