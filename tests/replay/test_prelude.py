"""The shipped platform prelude: what hosted Postgres provides to a migration session, no more."""

from __future__ import annotations

import psycopg
import pytest

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from migrations_checks.db.prelude import run_prelude

ROLES = ("anon", "anonymous", "authenticated", "neondb_owner", "service_role")


def test_the_prelude_creates_the_platform_roles_and_runs_again_unchanged(
    scratch_database: str, settings: MigrationSettings
) -> None:
    run_prelude(scratch_database, settings, connect_budget=ConnectBudget(5))
    run_prelude(scratch_database, settings, connect_budget=ConnectBudget(5))

    with psycopg.connect(scratch_database) as connection:
        rows = connection.execute(
            "SELECT rolname, rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s) ORDER BY rolname",
            (list(ROLES),),
        ).fetchall()
    assert rows == [(role, False, role == "service_role") for role in ROLES]


def test_jwt_claims_are_unset_in_a_migration_session_as_on_hosted_postgres(
    scratch_database: str, settings: MigrationSettings
) -> None:
    run_prelude(scratch_database, settings, connect_budget=ConnectBudget(5))

    with psycopg.connect(scratch_database) as connection:
        assert connection.execute("SELECT current_setting('request.jwt.claims', true)").fetchone() == (None,)
        with pytest.raises(psycopg.errors.UndefinedObject, match=r"request\.jwt\.claims"):
            connection.execute("SELECT current_setting('request.jwt.claims')")
