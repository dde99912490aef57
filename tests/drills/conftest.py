"""Fixtures for the drill tests: a small migrated "production" database on the scratch server,
its recorded points in time, and the fake Neon API restoring branches from them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gates.config import DrillSettings, MigrationSettings
from gates.connect import ConnectBudget
from gates.dsn import Dsn, database_name
from gates.local_neon import LocalNeon
from gates.neon import NeonClient
from gates.scratch_db import ScratchServer
from gates.secret import Secret
from migrations_checks.lint.reader import read_folder
from tests.helpers import write_drizzle
from tests.helpers.drill_production import MIGRATIONS, PROJECT_ID, FakeNeon, Production
from tests.helpers.fake_neon import API_KEY, FakeNeonState, fake_neon


@pytest.fixture
def migration_settings(tmp_path: Path) -> MigrationSettings:
    return MigrationSettings(path=tmp_path / "migrations", connect_budget_s=5.0)


@pytest.fixture
def production(
    scratch_server: ScratchServer, tmp_path: Path, migration_settings: MigrationSettings
) -> Iterator[Production]:
    url = Dsn(scratch_server.create_database())
    migrations = read_folder(write_drizzle(tmp_path / "migrations", MIGRATIONS))
    local = LocalNeon(url, connect_budget=ConnectBudget(5.0))
    try:
        yield Production(url, local, migrations, migration_settings)
    finally:
        local.drop_points(database_name(url) or "")
        scratch_server.drop_database(url)


@pytest.fixture
def migrated(production: Production) -> Production:
    """Production with both migrations and a user, its state recorded as a point in time."""
    production.migrate(len(MIGRATIONS))
    production.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    production.local.record_point(production.name)
    return production


@pytest.fixture
def drill_settings() -> DrillSettings:
    # The points of the test are seconds old: branch "now", with budgets that keep a test short.
    return DrillSettings(point_age_minutes=0, operations_budget_s=10, tables_with_rows=("users",))


@pytest.fixture
def neon(scratch_server: ScratchServer, production: Production) -> Iterator[FakeNeon]:
    """The fake Neon API with production's branch; a new branch is a copy of production's newest point."""
    copies: set[str] = set()

    def make_database(_parent_id: str, _timestamp: str | None) -> str:
        points = production.local.points(production.name)
        assert points, "the test recorded no point in time"
        url = scratch_server.create_database()
        with psycopg.connect(scratch_server.admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(database_name(url) or "")))
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(database_name(url) or ""), sql.Identifier(points[-1].database)
                )
            )
        copies.add(url)
        return url

    def drop_database(url: str) -> None:
        copies.discard(url)
        scratch_server.drop_database(url)

    state = FakeNeonState(PROJECT_ID, make_database, drop_database)
    state.add_branch("production", default=True)
    with (
        fake_neon(state) as api_url,
        NeonClient(Secret(API_KEY), PROJECT_ID, api_url=api_url, poll_interval_s=0.01) as client,
    ):
        yield FakeNeon(state, client, copies)
    for url in list(copies):
        scratch_server.drop_database(url)
