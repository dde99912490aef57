"""Fixtures for the stand-in's tests: its schema on a scratch database, a connection, API clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

from gates.config import GatesConfig
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack


@pytest.fixture
def standin_db(scratch_database: str, gates_config: GatesConfig) -> str:
    """A scratch database with the stand-in's schema (prelude + example migrations) and test user."""
    bootstrap(scratch_database, gates_config.migrations, DEFAULT_TEST_USER)
    return scratch_database


@pytest.fixture
def db(standin_db: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the stand-in's database, as the service role."""
    with psycopg.connect(standin_db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def http(standin_api_key: str) -> Iterator[Callable[..., httpx.Client]]:
    """`http(stack)`: a client of the stand-in's API sending the test key (or `key=`)."""
    clients: list[httpx.Client] = []

    def make(stack: Stack, key: str = standin_api_key) -> httpx.Client:
        clients.append(httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {key}"}, timeout=10))
        return clients[-1]

    yield make
    for made in clients:
        made.close()
