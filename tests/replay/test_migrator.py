"""The Drizzle-compatible migrator on a real Postgres: tracking rows, pending selection, one transaction."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import psycopg
import pytest

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from migrations_checks.db.migrator import apply_pending, read_applied
from migrations_checks.db.run_sql import BREAKPOINT, Chunk, StatementError, execute_chunk, split_chunks
from migrations_checks.db.status import read_status
from migrations_checks.lint.reader import InputError, MigrationSet, TrackingTable, read_folder, tracked_as
from tests.helpers import FIRST_WHEN
from tests.helpers.history import TIMEOUTS, HistoryFactory, journal_prefix


def rows(url: str) -> list[tuple[int, str, int | None]]:
    with psycopg.connect(url) as connection:
        return [(row.id, row.hash, row.created_at) for row in read_applied(connection, TrackingTable())]


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        found = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in found}


def test_example_history_applies_and_is_recorded_as_drizzle_records_it(
    prepared_database: str, example: MigrationSet
) -> None:
    result = apply_pending(prepared_database, example, **TIMEOUTS)

    assert [m.tag for m in result.applied] == [m.tag for m in example.files]
    assert result.newest_before is None
    expected = [
        (index, hashlib.sha256(m.path.read_bytes()).hexdigest(), m.when)
        for index, m in enumerate(example.files, start=1)
    ]
    assert rows(prepared_database) == expected
    assert {"users", "learning_plans", "job_queue", "plan_schedules"} <= tables(prepared_database)


def test_applying_again_does_nothing(prepared_database: str, example: MigrationSet) -> None:
    apply_pending(prepared_database, example, **TIMEOUTS)
    before = rows(prepared_database)

    again = apply_pending(prepared_database, example, **TIMEOUTS)

    assert again.applied == ()
    assert again.newest_before == example.files[-1].when
    assert rows(prepared_database) == before


def test_only_entries_newer_than_the_newest_applied_run(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history(
        [
            ("0000_a", "CREATE TABLE a (id int);", None),
            ("0001_b", "CREATE TABLE b (id int);", None),
            ("0002_merged_late", "CREATE TABLE late (id int);", None),
            ("0003_c", "CREATE TABLE c (id int);", None),
        ],
        # 0002 came from another branch: its `when` is older than 0001's.
        whens=[FIRST_WHEN, FIRST_WHEN + 2000, FIRST_WHEN + 1000, FIRST_WHEN + 3000],
    )
    apply_pending(scratch_database, journal_prefix(history, 2), **TIMEOUTS)

    result = apply_pending(scratch_database, history, **TIMEOUTS)

    assert [m.tag for m in result.applied] == ["0003_c"]
    assert tables(scratch_database) == {"a", "b", "c"}  # `late` is skipped forever, as drizzle-orm does


def test_all_pending_migrations_share_one_transaction(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history(
        [
            ("0000_ok", "CREATE TABLE ok (id int);", None),
            ("0001_broken", "CREATE TABLE fine (id int);\n--> statement-breakpoint\nALTER TABLE nope ADD x int;", None),
        ]
    )

    with pytest.raises(StatementError):
        apply_pending(scratch_database, history, **TIMEOUTS)

    assert tables(scratch_database) == set()
    assert rows(scratch_database) == []  # the tracking table exists (created outside), with no row


def test_a_failure_names_file_line_statement_and_sqlstate(scratch_database: str, make_history: HistoryFactory) -> None:
    up = (
        "-- adds two tables\n"
        "CREATE TABLE one (id int);\n"
        f"{BREAKPOINT}\n"
        "CREATE TABLE two (id int);\n"
        "\n"
        "INSERT INTO two (missing_column) VALUES (1);\n"
    )
    history = make_history([("0000_broken", up, None)])

    with pytest.raises(StatementError) as raised:
        apply_pending(scratch_database, history, **TIMEOUTS)

    error = raised.value
    assert error.path.name == "0000_broken.sql"
    assert error.line == 6  # the failing statement inside a multi-statement chunk, from the error position
    assert error.sqlstate == "42703"
    assert "missing_column" in error.message
    assert error.statement.startswith("CREATE TABLE two")
    assert "0000_broken.sql line 6: [SQLSTATE 42703]" in str(error)


def test_chunks_are_cut_exactly_on_the_breakpoint_string() -> None:
    text = f"SELECT 1;{BREAKPOINT}\nSELECT 2; SELECT 3;\n{BREAKPOINT}"

    chunks = split_chunks(text)

    assert [chunk.text for chunk in chunks] == ["SELECT 1;", "\nSELECT 2; SELECT 3;\n", ""]
    assert [text[chunk.offset :].startswith(chunk.text) for chunk in chunks] == [True, True, True]


def test_crlf_line_ends_are_part_of_the_hash(scratch_database: str, make_history: HistoryFactory) -> None:
    up = "CREATE TABLE w (id int);\r\n--> statement-breakpoint\r\nSELECT 1;\r\n"
    history = make_history([("0000_windows", up, None)])

    apply_pending(scratch_database, history, **TIMEOUTS)

    assert rows(scratch_database)[0][1] == hashlib.sha256(history.files[0].path.read_bytes()).hexdigest()


def test_a_migration_waiting_on_a_lock_fails_fast(scratch_database: str, make_history: HistoryFactory) -> None:
    with psycopg.connect(scratch_database, autocommit=True) as setup:
        setup.execute("CREATE TABLE busy (id int)")
    history = make_history([("0000_alter_busy", "ALTER TABLE busy ADD COLUMN note text;", None)])
    holder = psycopg.connect(scratch_database)
    holder.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
    try:
        started = time.monotonic()
        with pytest.raises(StatementError) as raised:
            apply_pending(
                scratch_database,
                history,
                lock_timeout="300ms",
                statement_timeout="20s",
                connect_budget=ConnectBudget(5.0),
            )
        assert raised.value.sqlstate == "55P03"  # lock_not_available
        assert time.monotonic() - started < 5
    finally:
        holder.close()


def test_a_statement_over_its_timeout_is_cancelled(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history([("0000_slow", "SELECT pg_sleep(5);", None)])

    with pytest.raises(StatementError) as raised:
        apply_pending(
            scratch_database, history, lock_timeout="1s", statement_timeout="200ms", connect_budget=ConnectBudget(5.0)
        )

    assert raised.value.sqlstate == "57014"  # query_canceled


def test_timeouts_hold_inside_the_migration_transaction_and_nowhere_else(
    scratch_database: str, make_history: HistoryFactory
) -> None:
    # Set per transaction, so a transaction-mode pooler can neither lose them nor pass them on.
    history = make_history(
        [
            (
                "0000_seen",
                "CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS lock, "
                "current_setting('statement_timeout') AS statement;",
                None,
            )
        ]
    )
    apply_pending(
        scratch_database, history, lock_timeout="1500ms", statement_timeout="25s", connect_budget=ConnectBudget(5.0)
    )
    with psycopg.connect(scratch_database) as connection:
        assert connection.execute("SELECT lock, statement FROM seen").fetchone() == ("1500ms", "25s")


def test_an_invalid_timeout_is_a_configuration_error(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history([("0000_a", "SELECT 1;", None)])

    with pytest.raises(InputError, match="lock_timeout '5 parsecs'"):
        apply_pending(
            scratch_database,
            history,
            lock_timeout="5 parsecs",
            statement_timeout="1s",
            connect_budget=ConnectBudget(5.0),
        )


def test_a_journal_entry_without_its_file_is_refused(scratch_database: str, make_history: HistoryFactory) -> None:
    history = make_history([("0000_a", "SELECT 1;", None), ("0001_b", "SELECT 2;", None)])
    history.files[1].path.unlink()
    assert history.root is not None

    with pytest.raises(InputError, match=r"0001_b\.sql is missing"):
        apply_pending(scratch_database, read_folder(history.root), **TIMEOUTS)


def test_a_plain_folder_is_refused_with_a_reason(scratch_database: str, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "001_a.sql").write_text("SELECT 1;")

    with pytest.raises(InputError, match="only Drizzle folders are supported"):
        apply_pending(scratch_database, read_folder(folder), **TIMEOUTS)


def test_a_chunk_is_never_prepared_however_often_it_runs(scratch_database: str) -> None:
    # node-postgres sends every chunk as a simple query; psycopg would prepare a text run five times.
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE counted (n int)")
        for _ in range(8):
            execute_chunk(connection, Path("0000_x.sql"), "", Chunk("INSERT INTO counted VALUES (1)", 0))
        assert connection.execute("SELECT count(*) FROM pg_prepared_statements").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM counted").fetchone() == (8,)


def test_the_tracking_table_drizzle_config_names_is_the_one_used(
    scratch_database: str, make_history: HistoryFactory
) -> None:
    history = make_history([("0000_a", "CREATE TABLE a (id int);", None), ("0001_b", "CREATE TABLE b (id int);", None)])
    settings = MigrationSettings(path=history.root or Path(), migrations_schema="ops", migrations_table='my "log"')
    tracked = tracked_as(journal_prefix(history, 1), settings)
    apply_pending(scratch_database, tracked, **TIMEOUTS)
    with psycopg.connect(scratch_database) as connection:
        assert [row.created_at for row in read_applied(connection, tracked.tracking)] == [FIRST_WHEN]
        assert connection.execute("SELECT to_regnamespace('drizzle')").fetchone() == (None,)
    everything = tracked_as(history, settings)
    states = read_status(scratch_database, everything, connect_budget=ConnectBudget(5))
    assert [item.state for item in states.migrations] == ["applied", "pending"]
    assert [m.tag for m in apply_pending(scratch_database, everything, **TIMEOUTS).applied] == ["0001_b"]
