"""Fixtures for the Fly gates' tests: a stand-in database and a local Fly platform on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fly.apps import LOCAL_APPS
from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform
from gates.config import GatesConfig
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER
from tests.conftest import STANDIN_FAST

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
