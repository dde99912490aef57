"""`pytest -m "post_deploy and host_checks"`: on each worker host (testinfra over `fly ssh console`, or the
local backend in `local`), the worker runs its entry point as the expected user, with its environment's
APP_ENV, no `.env` file, no file of the image's working directory assigning one of gates.toml's secrets
(named by file, line and name, never the value), and a health endpoint that answers.

Environments are isolated: the SHA-256 of the worker's DATABASE_URL, computed on the host, equals that
of the URL the gates use for this environment and differs from every other environment's; and, in
production's run, every per-environment secret differs from the one the same role's workers of each
other environment hold, compared by hashes computed on both machines (`fly.shared_secrets`). Values never leave a host;
hashes are never printed either.
"""

from __future__ import annotations

import os

import pytest

from fly.fixtures import FlyTarget
from fly.host_probe import EMPTY, UNSET, WorkerProcess, value_hash
from fly.host_workers import probe_app
from fly.platform import PlatformError
from fly.shared_secrets import shared_secret_problems
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.dsn import Dsn
from gates.failclosed import cannot_decide, fail

DATABASE_URL = "DATABASE_URL"


def _isolation_problems(
    config: GatesConfig, environment: Environment, secrets: tuple[str, ...], worker: WorkerProcess
) -> list[str]:
    problems = []
    # Held as Dsn (masked in a repr) from the environment to the hash: a traceback shows no password.
    own = Dsn(os.environ.get(environment.database_url_env, ""))
    if DATABASE_URL in secrets:
        if not own:
            cannot_decide(environment, f"host_checks needs {environment.database_url_env} to compare DATABASE_URL")
        if worker.hashes.get(DATABASE_URL) != value_hash(own):
            problems.append(f"its DATABASE_URL is not {environment.database_url_env}")
    for other in config.environments.values():
        if other.name == environment.name or other.database_url_env == environment.database_url_env:
            continue
        url = Dsn(os.environ.get(other.database_url_env, ""))
        if url and worker.hashes.get(DATABASE_URL) == value_hash(url):
            problems.append(f"its DATABASE_URL is {other.name}'s database ({other.database_url_env})")
    for name in secrets:
        digest = worker.hashes.get(name, UNSET)
        if digest in (UNSET, EMPTY):
            problems.append(f"secret {name} is {'not set' if digest == UNSET else 'empty'}")
    return problems


@pytest.mark.post_deploy
@pytest.mark.host_checks
@pytest.mark.parametrize("role", FLY_ROLES)
def test_worker_host(
    role: str,
    gates_config: GatesConfig,
    gates_env: Environment,
    fly_target: FlyTarget,
) -> None:
    fly_platform = fly_target.platform
    app = fly_target.apps[role]
    secrets = tuple(dict.fromkeys((DATABASE_URL, *gates_config.fly.per_environment_secrets)))
    try:
        hosts = probe_app(fly_platform, gates_env, role, app, secrets, gates_config.fly.secret_names)
    except (PlatformError, RuntimeError) as error:
        fail(f"host_checks cannot probe {app}: {error}")
    problems = []
    for host in hosts:
        if not host.workers:
            problems.append(f"{app} {host.where}: no process runs the entry point {host.entrypoint}")
        for worker in host.workers:
            found = _worker_problems(gates_config, gates_env, secrets, worker)
            problems += [f"{app} {host.where} pid {worker.pid}: {problem}" for problem in found]
    problems += shared_secret_problems(gates_config, gates_env, fly_platform, role, hosts, secrets)
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
