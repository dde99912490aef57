"""The worker processes of one app, as the host checks see them: each host of the app (a started Fly
machine through `fly ssh console`, or this host in `local`) probed for the processes running the
role's entry point."""

from __future__ import annotations

import shlex
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

from testinfra.backend.local import LocalBackend
from testinfra.host import Host

from fly.config_checks import HEALTH_PATH, HEALTH_PORT_KEY
from fly.flyctl_platform import FlyctlPlatform
from fly.host_backend import FlySshBackend
from fly.host_probe import WorkerProcess, probe
from fly.local_platform import PROCESS_OF_ROLE, LocalFlyPlatform
from fly.platform import FlyPlatform, PlatformError
from gates.config import Environment
from gates.failclosed import cannot_decide


@dataclass(frozen=True)
class AppHost:
    """One host of an app and the worker processes found on it (none: the entry point does not run)."""

    app: str
    where: str  # "machine ID", or "this host"
    entrypoint: str
    workers: list[WorkerProcess]


def entrypoint(environment: Environment, role: str) -> str:
    """What the worker's command line must contain: the last word of the fly.toml's `[processes] app`."""
    if environment.is_local:
        return f"standin.worker {PROCESS_OF_ROLE[role]}"
    path = environment.fly.config_files.get(role)
    if path is None:
        cannot_decide(
            environment,
            f"host_checks needs the {role}'s fly.toml of {environment.name}: set config_files in gates.toml",
        )
    try:
        command = tomllib.loads(path.read_text(encoding="utf-8")).get("processes", {}).get("app", "")
    except (OSError, tomllib.TOMLDecodeError) as error:
        cannot_decide(environment, f"host_checks cannot read {path} for the {role}'s entry point: {error}")
    if not command:
        cannot_decide(environment, f"{path} has no [processes] app command to check the entry point against")
    return str(shlex.split(command)[-1])


def probe_app(
    platform: FlyPlatform,
    environment: Environment,
    role: str,
    app: str,
    variables: Sequence[str],
    secrets: Sequence[str] = (),
) -> list[AppHost]:
    """Every host of `app` with its workers, `variables` hashed and the image's files read for `secrets`;
    PlatformError or RuntimeError when a host cannot be reached or probed."""
    command = entrypoint(environment, role)
    port_variable = "STANDIN_HEALTH_PORT" if environment.is_local else HEALTH_PORT_KEY
    found = []
    for where, host in _hosts(platform, environment, app):
        workers = probe(host, command, variables, port_variable, HEALTH_PATH, secrets=secrets)
        if isinstance(platform, LocalFlyPlatform):  # this host also runs other stacks' workers
            ours = platform.pids(app)
            workers = [worker for worker in workers if worker.pid in ours]
        found.append(AppHost(app, where, command, workers))
    return found


def _hosts(platform: FlyPlatform, environment: Environment, app: str) -> list[tuple[str, Host]]:
    if environment.is_local:
        return [("this host", Host(LocalBackend()))]
    if not isinstance(platform, FlyctlPlatform):
        cannot_decide(environment, f"host_checks reaches {environment.name} machines only through flyctl")
    started = [machine.id for machine in platform.machines(app) if machine.state == "started"]
    if not started:
        raise PlatformError(f"{app} has no started machine to check")
    return [(f"machine {machine}", Host(FlySshBackend(platform, app, machine))) for machine in started]
