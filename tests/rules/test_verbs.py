"""A rule's `verbs` lets the engine skip it for statements without those verbs. The declaration is a
promise that the rule could not fire there; a wrong one would blind the rule without a trace, so
linting with every rule called on every statement must give exactly the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrations_checks.lint import engine
from migrations_checks.lint.engine import lint_text
from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.records.actions import Verb
from migrations_checks.lint.records.findings import Finding
from migrations_checks.lint.rules import Rule, all_rules
from migrations_checks.lint.statements import read_statements

STATEMENT_RULES = tuple(rule for rule in all_rules().values() if rule.check is not None)
# Statements for the verbs that no rule's own examples use, so that every declared verb is tried.
OTHER_VERBS = [
    'ALTER TABLE "tasks" ADD COLUMN "owner_id" uuid REFERENCES "users"("id");',
    'ALTER TABLE "tasks" ADD PRIMARY KEY ("id");',
    'ALTER TABLE "tasks" ADD CONSTRAINT "x" EXCLUDE USING gist ("room" WITH =);',
    "ALTER TABLE tasks FORCE ROW LEVEL SECURITY;",
    "ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY;",
    "VACUUM tasks;",
    "CLUSTER tasks USING tasks_pkey;",
    "ALTER TABLE tasks SET TABLESPACE fast;",
    "ALTER TABLE tasks SET UNLOGGED;",
    "REINDEX INDEX CONCURRENTLY tasks_pkey;",
    "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;",
    "CREATE DATABASE scratch;",
    "DROP DATABASE scratch;",
    "ALTER SYSTEM SET work_mem = '64MB';",
    "CREATE TABLESPACE fast LOCATION '/srv/fast';",
    "DROP TABLESPACE fast;",
    "COMMIT PREPARED 'tx1';",
    "UPDATE tasks SET done = true;",
    "DELETE FROM tasks WHERE done;",
    "ALTER DOMAIN score ADD CHECK (VALUE > 0);",
    "ALTER DOMAIN score SET NOT NULL;",
    "CREATE DOMAIN score AS int CHECK (VALUE > 0);",
    "ALTER TABLE tasks ADD COLUMN score score;",
    "ALTER SCHEMA app RENAME TO app2;",
]
EXAMPLES = [sql for rule in STATEMENT_RULES for sql in (rule.bad, rule.good)] + OTHER_VERBS
HISTORY = sorted((Path(__file__).parents[2] / "examples" / "atlaris" / "migrations").glob("*.sql"))


def unfiltered_findings(sql: str) -> list[Finding]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "statement_rules", lambda verbs: STATEMENT_RULES)
        return lint_text(sql).findings


@pytest.mark.parametrize("rule", [r for r in STATEMENT_RULES if r.verbs is not None], ids=lambda rule: rule.id)
def test_declared_verbs_exist(rule: Rule) -> None:
    assert rule.verbs is not None
    assert rule.verbs <= set(get_args(Verb)), f"{rule.id} names verbs no action has"


def test_examples_try_every_declared_verb() -> None:
    declared = {verb for rule in STATEMENT_RULES for verb in rule.verbs or ()}
    tried = {
        action.verb
        for sql in EXAMPLES
        for statement in read_statements(MigrationFile(path=Path("example.sql"), tag="example", text=sql)).statements
        for action in statement.actions
    }
    assert declared - tried == set(), "add a statement with these verbs to OTHER_VERBS"


@pytest.mark.parametrize("sql", [*EXAMPLES, *(path.read_text(encoding="utf-8") for path in HISTORY)])
def test_skipping_rules_changes_no_finding(sql: str) -> None:
    assert lint_text(sql).findings == unfiltered_findings(sql)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(EXAMPLES), min_size=2, max_size=8).map("\n".join))
def test_skipping_rules_changes_no_finding_in_mixed_migrations(sql: str) -> None:
    # Mixed examples give rules context from other statements: tables created earlier, enum values
    # added in the same transaction, policies dropped and re-created.
    assert lint_text(sql).findings == unfiltered_findings(sql)
