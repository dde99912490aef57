"""Fixtures shared by the suite's own tests (the gates' fixtures live in the plugin, gates/plugin.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gates.config import GatesConfig, load_config
from tests.helpers.config import write_example_config
from tests.helpers.standin import STANDIN_API_KEY, STANDIN_FAST

if TYPE_CHECKING:
    from fly.local_platform import LocalFlyPlatform
    from standin.stack import Stack


@pytest.fixture(scope="session")
def gates_config(tmp_path_factory: pytest.TempPathFactory) -> GatesConfig:
    """The suite's own configuration (the example history on Neon's prelude), written for the session;
    overrides the plugin's fixture so no test reads this repository's gates.toml."""
    return load_config(write_example_config(tmp_path_factory.mktemp("config")))


@pytest.fixture
def standin_api_key() -> str:
    """The bearer key the `standin` fixture's API accepts."""
    return STANDIN_API_KEY


@pytest.fixture
def standin(
    scratch_database: str, gates_config: GatesConfig, tmp_path: Path
) -> Callable[..., AbstractContextManager[Stack]]:
    """`with standin(components, **env) as stack`: the stand-in's real processes on a scratch database.

    The schema is the configured migrations; the API key is `standin_api_key`; the mock delay and
    poll interval are short unless `env` says otherwise (faults go in `STANDIN_FAULTS`).
    """

    from standin.stack import COMPONENTS, running  # only tests that start the stand-in pay for importing it

    def start(components: tuple[str, ...] = COMPONENTS, **env: str) -> AbstractContextManager[Stack]:
        return running(
            scratch_database,
            gates_config.migrations,
            api_key=STANDIN_API_KEY,
            log_dir=tmp_path / "standin-logs",
            env={**STANDIN_FAST, **env},
            components=components,
        )

    return start


@pytest.fixture
def worker_db(scratch_database: str, gates_config: GatesConfig) -> str:
    """A scratch database with the stand-in's schema and test user, for workers to poll."""
    from standin.schema import bootstrap
    from standin.settings import DEFAULT_TEST_USER

    bootstrap(scratch_database, gates_config.migrations, DEFAULT_TEST_USER)
    return scratch_database


@pytest.fixture
def local_fly(tmp_path: Path, worker_db: str) -> Iterator[Callable[..., LocalFlyPlatform]]:
    """`local_fly(machines=1, kill_timeout_s=2.0)`: the local Fly platform of the `local` environment
    (the Fly and drill tests'), state under tmp_path; every machine it started is stopped after the test."""
    from fly.apps import LOCAL_APPS  # as for `standin`: only the tests that use the platform import it
    from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform

    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    made: list[LocalFlyPlatform] = []

    def make(machines: int = 1, kill_timeout_s: float = 2.0) -> LocalFlyPlatform:
        apps = {app: LocalApp(role, machines, kill_timeout_s) for role, app in LOCAL_APPS.items()}
        made.append(LocalFlyPlatform(tmp_path / STATE_FILE, apps, {"DATABASE_URL": worker_db, **STANDIN_FAST}))
        return made[-1]

    yield make
    for platform in made:
        platform.stop_all()
