"""Fixtures for the stand-in's tests: its schema on a scratch database, and its processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import psycopg
import pytest

from gates.config import GatesConfig
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack, running

API_KEY = "standin-test-key"
FAST = {"MOCK_GENERATION_DELAY_MS": "200", "WORKER_POLL_INTERVAL_MS": "50", "STANDIN_SHUTDOWN_GRACE_S": "1"}

StandinFactory = Callable[..., AbstractContextManager[Stack]]


@pytest.fixture
def standin_db(scratch_database: str, gates_config: GatesConfig) -> str:
    """A scratch database with the stand-in's schema (prelude + example migrations) and test user."""
    bootstrap(scratch_database, gates_config.migrations, DEFAULT_TEST_USER)
    return scratch_database


@pytest.fixture
def standin(scratch_database: str, gates_config: GatesConfig, tmp_path: Path) -> StandinFactory:
    """`with standin(components, **env) as stack`: the real processes, fast knobs unless overridden."""

    def start(components: tuple[str, ...] = ("api", "generator"), **env: str) -> AbstractContextManager[Stack]:
        return running(scratch_database, gates_config.migrations, api_key=API_KEY, log_dir=tmp_path / "logs",
                       env={**FAST, **env}, components=components)

    return start


@pytest.fixture
def db(standin_db: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the stand-in's database, as the service role."""
    with psycopg.connect(standin_db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def http() -> Iterator[Callable[..., httpx.Client]]:
    """`http(stack)`: a client of the stand-in's API sending the test key (or `key=`)."""
    clients: list[httpx.Client] = []

    def make(stack: Stack, key: str = API_KEY) -> httpx.Client:
        clients.append(httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {key}"}, timeout=10))
        return clients[-1]

    yield make
    for made in clients:
        made.close()
