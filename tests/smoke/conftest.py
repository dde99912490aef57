"""Fixtures for the smoke gate's tests: settings aimed at a stand-in, and its database."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from gates.dsn import Dsn
from gates.secret import Secret
from smoke.auth import StaticToken
from smoke.settings import SmokeSettings
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack
from tests.helpers.fake_clerk import FakeClerk


@pytest.fixture
def clerk() -> Iterator[FakeClerk]:
    with FakeClerk().serving() as fake:
        yield fake


@pytest.fixture
def smoke_settings(scratch_database: str, standin_api_key: str) -> Callable[..., SmokeSettings]:
    """`smoke_settings(stack, **changes)`: a smoke run against that stand-in, with short budgets."""

    def make(stack: Stack, **changes: Any) -> SmokeSettings:
        settings = SmokeSettings(
            api_url=stack.api_url,
            database_url=Dsn(scratch_database),
            test_user=DEFAULT_TEST_USER,
            auth=StaticToken(Secret(standin_api_key)),
            poll_budget_s=3.0,
            total_budget_s=10.0,
        )
        return dataclasses.replace(settings, **changes)

    return make


@pytest.fixture
def smoke_db(scratch_database: str) -> Iterator[psycopg.Connection]:
    """The stand-in's database (its schema exists once a `standin` block has started)."""
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        yield connection


@pytest.fixture
def tagged_plans(smoke_db: psycopg.Connection) -> Callable[[], list[str]]:
    """`tagged_plans()`: the topics of every plan a smoke run could have created, right now."""

    def read() -> list[str]:
        rows = smoke_db.execute("SELECT topic FROM learning_plans WHERE topic LIKE 'gates-smoke %' ORDER BY topic")
        return [row[0] for row in rows]

    return read
