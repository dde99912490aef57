"""volatile-default: `ADD COLUMN` with a volatile default on an existing table.

Since Postgres 11 a constant default is stored once in the catalogue and the column is added
instantly. A default that differs per row (`gen_random_uuid()`, `random()`, `clock_timestamp()`,
a serial or identity column, a stored generated column) has to be computed for every existing row:
Postgres rewrites the whole table under an ACCESS EXCLUSIVE lock. Add the column without a
default, then `SET DEFAULT` (which only affects new rows), and backfill old rows in batches.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    columns = [
        action
        for action in statement.actions
        if action.verb == "add_column" and action.volatile_default and not context.is_new(action.table)
    ]
    if columns:
        described = ", ".join(f"{action.column} (default {action.volatile_default})" for action in columns)
        yield Hit(
            f"adds {described} to {columns[0].table}: every row is rewritten while the table is locked",
            tables=(columns[0].table,),
        )


RULE = Rule(
    id="volatile-default",
    severity="warning",
    category="locking",
    summary="ADD COLUMN with a volatile default rewrites an existing table under an exclusive lock",
    hint="add the column without a default, then SET DEFAULT, and backfill old rows in batches",
    bad='ALTER TABLE "users" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid() NOT NULL;',
    good='ALTER TABLE "users" ADD COLUMN "public_id" uuid;\n'
    'ALTER TABLE "users" ALTER COLUMN "public_id" SET DEFAULT gen_random_uuid();',
    check=check,
    verbs=frozenset({"add_column"}),
)
