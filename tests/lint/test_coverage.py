"""Coverage tells what identified each statement: sqlglot's tree only where an extractor read it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from migrations_checks.lint.engine import lint_text
from migrations_checks.lint.records.findings import Coverage
from migrations_checks.lint.sql.classify import classify
from migrations_checks.lint.sql.lexer import tokenize


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);",
        "ALTER TABLE t ADD COLUMN c text;",
        "CREATE INDEX CONCURRENTLY i ON t (c);",
        "CREATE POLICY p ON t FOR SELECT USING (true);",
        # Statements that may change data, but name no UPDATE or DELETE: no tree of them holds one.
        "CREATE TABLE copy AS SELECT * FROM t;",
        "INSERT INTO t SELECT * FROM s;",
    ],
)
def test_a_statement_read_from_its_tokens_is_classified_not_parsed(sql: str) -> None:
    assert lint_text(sql).coverage == Coverage(classified=1)


@pytest.mark.parametrize(
    "sql",
    [
        "WITH gone AS (DELETE FROM t WHERE id = 1 RETURNING id) SELECT * FROM gone;",
        "UPDATE t SET c = 1 WHERE id = 2;",
        "CREATE TABLE copy AS WITH gone AS (DELETE FROM t RETURNING id) SELECT * FROM gone;",
    ],
)
def test_a_statement_whose_tree_an_extractor_reads_is_parsed(sql: str) -> None:
    assert lint_text(sql).coverage == Coverage(parsed=1)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("ALTER PROCEDURAL LANGUAGE plpgsql OWNER TO alice;", "ALTER LANGUAGE"),
        ("DROP PROCEDURAL LANGUAGE IF EXISTS plperl;", "DROP LANGUAGE"),
        ("CREATE OR REPLACE TRUSTED PROCEDURAL LANGUAGE plsample HANDLER h;", "CREATE LANGUAGE"),
    ],
)
def test_the_procedural_spelling_of_language_is_identified(sql: str, kind: str) -> None:
    words, _ = tokenize(sql)
    assert classify(words) == kind
    assert lint_text(sql).coverage == Coverage(classified=1)


def test_a_statement_sqlglot_cannot_parse_is_classified_from_its_words() -> None:
    # sqlglot fails on `WHERE CURRENT OF`; the words still name the table and see the WHERE.
    result = lint_text("DELETE FROM t WHERE CURRENT OF c;")
    assert result.coverage == Coverage(classified=1)
    assert result.findings == []


def test_a_lint_that_parses_nothing_does_not_import_sqlglot() -> None:
    # Importing sqlglot takes a fifth of a second: more than the rest of a small lint's start-up.
    script = (
        "import sys\n"
        "from migrations_checks.lint.engine import lint_text\n"
        "sql = 'DO $$ BEGIN CREATE TYPE s AS ENUM (\\'a\\'); EXCEPTION WHEN duplicate_object THEN null; END $$;'\n"
        "lint_text(sql + 'CREATE TABLE t (id int); INSERT INTO t VALUES (1); GRANT SELECT ON t TO r;')\n"
        "assert 'sqlglot' not in sys.modules, 'sqlglot imported'\n"
        "lint_text('UPDATE t SET id = 2 WHERE id = 1;')\n"
        "assert 'sqlglot' in sys.modules, 'sqlglot not imported for a statement it must parse'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
