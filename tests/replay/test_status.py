"""`status`: applied, pending, edited and skipped migrations read from a real database, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from gates.cli import main as gates_main
from gates.connect import ConnectBudget
from gates.dsn import database_name, with_database
from gates.local_neon import LocalNeon
from migrations_checks.cli import main as cli_main
from migrations_checks.db import status
from migrations_checks.db.migrator import AppliedRow, apply_pending, file_hash
from migrations_checks.db.status import read_status
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from tests.helpers import FIRST_WHEN
from tests.helpers.config import REPO
from tests.helpers.history import TIMEOUTS, HistoryFactory, journal_prefix

THREE = [
    ("0000_a", "CREATE TABLE a (id int);", None),
    ("0001_b", "CREATE TABLE b (id int);", None),
    ("0002_c", "CREATE TABLE c (id int);", None),
]


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """`python -m migrations_checks ARGS` in a folder with no gates.toml above it: the defaults apply."""
    cwd = tmp_path_factory.mktemp("no_config")

    def run(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        return subprocess.run(
            [sys.executable, "-m", "migrations_checks", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, "PYTHONPATH": str(REPO)},
        )

    return run


def states(url: str, history: MigrationSet) -> dict[str, str]:
    status = read_status(url, history, connect_budget=ConnectBudget(5.0))
    return {item.tag: item.state for item in status.migrations}


def test_applied_and_pending(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history(THREE)
    apply_pending(scratch_database, journal_prefix(history, 2), **TIMEOUTS)

    assert states(scratch_database, history) == {"0000_a": "applied", "0001_b": "applied", "0002_c": "pending"}


def test_an_empty_database_has_everything_pending_and_is_left_untouched(
    cli: Cli, scratch_database: str, make_history: HistoryFactory
) -> None:
    history = make_history(THREE)

    assert set(states(scratch_database, history).values()) == {"pending"}
    result = cli("status", "--database-url", scratch_database, str(history.root))
    assert result.returncode == 0, result.stderr
    assert "0 applied, 3 pending" in result.stdout
    # reading must not have created drizzle's schema or table
    with psycopg.connect(scratch_database) as connection:
        assert connection.execute("SELECT to_regnamespace('drizzle')").fetchone() == (None,)


def test_an_edited_file_is_reported(cli: Cli, scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history(THREE)
    apply_pending(scratch_database, history, **TIMEOUTS)
    history.files[1].path.write_text("CREATE TABLE b (id bigint);")

    result = cli("status", "--database-url", scratch_database, "--format", "json", str(history.root))

    assert result.returncode == 1
    report = json.loads(result.stdout)
    by_tag = {entry["tag"]: entry for entry in report["migrations"]}
    assert [entry["state"] for entry in report["migrations"]] == ["applied", "edited", "applied"]
    assert by_tag["0001_b"]["rule"] == "applied-migration-edited"
    assert by_tag["0001_b"]["hash"] != by_tag["0001_b"]["recorded_hash"]
    assert set(by_tag["0000_a"]) >= {"tag", "state", "hash"}


def test_an_out_of_order_entry_is_skipped_forever(
    cli: Cli, scratch_database: str, make_history: HistoryFactory
) -> None:
    applied = make_history(THREE[:2], whens=[FIRST_WHEN, FIRST_WHEN + 2000])
    apply_pending(scratch_database, applied, **TIMEOUTS)
    merged = make_history(
        [THREE[0], ("0001_from_a_branch", "CREATE TABLE late (id int);", None), ("0002_b", THREE[1][1], None)],
        whens=[FIRST_WHEN, FIRST_WHEN + 1000, FIRST_WHEN + 2000],
        name="merged",
    )

    result = cli("status", "--database-url", scratch_database, str(merged.root))

    assert result.returncode == 1
    assert "skipped  0001_from_a_branch" in result.stdout
    assert "drizzle-orm will never apply it" in result.stdout
    assert "2 applied, 0 pending, 0 edited, 1 skipped" in result.stdout


def test_an_unreachable_database_exits_2_with_the_password_masked(cli: Cli, make_history: HistoryFactory) -> None:
    history = make_history(THREE)

    result = cli(
        "status",
        "--database-url",
        "postgresql://app:hunter2@127.0.0.1:1/app",
        "--connect-budget",
        "0.5",
        str(history.root),
    )

    assert result.returncode == 2
    assert "hunter2" not in result.stderr + result.stdout
    assert "postgresql://app:***@127.0.0.1:1/app" in result.stderr


@pytest.mark.parametrize("command", ["status", "migrate"])
def test_a_password_with_an_unencoded_slash_is_never_shown(
    cli: Cli, make_history: HistoryFactory, command: str
) -> None:
    history = make_history(THREE)

    result = cli(command, "--database-url", "postgresql://app:X/S3cret@127.0.0.1:1/app", str(history.root))

    assert result.returncode == 2
    assert "S3cret" not in result.stderr + result.stdout
    assert "postgresql://***@127.0.0.1:1/app" in result.stderr and "percent-encode" in result.stderr


@pytest.fixture
def local_neon(scratch_database: str) -> Iterator[LocalNeon]:
    """The local Neon over the scratch database's server; the points a local migrate records are dropped after."""
    local = LocalNeon(scratch_database, connect_budget=ConnectBudget(5))
    yield local
    local.drop_points(database_name(scratch_database) or "")


