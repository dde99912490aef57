"""drizzle-orm's own migrator and ours leave indistinguishable databases and continue after each other.

Needs Node.js and a node_modules folder holding `drizzle-orm` and `pg`, named by
GATES_DRIZZLE_NODE_MODULES (e.g. after `npm install drizzle-orm pg` in a scratch folder); without
them the test is skipped, since the suite itself never downloads anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from msgspec.structs import replace
from psycopg.conninfo import conninfo_to_dict

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.fingerprint import fingerprint
from migrations_checks.db.migrator import AppliedRow, apply_pending, read_applied
from migrations_checks.db.replay import replay_database
from migrations_checks.lint.reader import TrackingTable, read_folder
from tests.helpers.config import EXAMPLE_MIGRATIONS, NEON_PRELUDE

NODE_MODULES = os.environ.get("GATES_DRIZZLE_NODE_MODULES")
SCRIPT = Path(__file__).with_name("drizzle_migrate.cjs")
DRIZZLE_DEFAULT = TrackingTable()

pytestmark = pytest.mark.skipif(
    not NODE_MODULES or shutil.which("node") is None,
    reason="set GATES_DRIZZLE_NODE_MODULES to a node_modules with drizzle-orm and pg (and have node) to run",
)


def node_url(conninfo: str) -> str:
    """The conninfo as a URL node-postgres understands (a socket directory goes in `?host=`)."""
    params = conninfo_to_dict(conninfo)
    host, port = str(params.get("host") or "localhost"), params.get("port") or 5432
    user, dbname = params.get("user") or "postgres", params["dbname"]
    if host.startswith("/"):
        return f"postgresql://{user}@localhost:{port}/{dbname}?host={host}"
    return f"postgresql://{user}@{host}:{port}/{dbname}"


def drizzle_migrate(url: str, folder: Path, tracking: TrackingTable = DRIZZLE_DEFAULT) -> None:
    result = subprocess.run(
        ["node", str(SCRIPT), node_url(url), str(folder), tracking.schema, tracking.table],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    assert result.returncode == 0, result.stderr


def ours(url: str, folder: Path, tracking: TrackingTable = DRIZZLE_DEFAULT) -> None:
    migrations = replace(read_folder(folder), tracking=tracking)
    apply_pending(url, migrations, lock_timeout="5s", statement_timeout="60s", connect_budget=ConnectBudget(5))


def truncated(folder: Path, count: int, tmp_path: Path) -> Path:
    """A copy of the example history as it was when its journal had `count` entries."""
    copy = tmp_path / f"first_{count}"
    shutil.copytree(folder, copy)
    journal_path = copy / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text())
    journal["entries"] = journal["entries"][:count]
    journal_path.write_text(json.dumps(journal))
    return copy


def state(url: str) -> tuple[list[AppliedRow], frozenset[str], list[tuple[object, ...]]]:
    with psycopg.connect(url) as connection:
        columns = connection.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'drizzle' ORDER BY column_name"
        ).fetchall()
        return read_applied(connection, TrackingTable()), fingerprint(connection), columns


def test_either_migrator_continues_after_the_other(scratch_server: ScratchServer, tmp_path: Path) -> None:
    settings = MigrationSettings(path=EXAMPLE_MIGRATIONS, prelude=NEON_PRELUDE, connect_budget_s=5)
    with (
        replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as by_drizzle,
        replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as by_us,
        replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as drizzle_then_us,
        replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as us_then_drizzle,
    ):
        drizzle_migrate(by_drizzle, EXAMPLE_MIGRATIONS)
        ours(by_us, EXAMPLE_MIGRATIONS)
        first_three = truncated(EXAMPLE_MIGRATIONS, 3, tmp_path)
        drizzle_migrate(drizzle_then_us, first_three)
        ours(drizzle_then_us, EXAMPLE_MIGRATIONS)
        ours(us_then_drizzle, first_three)
        drizzle_migrate(us_then_drizzle, EXAMPLE_MIGRATIONS)
        drizzle_migrate(by_us, EXAMPLE_MIGRATIONS)  # nothing left to do for drizzle-orm either
        ours(by_drizzle, EXAMPLE_MIGRATIONS)

        reference = state(by_drizzle)
        assert len(reference[0]) == len(read_folder(EXAMPLE_MIGRATIONS).files)
        for url in (by_us, drizzle_then_us, us_then_drizzle):
            assert state(url) == reference


def test_either_migrator_continues_after_the_other_with_their_own_tracking_table(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    settings = MigrationSettings(path=EXAMPLE_MIGRATIONS, prelude=NEON_PRELUDE, connect_budget_s=5)
    tracking = TrackingTable(schema="ops", table="Applied migrations")
    first_three = truncated(EXAMPLE_MIGRATIONS, 3, tmp_path)
    with replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as url:
        drizzle_migrate(url, first_three, tracking)
        ours(url, EXAMPLE_MIGRATIONS, tracking)
        drizzle_migrate(url, EXAMPLE_MIGRATIONS, tracking)  # nothing left for drizzle-orm either
        with psycopg.connect(url) as connection:
            rows = read_applied(connection, tracking)
            assert read_applied(connection, DRIZZLE_DEFAULT) == []  # no table in drizzle's default place
    assert [row.created_at for row in rows] == [file.when for file in read_folder(EXAMPLE_MIGRATIONS).files]
