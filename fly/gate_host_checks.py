"""`pytest -m "post_deploy and host_checks"`: on each worker host (testinfra over `fly ssh console`, or the
local backend in `local`), the worker runs its entry point as the expected user, with its environment's
APP_ENV, no `.env` file, no file of its working directory assigning one of gates.toml's secrets (file,
line and name are named, never the value), a health endpoint that answers, and its environment's own DATABASE_URL: the
SHA-256 computed on the host equals that of the URL the gates use for this environment and differs
from every other environment's. Values never leave the host; hashes are never printed either.
"""

from __future__ import annotations

import os
import shlex
import tomllib

import pytest
from testinfra.backend.local import LocalBackend
from testinfra.host import Host

from fly.flyctl_platform import FlyctlPlatform
from fly.host_backend import FlySshBackend
from fly.host_probe import UNSET, WorkerProcess, probe, value_hash
from fly.local_platform import PROCESS_OF_ROLE, LocalFlyPlatform
from fly.platform import FlyPlatform, PlatformError
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.failclosed import cannot_decide, fail

DATABASE_URL = "DATABASE_URL"


def _entrypoint(environment: Environment, role: str) -> str:
    """What the worker's command line must contain: the last word of the fly.toml's `[processes] app`."""
    if environment.is_local:
        return f"standin.worker {PROCESS_OF_ROLE[role]}"
    path = environment.fly.config_files.get(role)
    if path is None:
        cannot_decide(environment, f"host_checks needs the {role}'s fly.toml: set config_files in gates.toml")
    command = tomllib.loads(path.read_text(encoding="utf-8")).get("processes", {}).get("app", "")
    if not command:
        cannot_decide(environment, f"{path} has no [processes] app command to check the entry point against")
    return str(shlex.split(command)[-1])


def _hosts(platform: FlyPlatform, environment: Environment, app: str) -> list[tuple[str, Host]]:
    if environment.is_local:
        return [("this host", Host(LocalBackend()))]
    if not isinstance(platform, FlyctlPlatform):
        cannot_decide(environment, f"host_checks reaches {environment.name} machines only through flyctl")
    started = [machine.id for machine in platform.machines(app) if machine.state == "started"]
    if not started:
        fail(f"host_checks: {app} has no started machine to check")
    return [(f"machine {machine}", Host(FlySshBackend(platform, app, machine))) for machine in started]


def _isolation_problems(
    config: GatesConfig, environment: Environment, secrets: tuple[str, ...], worker: WorkerProcess
) -> list[str]:
    problems = []
    own = os.environ.get(environment.database_url_env, "")
    if DATABASE_URL in secrets:
        if not own:
            cannot_decide(environment, f"host_checks needs {environment.database_url_env} to compare DATABASE_URL")
        if worker.hashes.get(DATABASE_URL) != value_hash(own):
            problems.append(f"its DATABASE_URL is not {environment.database_url_env}")
    for other in config.environments.values():
        if other.name == environment.name or other.database_url_env == environment.database_url_env:
            continue
        url = os.environ.get(other.database_url_env, "")
        if url and worker.hashes.get(DATABASE_URL) == value_hash(url):
            problems.append(f"its DATABASE_URL is {other.name}'s database ({other.database_url_env})")
    problems += [f"secret {name} is not set" for name in secrets if worker.hashes.get(name, UNSET) == UNSET]
    return problems


@pytest.mark.post_deploy
@pytest.mark.host_checks
@pytest.mark.parametrize("role", FLY_ROLES)
def test_worker_host(
    role: str,
    gates_config: GatesConfig,
    gates_env: Environment,
    fly_platform: FlyPlatform,
    fly_app_names: dict[str, str],
) -> None:
    app = fly_app_names[role]
    entrypoint = _entrypoint(gates_env, role)
    secrets = tuple(dict.fromkeys((DATABASE_URL, *gates_config.fly.per_environment_secrets)))
    port_variable = "STANDIN_HEALTH_PORT" if gates_env.is_local else "WORKER_HEALTH_PORT"
    problems = []
    try:
        for where, host in _hosts(fly_platform, gates_env, app):
            workers = probe(host, entrypoint, secrets, port_variable, secrets=gates_config.fly.secret_names)
            if isinstance(fly_platform, LocalFlyPlatform):  # this host also runs other stacks' workers
                ours = fly_platform.pids(app)
                workers = [worker for worker in workers if worker.pid in ours]
            if not workers:
                problems.append(f"{app} {where}: no process runs the entry point {entrypoint}")
            for worker in workers:
                found = _worker_problems(gates_config, gates_env, secrets, worker)
                problems += [f"{app} {where} pid {worker.pid}: {problem}" for problem in found]
    except (PlatformError, RuntimeError) as error:
        fail(f"host_checks cannot probe {app}: {error}")
    if problems:
        fail("; ".join(problems))


def _worker_problems(
    config: GatesConfig, environment: Environment, secrets: tuple[str, ...], worker: WorkerProcess
) -> list[str]:
    problems = []
    # Local workers run as whoever runs the gates (root on a CI box); on Fly the image's user is non-root.
    if environment.is_local and worker.uid != os.getuid():
        problems.append(f"runs as uid {worker.uid}, not {os.getuid()} (the user running the gates)")
    if not environment.is_local and worker.uid == 0:
        problems.append("runs as root")
    if not environment.is_local and worker.app_env != environment.name:
        problems.append(f"APP_ENV is {worker.app_env or '(unset)'}, not {environment.name}")
    problems += [f"a {name} file is in its working directory" for name in worker.dotenv_files]
    if worker.workdir in ("", "/"):
        problems.append(
            f"its working directory is {worker.workdir or 'unreadable'}, so the image's files cannot be checked "
            "for secrets: set WORKDIR in Dockerfile.worker"
        )
    problems += [
        f"{item.file} line {item.line} assigns {item.name}: a secret is baked into the image" for item in worker.baked
    ]
    if not worker.health_answers:
        problems.append("its health endpoint does not answer")
    return problems + _isolation_problems(config, environment, secrets, worker)
