"""Fixtures for the Fly gates' tests: a stand-in database and a local Fly platform on it; and, for
host_checks, a fake flyctl over staging's and production's apps whose `ssh console -C` runs on this
machine, where each test starts the worker processes it wants (uid 10001, a /health endpoint) with
command lines unique to the test and to the environment."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fly.apps import LOCAL_APPS
from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform
from gates.config import GatesConfig
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER
from standin.stack import free_port
from tests.helpers.fake_flyctl import FakeFlyctl, machine, release
from tests.helpers.gate_run import GateRun, run_gates
from tests.helpers.standin import STANDIN_FAST

LOCAL_GATES_TOML = "[environments.local]\n"


@pytest.fixture
def worker_db(scratch_database: str, gates_config: GatesConfig) -> str:
    """A scratch database with the stand-in's schema and test user, for workers to poll."""
    bootstrap(scratch_database, gates_config.migrations, DEFAULT_TEST_USER)
    return scratch_database


@pytest.fixture
def local_fly(tmp_path: Path, worker_db: str) -> Iterator[Callable[..., LocalFlyPlatform]]:
    """`local_fly(**app_changes)`: the local platform of the `local` environment, state under tmp_path;
    every machine it started is stopped after the test."""
    (tmp_path / "gates.toml").write_text(LOCAL_GATES_TOML, encoding="utf-8")
    made: list[LocalFlyPlatform] = []

    def make(machines: int = 1, kill_timeout_s: float = 2.0) -> LocalFlyPlatform:
        apps = {app: LocalApp(role, machines, kill_timeout_s) for role, app in LOCAL_APPS.items()}
        made.append(LocalFlyPlatform(tmp_path / STATE_FILE, apps, {"DATABASE_URL": worker_db, **STANDIN_FAST}))
        return made[-1]

    yield make
    for platform in made:
        platform.stop_all()


APPS = {
    "staging": {"worker": "atlaris-worker-staging", "regenerator": "atlaris-worker-regenerator-staging"},
    "production": {"worker": "atlaris-worker-prod", "regenerator": "atlaris-worker-regenerator-prod"},
}
MACHINE = {"staging": "3d8d1a2b3c4d5e", "production": "9f8e7d6c5b4a39"}  # one started machine per app
STAGING_URL = "postgresql://app:s3cret-staging@staging.db.example/atlaris"
PROD_URL = "postgresql://app:s3cret-prod@prod.db.example/atlaris"
DATABASE_URLS = {"staging": STAGING_URL, "production": PROD_URL}
AI_API_KEYS = {"staging": "sk-staging-s3cret", "production": "sk-prod-s3cret"}
HOST_GATES_TOML = """
[fly]
required_secrets = ["DATABASE_URL", "AI_API_KEY"]
per_environment_secrets = ["DATABASE_URL", "AI_API_KEY"]
"""
# A worker: binds its health port as root, then drops to the image's user 10001, as the Dockerfile runs it.
WORKER_CODE = """
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers()
    def log_message(self, *a): pass
server = http.server.HTTPServer(("127.0.0.1", int(os.environ["WORKER_HEALTH_PORT"])), H)
os.setgid(10001); os.setuid(10001)
server.serve_forever()
"""
Entrypoints = dict[str, dict[str, str]]  # environment -> role -> the file its fly.toml runs


@pytest.fixture
def entrypoints() -> Entrypoints:
    token = secrets.token_hex(4)
    return {
        env: {"worker": f"src/workers/index-{env}-{token}.ts", "regenerator": f"src/workers/regen-{env}-{token}.ts"}
        for env in APPS
    }


def host_gates_toml(folder: Path, entrypoints: Entrypoints, environments: tuple[str, ...] = tuple(APPS)) -> None:
    """gates.toml for host_checks with `environments`' apps, each role's fly.toml running its entry point."""
    text = HOST_GATES_TOML
    for env in environments:
        files = {}
        for role, entry in entrypoints[env].items():
            files[role] = f"fly.{env}.{role}.toml"
            (folder / files[role]).write_text(f'[processes]\napp = "pnpm tsx {entry}"\n', encoding="utf-8")
        apps = APPS[env]
        text += f"""[environments.{env}]
fly_apps = {{ worker = "{apps["worker"]}", regenerator = "{apps["regenerator"]}" }}
[environments.{env}.fly]
config_files = {{ worker = "{files["worker"]}", regenerator = "{files["regenerator"]}" }}
"""
    (folder / "gates.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def fake(tmp_path: Path, entrypoints: Entrypoints) -> FakeFlyctl:
    host_gates_toml(tmp_path, entrypoints)
    fake = FakeFlyctl.install(tmp_path)
    for env, apps in APPS.items():
        for app in apps.values():
            fake.app(app, [release(app, 8, "v8")], [machine(MACHINE[env], app, "v8")])
    return fake


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., None]]:
    """`start_worker(entry, files, workdir, env_name, **env)`: a worker process of `env_name` (staging by
    default, with its DATABASE_URL and AI_API_KEY) running `entry`, in `workdir` or in its own directory
    under tmp_path holding `files` (relative path -> text), as the image's WORKDIR."""
    started: list[subprocess.Popen[bytes]] = []

    def start(
        entry: str,
        files: dict[str, str] | None = None,
        workdir: Path | None = None,
        env_name: str = "staging",
        **env: str | None,
    ) -> None:
        folder = tmp_path / f"machine-{len(started)}"
        folder.mkdir()
        for name, text in (files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        environment = {
            "APP_ENV": env_name,
            "DATABASE_URL": DATABASE_URLS[env_name],
            "AI_API_KEY": AI_API_KEYS[env_name],
            "WORKER_HEALTH_PORT": str(free_port()),
            **env,
        }
        environment = {name: value for name, value in environment.items() if value is not None}
        command = [sys.executable, "-c", WORKER_CODE, entry]
        started.append(subprocess.Popen(command, cwd=workdir or folder, env=environment))
        time.sleep(0.3)

    yield start
    for process in started:
        process.kill()
        process.wait()


def both(
    start_worker: Callable[..., None],
    entrypoints: Entrypoints,
    env_name: str = "staging",
    files: dict[str, str] | None = None,
    **worker_env: str | None,
) -> None:
    """Start `env_name`'s two workers; `worker_env` applies to the generator only (None unsets)."""
    start_worker(entrypoints[env_name]["worker"], files, env_name=env_name, **worker_env)
    start_worker(entrypoints[env_name]["regenerator"], files, env_name=env_name)


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeFlyctl, tmp_path: Path
) -> Callable[..., GateRun]:
    """`run(env_name="staging")`: host_checks of that environment, with both database variables set."""

    def gate(env_name: str = "staging") -> GateRun:
        environ = {**fake.environ(), "DATABASE_URL_STAGING": STAGING_URL, "DATABASE_URL_PROD": PROD_URL}
        return run_gates(pytester, monkeypatch, tmp_path, "post_deploy and host_checks", env_name, environ)

    return gate