def test_migrate_command_applies_then_does_nothing(
    cli: Cli, scratch_database: str, make_history: HistoryFactory, local_neon: LocalNeon
) -> None:
    history = make_history(THREE)

    applied = cli("migrate", "--database-url", scratch_database, str(history.root))
    again = cli("migrate", "--database-url", scratch_database, str(history.root))

    assert applied.returncode == 0, applied.stderr
    assert "applied 3 migration(s)" in applied.stdout
    assert again.returncode == 0
    assert "nothing to apply" in again.stdout


def test_local_migrate_records_the_point_in_time_the_drill_branches_from(
    cli: Cli, scratch_database: str, make_history: HistoryFactory, local_neon: LocalNeon
) -> None:
    history = make_history(THREE)
    name = database_name(scratch_database) or ""

    applied = cli("migrate", "--database-url", scratch_database, str(history.root))

    points = local_neon.points(name)
    assert len(points) == 1
    assert f"recorded point in time {points[0].database} of {name} for drill_neon" in applied.stderr
    branch = local_neon.create_branch("drill-branch", parent_id=name, parent_timestamp=None)
    try:
        assert states(branch.connection_uri or "", history) == {
            "0000_a": "applied",
            "0001_b": "applied",
            "0002_c": "applied",
        }
    finally:
        local_neon.delete_branch("drill-branch")


def test_local_migrate_with_the_app_connected_records_no_point_and_says_why(
    cli: Cli, scratch_database: str, make_history: HistoryFactory, local_neon: LocalNeon
) -> None:
    history = make_history(THREE)
    with psycopg.connect(scratch_database):  # the running app
        applied = cli("migrate", "--database-url", scratch_database, str(history.root))

    assert applied.returncode == 0, applied.stderr
    assert "no point in time recorded for drill_neon" in applied.stderr
    assert "1 other session(s) are connected to it, and a copy needs it idle" in applied.stderr
    assert local_neon.points(database_name(scratch_database) or "") == []


