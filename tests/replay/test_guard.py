"""The guard: replay writes only to empty scratch databases that no environment uses."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from gates.config import MigrationSettings, load_config
from gates.connect import ConnectBudget
from gates.dsn import database_name, mask
from gates.scratch_db import ScratchServer
from migrations_checks.db.guard import GuardError, check_replay_target, check_scratch_server, protected_urls
from migrations_checks.db.replay import replay_database
from tests.helpers.config import NEON_PRELUDE


def test_a_fresh_scratch_database_is_accepted(scratch_database: str) -> None:
    check_replay_target(scratch_database, {}, connect_budget=ConnectBudget(5))


def test_a_database_that_is_not_empty_is_refused(scratch_database: str) -> None:
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE customers (id int)")

    with pytest.raises(GuardError, match=r"not empty \(it already holds relation public\.customers\)"):
        check_replay_target(scratch_database, {}, connect_budget=ConnectBudget(5))


def test_a_database_with_only_drizzle_bookkeeping_is_not_empty(scratch_database: str) -> None:
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA drizzle")

    with pytest.raises(GuardError, match="schema drizzle"):
        check_replay_target(scratch_database, {}, connect_budget=ConnectBudget(5))


def test_a_configured_production_database_is_refused_with_its_password_masked(scratch_database: str) -> None:
    with_password = make_conninfo(scratch_database, password="prod-secret")

    with pytest.raises(GuardError) as raised:
        check_replay_target(with_password, {"DATABASE_URL_PROD": scratch_database}, connect_budget=ConnectBudget(5))

    message = str(raised.value)
    assert "DATABASE_URL_PROD" in message
    assert "prod-secret" not in message


def test_a_database_replay_did_not_create_is_refused(scratch_server: ScratchServer) -> None:
    with pytest.raises(GuardError, match="'postgres' was not created by replay"):
        check_replay_target(scratch_server.admin_url, {}, connect_budget=ConnectBudget(5))


def test_a_scratch_server_that_is_a_configured_database_is_refused(scratch_server: ScratchServer) -> None:
    with pytest.raises(
        GuardError, match="as the scratch server: it is on the server of the database in DATABASE_URL_ST"
    ):
        check_scratch_server(scratch_server.admin_url, {"DATABASE_URL_STAGING": scratch_server.admin_url})


def test_another_database_on_a_configured_databases_server_is_refused(scratch_server: ScratchServer) -> None:
    staging = make_conninfo(scratch_server.admin_url, dbname="app", password="stg-secret")
    with pytest.raises(GuardError, match="it is on the server of the database in DATABASE_URL_STAGING") as raised:
        check_scratch_server(scratch_server.admin_url, {"DATABASE_URL_STAGING": staging})
    assert "stg-secret" not in str(raised.value) and "password=***" in str(raised.value)


def test_a_configured_url_whose_host_does_not_resolve_is_refused_naming_both_masked(
    scratch_server: ScratchServer,
) -> None:
    production = "postgresql://prod:prod-secret@db.invalid/prod"
    with pytest.raises(GuardError) as raised:
        check_scratch_server(scratch_server.admin_url, {"DATABASE_URL_PROD": production})
    message = str(raised.value)
    assert (
        "cannot tell whether it is the server of DATABASE_URL_PROD (postgresql://prod:***@db.invalid/prod)" in message
    )
    assert "'db.invalid' does not resolve" in message and "prod-secret" not in message
    assert message.startswith(f"refusing {mask(scratch_server.admin_url)} as the scratch server")


def test_protected_urls_come_from_the_staging_and_production_variables(tmp_path: Path) -> None:
    config_file = tmp_path / "gates.toml"
    config_file.write_text('[environments.production]\ndatabase_url_env = "PROD_DB"\n')
    environ = {
        "PROD_DB": "postgresql://p:prod-pw@p/prod",
        "DATABASE_URL_STAGING": "postgresql://s/stg",
        "DATABASE_URL": "postgresql://l/local",
    }

    protected = protected_urls(load_config(config_file), environ)

    assert protected == {"PROD_DB": "postgresql://p:prod-pw@p/prod", "DATABASE_URL_STAGING": "postgresql://s/stg"}
    assert "prod-pw" not in repr(protected)  # what pytest shows of a failing gate's `protected` argument


def test_replay_database_runs_the_prelude_and_drops_the_database(scratch_server: ScratchServer, tmp_path: Path) -> None:
    settings = MigrationSettings(path=tmp_path, prelude=NEON_PRELUDE, connect_budget_s=5)
    with (
        replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as url,
        psycopg.connect(url) as connection,
    ):
        assert connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'authenticated'").fetchone() == (1,)

    with psycopg.connect(scratch_server.admin_url) as connection:
        gone = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)).fetchone()
    assert gone is None
