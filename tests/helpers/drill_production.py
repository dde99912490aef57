"""The drill tests' "production": a small migrated database on the scratch server, and the fake
Neon API restoring branches of it (the fixtures that make them are in tests/drills/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.dsn import Dsn, database_name
from gates.local_neon import LocalNeon
from gates.neon import NeonClient
from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import MigrationSet, read_folder
from tests.helpers import write_drizzle
from tests.helpers.fake_neon import FakeNeonState

MIGRATIONS = {
    "0000_users": "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);",
    "0001_plans": "CREATE TABLE learning_plans (id serial PRIMARY KEY, user_id int REFERENCES users);",
}
PROJECT_ID = "proj-drill-test"


@dataclass
class Production:
    """A migrated database standing for production, and the local platform over its server."""

    url: Dsn
    local: LocalNeon
    migrations: MigrationSet
    settings: MigrationSettings

    @property
    def name(self) -> str:
        return database_name(self.url) or ""

    def migrate(self, count: int) -> None:
        """Apply the first `count` migrations, as a deploy of an older release would."""
        folder = self.migrations.root
        assert folder is not None
        subset = read_folder(write_drizzle(folder.parent / f"first{count}", dict(list(MIGRATIONS.items())[:count])))
        apply_pending(self.url, subset, lock_timeout="2s", statement_timeout="20s", connect_budget=ConnectBudget(5))

    def execute(self, statement: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(statement.encode())


@dataclass
class FakeNeon:
    """The fake Neon API's state, a client of it, and the copies its branches made that are still live."""

    state: FakeNeonState
    client: NeonClient
    live_copies: set[str]
