"""Which Fly apps an environment has, and the platform that reaches them (flyctl, or local processes)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fly.flyctl import Flyctl
from fly.flyctl_platform import FlyctlPlatform
from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform
from fly.platform import FlyPlatform
from fly.units import seconds
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.inputs import InputError, Inputs, MissingInput

LOCAL_APPS = {"worker": "atlaris-worker-local", "regenerator": "atlaris-worker-regenerator-local"}
LOCAL_KILL_TIMEOUT_S = 5.0  # Fly's default; the stand-in's 4 s shutdown grace fits under it
ZERO_DOWNTIME_MACHINES = 2


def minimum_machines(environment: Environment) -> int:
    """How many healthy machines each app needs: two or more when the environment has zero_downtime on."""
    return ZERO_DOWNTIME_MACHINES if environment.fly.zero_downtime else 1


def fly_apps(environment: Environment) -> dict[str, str]:
    """Role (worker, regenerator) -> app name; MissingInput when the environment names none."""
    apps = dict(environment.fly_apps) or (dict(LOCAL_APPS) if environment.is_local else {})
    missing = [role for role in FLY_ROLES if role not in apps]
    if missing:
        raise MissingInput(
            f"no Fly app for {' and '.join(missing)} in {environment.name}: "
            f"set fly_apps in [environments.{environment.name}] of gates.toml"
        )
    return apps


def fly_platform(
    config: GatesConfig, environment: Environment, environ: Mapping[str, str] = os.environ
) -> tuple[dict[str, str], FlyPlatform]:
    """The apps and the platform reaching them: the local one in `local`, flyctl elsewhere.
    Every unusable input is named at once (gates.inputs); an unreadable fly.toml is a wrong one."""
    inputs = Inputs()
    apps = inputs.read(lambda: fly_apps(environment))
    platform: FlyPlatform | None = None
    if environment.is_local and apps is not None:
        platform = inputs.read(lambda: local_platform(config, environment, Path.cwd() / STATE_FILE, environ))
    elif not environment.is_local:
        flyctl = inputs.read(lambda: Flyctl.find(environment, environ))
        files = {(apps or {}).get(role, role): path for role, path in environment.fly.config_files.items()}
        platform = FlyctlPlatform(flyctl, files) if flyctl else None
    inputs.raise_any()
    assert apps is not None and platform is not None
    return apps, platform


def local_platform(
    config: GatesConfig, environment: Environment, state_file: Path, worker_env: Mapping[str, str]
) -> LocalFlyPlatform:
    """The local platform for `environment`'s apps, each shaped by its fly.toml when one is configured."""
    machines = minimum_machines(environment)
    apps = {}
    for role, app in fly_apps(environment).items():
        path = environment.fly.config_files.get(role)
        toml = _read_toml(path) if path is not None else {}
        kill_timeout = seconds(toml.get("kill_timeout", LOCAL_KILL_TIMEOUT_S), bare="s")
        env = {str(key): str(value) for key, value in (toml.get("env") or {}).items()}
        apps[app] = LocalApp(role=role, machines=machines, kill_timeout_s=kill_timeout or LOCAL_KILL_TIMEOUT_S, env=env)
    database_url = worker_env.get(environment.database_url_env)
    return LocalFlyPlatform(state_file, apps, {"DATABASE_URL": database_url} if database_url else {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path} cannot be read as TOML: {error}") from None
