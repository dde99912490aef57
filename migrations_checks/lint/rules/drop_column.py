"""drop-column: `ALTER TABLE ... DROP COLUMN`.

The previous release is still running while the migration applies, and again after any rollback
of the app: every query it sends that names the column fails at once, and ORMs that list columns
explicitly (Drizzle does) fail even when the column is unused. The data is gone for good. Stop
using the column first, mark it `-- gates: deprecate column <table>.<column>` in a migration of
that release, and drop it in a later one; the drop is then reported as info.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    dropped = [f"{a.table}.{a.column}" for a in statement.actions if a.verb == "drop_column"]
    live = [name for name in dropped if not context.deprecated_by(*name.rsplit(".", 1))]
    if live:
        yield Hit(f"drops column {', '.join(live)} while the running release may still use it")
    elif dropped:
        # Only when every column of the statement was deprecated: one finding per statement.
        origins = ", ".join(f"{name} (deprecated in {context.deprecated_by(*name.rsplit('.', 1))})" for name in dropped)
        yield Hit(f"drops column {origins}", severity="info")


RULE = Rule(
    id="drop-column",
    severity="error",
    category="destructive",
    summary="ALTER TABLE ... DROP COLUMN breaks the release that is still running",
    hint="two-phase: stop using the column, mark it `-- gates: deprecate column t.c`, drop it in a later release",
    bad='ALTER TABLE "users" DROP COLUMN "nickname";',
    good='ALTER TABLE "users" ADD COLUMN "nickname" text;',
    check=check,
    verbs=frozenset({"drop_column"}),
)
