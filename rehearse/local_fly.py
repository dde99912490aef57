"""The rehearsal's Fly side: each release's fly.toml copies, and its deploys on the local Fly platform.

A release's fly configs are the repository's staging ones (`fly/fly.staging.*.toml`, with the
Dockerfile they build from) copied into the workspace, renamed to the local apps and `APP_ENV`, so `fly_config`
judges exactly what the workflow would deploy; a `--break` fault may change a key in them.

The platform's state file is `.gates/fly/state.json` under the workspace, which is the folder the
gates run in: `fly_health` there finds the same machines the deploy started (`fly.apps.fly_platform`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from fly.apps import LOCAL_APPS, local_platform
from fly.health import wait_until_healthy
from fly.local_platform import STATE_FILE, LocalFlyPlatform
from fly.platform import Strategy
from gates.config import FLY_ROLES, load_config
from rehearse.releases import Release

FLY_SOURCE = Path(__file__).resolve().parent.parent / "fly"
DOCKERFILE = "Dockerfile.worker"
# flyctl deploy without waiting on the machines (as with `--detach`): whether they come up healthy
# is post_deploy's question (fly_health), so a machine that cannot start is caught there.
STRATEGY: Strategy = "immediate"
WAIT_TIMEOUT_S = 30.0


def write_fly_configs(release: Release, folder: Path) -> dict[str, Path]:
    """Role -> the release's fly.toml under `folder/fly` (and the Dockerfile beside them)."""
    target = folder / "fly"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FLY_SOURCE / DOCKERFILE, target / DOCKERFILE)
    files = {}
    for role in FLY_ROLES:
        text = (FLY_SOURCE / f"fly.staging.{role}.toml").read_text(encoding="utf-8")
        text = _set_key(_set_key(text, "app", LOCAL_APPS[role]), "APP_ENV", "local")  # [env] APP_ENV
        for changed_role, key, value in release.fly_config:
            if changed_role == role:
                text = _set_key(text, key, value)
        path = target / f"fly.local.{role}.toml"
        path.write_text(text, encoding="utf-8")
        files[role] = path
    return files


def _set_key(text: str, key: str, value: str) -> str:
    """`text` with its first `key = ...` line set to the TOML string `value` (the staging files name each key once)."""
    line = re.compile(rf"^{re.escape(key)} = .*$", re.MULTILINE)
    if not line.search(text):
        raise ValueError(f"the fly.toml has no {key} to change")
    return line.sub(lambda _match: f'{key} = "{value}"', text, count=1)


class LocalFly:
    """The local Fly platform of one rehearsal; `stop_all` takes every machine down."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.platform = LocalFlyPlatform(workspace / STATE_FILE, {})

    def deploy(self, release: Release, config: Path, worker_env: Mapping[str, str]) -> str:
        """Build `release` with its worker faults and deploy it to both apps, as its fly.tomls say; the image.

        Raises PlatformError (one sentence) when the build or a deploy is refused.
        """
        gates = load_config(config)
        # The apps as the gates see them: kill_timeout and [env] from this release's fly.tomls.
        self.platform.apps = local_platform(gates, gates.environment("local"), self.platform.state_file, {}).apps
        self.platform.worker_env = dict(worker_env)  # this release's label, pace and database
        image = self.platform.build(int(release.version.removeprefix("v")), release.worker_faults)
        for app in LOCAL_APPS.values():
            self.platform.deploy(app, image, strategy=STRATEGY, wait_timeout_s=WAIT_TIMEOUT_S)
        return image

    def healthy(self, budget_s: float) -> list[str]:
        """Why each app is not healthy within `budget_s` (empty when both are)."""
        outcomes = [wait_until_healthy(self.platform, app, budget_s) for app in LOCAL_APPS.values()]
        return [outcome.sentence() for outcome in outcomes if not outcome.healthy]

    def stop_all(self) -> None:
        self.platform.stop_all()
