"""The linter answers every input with findings or a clean result, never an exception."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from migrations_checks import cli
from migrations_checks.lint import engine, statements
from migrations_checks.lint.context import LintOptions
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
    result = lint_text("DO $$ DECLARE t text := 'users'; BEGIN EXECUTE format('DROP TABLE %I', t); END $$;")
    assert "unparseable-statement" in [f.rule for f in result.findings]


def _broken_extractor(real: Callable[..., Any]) -> Callable[..., Any]:
    """`describe` with a bug that meets only CREATE INDEX statements."""

    def describe(kind: str, words: Any, tree: Any, **options: Any) -> Any:
        if kind == "CREATE INDEX":
            raise IndexError("list index out of range")
        return real(kind, words, tree, **options)

    return describe


def test_a_bug_in_an_extractor_fails_that_statement_and_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statements, "describe", _broken_extractor(statements.describe))
    result = lint_text('CREATE INDEX "i" ON "t" ("a");\n--> statement-breakpoint\nALTER TABLE "t" DROP COLUMN "b";\n')
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("unparseable-statement", "error", 1),
        ("drop-column", "error", 3),
    ]
    assert "the linter failed reading this statement (IndexError at test_never_raises.py:" in result.findings[0].message
    assert result.coverage.opaque == 1


def test_a_bug_in_splitting_fails_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def split_sql(source: str) -> Any:
        raise ValueError("unexpected token")

    monkeypatch.setattr(statements, "split_sql", split_sql)
    result = lint_text("SELECT 1;\n")
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [("unparseable-statement", "error", 1)]
    assert "(ValueError at test_never_raises.py:" in result.findings[0].message


def test_the_cli_reports_a_linter_bug_as_a_finding_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gates.toml").write_text("")
    (tmp_path / "0001_index.sql").write_text('CREATE INDEX "i" ON "t" ("a");\n')
    monkeypatch.setattr(statements, "describe", _broken_extractor(statements.describe))
    assert cli.main(["lint", "--no-cache", "0001_index.sql"]) == 1
    out, err = capsys.readouterr()
    assert "error [unparseable-statement] the linter failed reading this statement (IndexError" in out
    assert err == ""


def test_a_bug_in_a_rule_fails_that_statement_as_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(statement: Any, context: Any) -> Any:
        raise KeyError("users")

    rules = engine.statement_rules
    monkeypatch.setattr(
        engine,
        "statement_rules",
        lambda verbs: [replace(rule, check=check) if rule.id == "drop-column" else rule for rule in rules(verbs)],
    )
    options = LintOptions(severity={"drop-column": "warning"})
    result = lint_text('ALTER TABLE "t" DROP COLUMN "b";\n--> statement-breakpoint\nDROP TABLE "t";\n', options)
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("drop-column", "error", 1),  # an error whatever the configured severity: the check did not run
        ("drop-table", "error", 3),
    ]
    assert result.findings[0].message.startswith(
        "drop-column failed on this statement (KeyError at test_never_raises.py:"
    )
