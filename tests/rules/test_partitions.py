"""Partitioned tables: the CONCURRENTLY forms Postgres refuses on them (and elsewhere), and the
locks and scans that attaching a partition takes. Each case was checked on Postgres 16.2."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from migrations_checks.lint.records.findings import Finding
from tests.helpers import fired, write_drizzle

UNSUPPORTED = "concurrently-unsupported"
EVENTS = (
    'CREATE TABLE "events" ("id" int, "at" date, "kind" text) PARTITION BY RANGE ("at");\n'
    "--> statement-breakpoint\n"
    "CREATE TABLE \"events_2024\" PARTITION OF \"events\" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    "--> statement-breakpoint\n"
    'CREATE INDEX "events_kind_idx" ON "events" ("kind");'
)


def findings(tmp_path: Path, later: str, rule_id: str, first: str = EVENTS) -> list[Finding]:
    """The findings of one rule on `later`, linted after a migration `first` (by default the
    partitioned `events`, with a partition and an index)."""
    folder = write_drizzle(tmp_path / "drizzle", {"0000_first": first, "0001_later": later})
    return [f for f in lint_paths([folder], LintOptions(transactional=False)).findings if f.rule == rule_id]


@pytest.mark.parametrize(
    ("later", "message"),
    [
        (
            'CREATE INDEX CONCURRENTLY "events_at_idx" ON "events" ("at");',
            "CREATE INDEX CONCURRENTLY fails on events: a partitioned table cannot be indexed concurrently",
        ),
        (
            'create unique index concurrently if not exists events_at_idx on only public.events (id, "at");',
            "CREATE INDEX CONCURRENTLY fails on events: a partitioned table cannot be indexed concurrently",
        ),
        (
            'DROP INDEX CONCURRENTLY "events_kind_idx";',
            "DROP INDEX CONCURRENTLY fails on events_kind_idx: a partitioned table's index cannot be dropped "
            "concurrently",
        ),
        (
            'DROP INDEX CONCURRENTLY IF EXISTS "a", "b";',
            "DROP INDEX CONCURRENTLY fails: it drops one index at a time, not 2",
        ),
        ('DROP INDEX CONCURRENTLY "events_kind_idx" CASCADE;', "DROP INDEX CONCURRENTLY fails with CASCADE"),
        ("drop index concurrently if exists missing cascade;", "DROP INDEX CONCURRENTLY fails with CASCADE"),
    ],
)
def test_a_concurrently_form_postgres_refuses_fails_under_any_runner(tmp_path: Path, later: str, message: str) -> None:
    [finding] = findings(tmp_path, later, UNSUPPORTED)
    assert finding.message == message
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "later",
    [
        'CREATE INDEX CONCURRENTLY "events_2024_at_idx" ON "events_2024" ("at");',  # a partition: a plain table
        'CREATE INDEX CONCURRENTLY "plans_topic_idx" ON "plans" ("topic");',  # a table the history does not show
        'DROP INDEX CONCURRENTLY "plans_topic_idx" RESTRICT;',
        'DROP INDEX CONCURRENTLY IF EXISTS "missing";',
        'DROP INDEX "a", "b" CASCADE;',  # not concurrently: drop-index-non-concurrently's business
        'CREATE INDEX "events_at_idx" ON ONLY "events" ("at");',
    ],
)
def test_a_form_postgres_accepts_is_not_reported(tmp_path: Path, later: str) -> None:
    assert findings(tmp_path, later, UNSUPPORTED) == []


def test_the_history_that_drops_a_partitioned_table_forgets_it(tmp_path: Path) -> None:
    later = 'DROP TABLE "events";\nCREATE TABLE "events" ("id" int, "kind" text);\n' + (
        'CREATE INDEX CONCURRENTLY "events_id_idx" ON "events" ("id");'
    )
    assert findings(tmp_path, later, UNSUPPORTED) == []


def test_dropping_a_partitioned_tables_index_suggests_what_postgres_allows(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, 'DROP INDEX "events_kind_idx";', "drop-index-non-concurrently")
    assert finding.hint == "events is partitioned, so its index cannot be dropped CONCURRENTLY: drop it at a quiet time"
    [plain] = fired('DROP INDEX "plans_topic_idx";', "drop-index-non-concurrently")
    assert plain.hint == "DROP INDEX CONCURRENTLY, in its own step outside a transaction"
