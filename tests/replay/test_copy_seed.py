"""Seeding a local copy adds rows to the application's tables, never to drizzle-orm's tracking table."""

from __future__ import annotations

import psycopg

from gates.connect import ConnectBudget
from migrations_checks.db.copy_seed import seed_copy
from migrations_checks.lint.reader import TrackingTable


def test_the_tracking_table_is_never_seeded_wherever_it_is(scratch_database: str) -> None:
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA ops")
        connection.execute("CREATE TABLE ops.mig (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)")
        connection.execute("CREATE TABLE public.notes (id int PRIMARY KEY, body text)")
    seeded = seed_copy(scratch_database, 10, TrackingTable("ops", "mig"), connect_budget=ConnectBudget(5))
    assert [(result.table, result.rows) for result in seeded] == [("notes", 10)]
    with psycopg.connect(scratch_database) as connection:
        assert connection.execute("SELECT count(*) FROM ops.mig").fetchone() == (0,)
