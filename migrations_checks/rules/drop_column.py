"""drop-column: `ALTER TABLE ... DROP COLUMN`.

The previous release is still running while the migration applies, and again after any rollback
of the app: every query it sends that names the column fails at once, and ORMs that list columns
explicitly (Drizzle does) fail even when the column is unused. The data is gone for good. Stop
using the column first, mark it `-- gates: deprecate column <table>.<column>` in a migration of
that release, and drop it in a later one; the drop is then reported as info.
"""

from collections.abc import Iterator

from migrations_checks.context import StatementContext
from migrations_checks.rules import Hit, Rule
from migrations_checks.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "drop_column":
            continue
        deprecated_by = context.deprecated_by(action.table, action.column)
        if deprecated_by:
            yield Hit(f"drops column {action.table}.{action.column}, deprecated in {deprecated_by}",
                      severity="info")
        else:
            yield Hit(f"drops column {action.table}.{action.column} while the running release may still use it")


RULE = Rule(
    id="drop-column",
    severity="error",
    category="destructive",
    summary="ALTER TABLE ... DROP COLUMN breaks the release that is still running",
    hint="two-phase: stop using the column, mark it `-- gates: deprecate column t.c`, drop it in a later release",
    bad='ALTER TABLE "users" DROP COLUMN "nickname";',
    good='ALTER TABLE "users" ADD COLUMN "nickname" text;',
    check=check,
)
