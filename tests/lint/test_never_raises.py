"""The linter answers every input with findings or a clean result, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrations_checks.lint.engine import lint_text

EXAMPLE = Path(__file__).parents[2] / "examples" / "atlaris" / "migrations" / "0000_initial_schema.sql"
FRAGMENTS = [
    "ALTER TABLE",
    '"users"',
    "public.",
    "ADD COLUMN",
    "DROP COLUMN",
    "x int",
    "NOT NULL",
    "DEFAULT",
    "gen_random_uuid()",
    "CREATE INDEX",
    "CONCURRENTLY",
    "ON",
    "(",
    ")",
    ",",
    ";",
    "'",
    "$$",
    "$t$",
    "--> statement-breakpoint\n",
    "-- gates: allow drop-column -- r\n",
    "-- gates: allow\n",
    "/*",
    "*/",
    "DO $$ BEGIN",
    "EXCEPTION WHEN duplicate_object THEN null; END $$",
    "EXECUTE",
    "\n",
    " ",
    "E'\\''",
    "CREATE POLICY p ON t",
    "ALTER TYPE e ADD VALUE 'v'",
    "UPDATE t SET a = 'v'",
    "WHERE",
    "GRANT",
    "TO PUBLIC",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text(sql: str) -> None:
    result = lint_text(sql)
    assert result.coverage.opaque + result.coverage.parsed + result.coverage.classified == result.statements


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join))
def test_sql_shaped_noise(sql: str) -> None:
    lint_text(sql)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_real_migration(data: st.DataObject) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 200)))
    insert = data.draw(st.sampled_from(["", *FRAGMENTS]) | st.text(max_size=20))
    lint_text(text[:start] + insert + text[end:])


def test_unknown_statement_is_an_error_not_a_pass() -> None:
    result = lint_text("FROBNICATE the database;")
    assert [(f.rule, f.severity) for f in result.findings] == [("unparseable-statement", "error")]
    assert result.coverage.opaque == 1


def test_dynamic_sql_in_a_do_block_is_an_error() -> None:
    result = lint_text("DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'users'); END $$;")
    assert "unparseable-statement" in [f.rule for f in result.findings]
