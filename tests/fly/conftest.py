"""Fixtures for host_checks' tests: a fake flyctl over staging's and production's apps whose
`ssh console -C` runs on this machine, where each test starts the worker processes it wants (uid
10001, a /health endpoint) with command lines unique to the test and to the environment. The
local Fly platform (`local_fly`, `worker_db`), shared with the drill tests, is in tests/conftest.py."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from standin.stack import free_port
from tests.helpers.fake_flyctl import FakeFlyctl, machine, release
from tests.helpers.fly_hosts import (
    AI_API_KEYS,
    APPS,
    DATABASE_URLS,
    MACHINE,
    PROD_URL,
    STAGING_URL,
    WORKER_CODE,
    Entrypoints,
    host_gates_toml,
)
from tests.helpers.gate_run import GateRun, run_gates


@pytest.fixture
def entrypoints() -> Entrypoints:
    token = secrets.token_hex(4)
    return {
        env: {"worker": f"src/workers/index-{env}-{token}.ts", "regenerator": f"src/workers/regen-{env}-{token}.ts"}
        for env in APPS
    }


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
        wanted: dict[str, str | None] = {
            "APP_ENV": env_name,
            "DATABASE_URL": DATABASE_URLS[env_name],
            "AI_API_KEY": AI_API_KEYS[env_name],
            "WORKER_HEALTH_PORT": str(free_port()),
            **env,
        }
        environment = {name: value for name, value in wanted.items() if value is not None}
        command = [sys.executable, "-c", WORKER_CODE, entry]
        started.append(subprocess.Popen(command, cwd=workdir or folder, env=environment))
        time.sleep(0.3)

    yield start
    for process in started:
        process.kill()
        process.wait()


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeFlyctl, tmp_path: Path
) -> Callable[..., GateRun]:
    """`run(env_name="staging")`: host_checks of that environment, with both database variables set."""

    def gate(env_name: str = "staging") -> GateRun:
        environ = {**fake.environ(), "DATABASE_URL_STAGING": STAGING_URL, "DATABASE_URL_PROD": PROD_URL}
        return run_gates(pytester, monkeypatch, tmp_path, "post_deploy and host_checks", env_name, environ)

    return gate
