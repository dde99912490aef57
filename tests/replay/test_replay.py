"""Re-running migrations on the migrated schema, and the up/down/up rollback check, on a real Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.replay import replay_database
from migrations_checks.db.rerun import rerun_findings
from migrations_checks.db.rollback import check_rollbacks
from migrations_checks.lint.reader import MigrationSet
from migrations_checks.lint.rules.rerun_failure import RULE as RERUN
from tests.helpers.history import HistoryFactory

BP = "--> statement-breakpoint"


@pytest.fixture
def replay_url(scratch_server: ScratchServer, settings: MigrationSettings) -> Iterator[str]:
    with replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5)) as url:
        yield url


def migrate(url: str, history: MigrationSet, settings: MigrationSettings) -> None:
    apply_pending(
        url,
        history,
        lock_timeout=settings.lock_timeout,
        statement_timeout=settings.statement_timeout,
        connect_budget=ConnectBudget(settings.connect_budget_s),
    )


def rollback_report(
    url: str, history: MigrationSet, settings: MigrationSettings, pending: set[str] | None = None
) -> str:
    tags = pending if pending is not None else {m.tag for m in history.files}
    return "\n".join(
        str(problem) for problem in check_rollbacks(url, history.files, tags, settings, connect_budget=ConnectBudget(5))
    )


def test_the_example_history_survives_a_rerun(
    replay_url: str, example: MigrationSet, settings: MigrationSettings
) -> None:
    migrate(replay_url, example, settings)

    assert rerun_findings(replay_url, example.files, settings, connect_budget=ConnectBudget(5)) == []


def test_statements_that_fail_on_rerun_are_findings(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            (
                "0000_mixed",
                f"CREATE TABLE once (id int);{BP}\n"
                f"CREATE TABLE IF NOT EXISTS twice (id int);{BP}\n"
                f'DROP POLICY IF EXISTS "p" ON twice;{BP}\n'
                f'CREATE POLICY "p" ON twice USING (true);{BP}\n'
                "CREATE INDEX once_id ON once (id);\n",
                None,
            )
        ]
    )
    migrate(replay_url, history, settings)

    findings = rerun_findings(replay_url, history.files, settings, connect_budget=ConnectBudget(5))

    assert [(f.rule, f.severity, f.line) for f in findings] == [(RERUN.id, "warning", 1), (RERUN.id, "warning", 5)]
    assert findings[0].file.endswith("0000_mixed.sql")
    assert "[SQLSTATE 42P07]" in findings[0].message
    assert findings[1].source_line == "CREATE INDEX once_id ON once (id)"


def test_every_failing_statement_of_a_chunk_is_a_finding(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            (
                "0000_one_chunk",
                "CREATE TABLE a (id int);\n"
                "CREATE TABLE IF NOT EXISTS b (id int);\n"
                "CREATE TABLE c (id int);\n"
                "ALTER TABLE c ADD COLUMN note text;\n",
                None,
            )
        ]
    )
    migrate(replay_url, history, settings)

    findings = rerun_findings(replay_url, history.files, settings, connect_budget=ConnectBudget(5))

    assert [(f.line, f.source_line) for f in findings] == [
        (1, "CREATE TABLE a (id int)"),
        (3, "CREATE TABLE c (id int)"),
        (4, "ALTER TABLE c ADD COLUMN note text"),
    ]
    assert all("[SQLSTATE 42P07]" in f.message for f in findings[:2]) and "[SQLSTATE 42701]" in findings[2].message


def test_the_example_history_rolls_back_exactly(
    replay_url: str, example: MigrationSet, settings: MigrationSettings
) -> None:
    assert rollback_report(replay_url, example, settings) == ""


def test_a_migration_needs_a_rollback_or_a_reasoned_marker(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            ("0000_no_rollback", "CREATE TABLE a (id int);", None),
            (
                "0001_marked",
                "-- gates: irreversible -- backfills derived data that cannot be un-derived\nSELECT 1;",
                None,
            ),
            ("0002_no_reason", "-- gates: irreversible\nSELECT 2;", None),
        ]
    )

    report = rollback_report(replay_url, history, settings)

    assert report.splitlines() == [
        "0000_no_rollback: has no rollback file 0000_no_rollback.down.sql and no "
        "`-- gates: irreversible -- <reason>` line",
        "0002_no_reason: is marked `-- gates: irreversible` without a reason; write `-- gates: irreversible -- <why>`",
    ]


def test_only_pending_migrations_are_checked(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            ("0000_applied_long_ago", "CREATE TABLE a (id int);", None),
            ("0001_new", "ALTER TABLE a ADD COLUMN b int;", "ALTER TABLE a DROP COLUMN b;"),
        ]
    )

    assert rollback_report(replay_url, history, settings, pending={"0001_new"}) == ""


def test_a_rollback_that_forgets_an_object_shows_the_diff(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            ("0000_table", "CREATE TABLE t (id int);", "DROP TABLE t;"),
            (
                "0001_note",
                f"ALTER TABLE t ADD COLUMN note text;{BP}\nCREATE INDEX t_id ON t (id);",
                "ALTER TABLE t DROP COLUMN note;",
            ),
        ]
    )

    report = rollback_report(replay_url, history, settings)

    assert "0001_note: up then down does not give back the schema from before (- expected, + found):" in report
    assert "+ index CREATE INDEX t_id ON public.t USING btree (id)" in report
    assert "0001_note: up after rollback failed:" in report  # CREATE INDEX t_id again: already exists
    assert "0001_note.sql line 2: [SQLSTATE 42P07]" in report


FORGOTTEN = {  # what a rollback forgets to undo: (base, up, its incomplete down, the diff line it leaves)
    "domain check": (
        "CREATE DOMAIN positive AS int;",
        f"ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);{BP}\n"
        "CREATE TABLE audit (id positive);",
        "DROP TABLE audit;",
        "+ constraint positive_check on domain public.positive CHECK ((VALUE > 0))",
    ),
    "column collation": (
        "CREATE TABLE t (name text);",
        f'ALTER TABLE t ALTER name TYPE text COLLATE "C";{BP}\nALTER TABLE t ADD COLUMN code text;',
        "ALTER TABLE t DROP COLUMN code;",
        '+ column public.t.name text collate "C"',
    ),
    "sequence parameters": (
        "CREATE SEQUENCE invoice_numbers;",
        f"ALTER SEQUENCE invoice_numbers INCREMENT BY 10 MAXVALUE 100000;{BP}\nCREATE TABLE invoices (id bigint);",
        "DROP TABLE invoices;",
        "+ sequence public.invoice_numbers as bigint start 1 increment 10 min 1 max 100000 cache 1",
    ),
}


@pytest.mark.parametrize(("base", "up", "down", "left_over"), FORGOTTEN.values(), ids=FORGOTTEN.keys())
def test_a_rollback_that_forgets_a_change_shows_it_in_the_diff(
    replay_url: str,
    make_history: HistoryFactory,
    settings: MigrationSettings,
    base: str,
    up: str,
    down: str,
    left_over: str,
) -> None:
    history = make_history([("0000_base", base, "SELECT 1;"), ("0001_change", up, down)])

    report = rollback_report(replay_url, history, settings, pending={"0001_change"})

    assert "0001_change: up then down does not give back the schema from before (- expected, + found):" in report
    assert left_over in [line.strip() for line in report.splitlines()], report


def test_a_rollback_that_fails_names_its_file_and_line(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            ("0000_table", "CREATE TABLE t (id int);", "-- undo\nDROP TABLE tt;"),
            ("0001_more", "CREATE TABLE u (id int);", "DROP TABLE u;"),
        ]
    )

    report = rollback_report(replay_url, history, settings)

    assert report.startswith("0000_table: rollback failed: ")
    assert "0000_table.down.sql line 2: [SQLSTATE 42P01]" in report
    assert "0001_more" not in report  # the walk goes on from "after up", where 0001 rolls back fine


def test_a_history_that_does_not_apply_stops_the_walk(
    replay_url: str, make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history(
        [
            ("0000_broken", "CREATE TABLE t (id int REFERENCES missing (id));", "DROP TABLE t;"),
            ("0001_later", "SELECT 1;", "SELECT 1;"),
        ]
    )

    report = rollback_report(replay_url, history, settings)

    assert report.startswith("0000_broken: up failed: ")
    assert "0001_later" not in report
