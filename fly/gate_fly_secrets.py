"""`pytest -m "pre_deploy and fly_secrets"`: every secret the workers need (gates.toml `[fly]
required_secrets`) is set on each worker app. Reads names only, from any of flyctl's three JSON
shapes of `fly secrets list --json` (platforms.md 1.10); values are never returned by flyctl."""

from __future__ import annotations

import pytest

from fly.fixtures import FlyTarget
from fly.flyctl_platform import FlyctlPlatform
from fly.platform import PlatformError
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.failclosed import cannot_decide, fail


@pytest.mark.pre_deploy
@pytest.mark.fly_secrets
@pytest.mark.parametrize("role", FLY_ROLES)
def test_required_secrets_are_set(
    role: str,
    gates_config: GatesConfig,
    gates_env: Environment,
    fly_target: FlyTarget,
) -> None:
    fly_platform = fly_target.platform
    if not isinstance(fly_platform, FlyctlPlatform):
        cannot_decide(gates_env, f"fly_secrets needs flyctl; {gates_env.name} has no Fly secrets to read")
    app = fly_target.apps[role]
    try:
        names = fly_platform.secret_names(app)
    except PlatformError as error:
        fail(f"fly_secrets cannot read the secrets of {app}: {error}")
    missing = [name for name in gates_config.fly.required_secrets if name not in names]
    if missing:
        fail(f"{app} lacks the secret(s) {', '.join(missing)}: set them with `fly secrets set --app {app} NAME=...`")
