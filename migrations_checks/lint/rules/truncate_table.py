"""truncate-table: `TRUNCATE`.

A schema migration runs against every environment, production included: a TRUNCATE there deletes
every row of the table, takes an ACCESS EXCLUSIVE lock doing it, and cannot be undone by rolling
the app back. Data clean-up belongs in a deliberate, reviewed one-off operation, never in a schema
migration. A table created earlier in the same file, or a TEMP table, holds no rows that outlive
the migration and is exempt.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    emptied = [
        action
        for action in statement.actions
        if action.verb == "truncate" and action.table and not context.holds_no_live_rows(action.table)
    ]
    if emptied:
        tables = ", ".join(action.table or "" for action in emptied)
        cascade = " and, by CASCADE, every table with a foreign key to them" if emptied[0].object_kind else ""
        yield Hit(f"truncates {tables}{cascade}: deletes every row, in production too")


RULE = Rule(
    id="truncate-table",
    severity="error",
    category="destructive",
    summary="TRUNCATE deletes every row of the table in every environment",
    hint="never in a schema migration; clean data up in a reviewed one-off operation",
    bad='TRUNCATE TABLE "plan_generations";',
    good='DELETE FROM "plan_generations" WHERE "created_at" < \'2024-01-01\';',
    check=check,
    verbs=frozenset({"truncate"}),
)