def test_migrate_outside_local_records_no_point(
    cli: Cli,
    scratch_database: str,
    make_history: HistoryFactory,
    local_neon: LocalNeon,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATES_ENV", "staging")
    history = make_history(THREE)

    applied = cli("migrate", "--database-url", scratch_database, str(history.root))

    assert applied.returncode == 0, applied.stderr
    assert "point in time" not in applied.stderr
    assert local_neon.points(database_name(scratch_database) or "") == []


def test_migrate_command_reports_a_failing_statement(
    cli: Cli, scratch_database: str, make_history: HistoryFactory
) -> None:
    history = make_history([*THREE[:2], ("0002_broken", "CREATE TABLE a (id int);", None)])

    result = cli("migrate", "--database-url", scratch_database, str(history.root))

    assert result.returncode == 1
    assert "0002_broken.sql line 1: [SQLSTATE 42P07]" in result.stderr
    assert "applied nothing" in result.stderr
    assert states(scratch_database, history) == {"0000_a": "pending", "0001_b": "pending", "0002_broken": "pending"}


def test_plain_folders_are_refused_as_a_usage_error(cli: Cli, scratch_database: str, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "001_a.sql").write_text("SELECT 1;")

    result = cli("status", "--database-url", scratch_database, str(folder))

    assert result.returncode == 2
    assert "only Drizzle folders are supported" in result.stderr


def test_the_database_can_come_from_database_url(cli: Cli, scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history(THREE)
    result = cli("status", str(history.root), database_url=str(scratch_database))
    assert result.returncode == 0, result.stderr
    assert "0 applied, 3 pending" in result.stdout


def test_without_any_database_it_says_how_to_name_one(cli: Cli, make_history: HistoryFactory) -> None:
    result = cli("status", str(make_history(THREE).root))
    assert result.returncode == 2
    assert result.stderr.strip() == "migrations-checks: no database: pass --database-url URL or set DATABASE_URL"


def test_a_locked_tracking_table_fails_status_in_one_line_instead_of_hanging(
    scratch_database: str,
    make_history: HistoryFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    history = make_history(THREE)
    apply_pending(scratch_database, history, **TIMEOUTS)
    monkeypatch.setattr(status, "READ_LOCK_TIMEOUT", "200ms")
    with psycopg.connect(scratch_database) as holder:
        holder.execute('LOCK TABLE drizzle."__drizzle_migrations" IN ACCESS EXCLUSIVE MODE')
        code = cli_main(["status", "--database-url", scratch_database, str(history.root)])
    assert code == 2
    assert capsys.readouterr().err == (
        "migrations-checks: the database refused: canceling statement due to lock timeout [SQLSTATE 55P03]\n"
    )


def test_a_tracking_row_without_created_at_makes_everything_pending_as_for_drizzle(
    scratch_database: str, make_history: HistoryFactory
) -> None:
    history = make_history(THREE)
    apply_pending(scratch_database, journal_prefix(history, 2), **TIMEOUTS)
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('manual', NULL)")
    # drizzle-orm compares against NULL as 0: it would run all three again.
    assert set(states(scratch_database, history).values()) == {"pending"}


def test_migrate_on_a_plain_postgres_names_the_prelude_then_runs_it_with_the_flag(
    cli: Cli, scratch_database: str, make_history: HistoryFactory, tmp_path: Path
) -> None:
    role = f"platform_role_{uuid.uuid4().hex[:12]}"  # roles are server-wide: one no other test made
    history = make_history([("0000_grant", f'CREATE TABLE a (id int);\nGRANT SELECT ON a TO "{role}";', None)])
    prelude = tmp_path / "prelude.sql"
    prelude.write_text(f'CREATE ROLE "{role}" NOLOGIN;\n')
    config = tmp_path / "gates.toml"
    config.write_text(f'[migrations]\nprelude = "{prelude.as_posix()}"\n')

    failed = cli("migrate", "--config", str(config), "--database-url", scratch_database, str(history.root))
    applied = cli(
        "migrate", "--config", str(config), "--prelude", "--database-url", scratch_database, str(history.root)
    )

    assert failed.returncode == 1
    assert f'role "{role}" does not exist' in failed.stderr
    assert f"a plain Postgres does not: [migrations] prelude in gates.toml names {prelude}" in failed.stderr
    assert "rerun with --prelude to run it first" in failed.stderr
    assert applied.returncode == 0 and "applied 1 migration(s)" in applied.stdout, applied.stderr


@pytest.mark.parametrize(("main", "prog"), [(gates_main, "gates"), (cli_main, "migrations-checks")])
def test_a_database_refusal_names_the_command_the_user_typed(
    main: Callable[[list[str]], int],
    prog: str,
    scratch_database: str,
    make_history: HistoryFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    unknown = with_database(scratch_database, f"no_such_db_{uuid.uuid4().hex[:8]}")
    code = main(["status", "--database-url", unknown, str(make_history(THREE).root)])
    assert code == 2
    assert capsys.readouterr().err.startswith(f"{prog}: cannot connect to ")


def _file(tag: str, text: str, when: int) -> MigrationFile:
    return MigrationFile(path=Path(f"{tag}.sql"), tag=tag, text=text, when=when)


def _row(row_id: int, migration: MigrationFile) -> AppliedRow:
    return AppliedRow(id=row_id, hash=file_hash(migration), created_at=migration.when)


def test_entries_sharing_a_when_each_take_the_row_recording_them() -> None:
    first, second = _file("0000_a", "CREATE TABLE a (id int);", 1000), _file("0001_b", "CREATE TABLE b (id int);", 1000)
    edited = _file("0000_a", "CREATE TABLE a (id bigint);", 1000)

    def state_of(files: list[MigrationFile], rows: list[AppliedRow]) -> list[str]:
        return [item.state for item in status.migration_states(files, rows).migrations]

    # Applied in one batch, both are recorded with the same created_at.
    assert state_of([first, second], [_row(1, first), _row(2, second)]) == ["applied", "applied"]
    # An entry added later with the `when` of an applied one is never run: skipped, not "edited".
    assert state_of([first, second], [_row(1, first)]) == ["applied", "skipped"]
    assert state_of([second, first], [_row(1, first)]) == ["skipped", "applied"]
    # An edited file still finds its row once the other file has claimed its own.
    assert state_of([edited, second], [_row(1, first), _row(2, second)]) == ["edited", "applied"]
