"""update-without-where: `UPDATE t SET ...` with no `WHERE` on an existing table.

An unqualified UPDATE rewrites every row of the table inside the migration's transaction: it holds
a row lock on all of them until the commit, blocking the running release's writes, bloats the
table, and overwrites production data in one irreversible step. Backfill in batches, outside the
migration. A table created earlier in the same file has no rows yet, so filling it is harmless.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.delete_without_where import UNMATCHED
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    tables = [
        f"{a.table}{UNMATCHED if a.object_kind == 'MERGE BY SOURCE' else ''}"
        for a in statement.actions
        if a.verb == "update" and not a.has_where and a.table and not context.is_new(a.table)
    ]
    if tables:
        yield Hit(f"updates every row of {', '.join(tables)} in one transaction, locking them all until it commits")


RULE = Rule(
    id="update-without-where",
    severity="error",
    category="destructive",
    summary="UPDATE without WHERE rewrites and locks every row of an existing table",
    hint="backfill in batches outside the migration",
    bad='UPDATE "users" SET "timezone" = \'UTC\';',
    good='CREATE TABLE "settings" ("key" text PRIMARY KEY, "value" text);\nUPDATE "settings" SET "value" = \'\';',
    check=check,
    verbs=frozenset({"update"}),
)
