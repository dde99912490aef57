"""drop-column: `ALTER TABLE ... DROP COLUMN`.

The previous release is still running while the migration applies, and again after any rollback
of the app: every query it sends that names the column fails at once, and ORMs that list columns
explicitly (Drizzle does) fail even when the column is unused. The data is gone for good. Stop
using the column first, mark it `-- gates: deprecate column <table>.<column>` in a migration of
that release, and drop it in a later one; the drop is then reported as info.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.drop_table import DEPRECATED_HINT
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.sql.words import written_name
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    dropped = [(a.table, a.column) for a in statement.actions if a.verb == "drop_column" and a.column]
    live = [(table, column) for table, column in dropped if not context.deprecated_by(table, column)]
    if live:
        markers = " and ".join(
            f"`-- gates: deprecate column {written_name(table or '')}.{written_name(column)}`" for table, column in live
        )
        hint = f"two-phase: stop using the column, mark it {markers} in that release, drop it in a later one"
        names = ", ".join(f"{table}.{column}" for table, column in live)
        yield Hit(f"drops column {names} while the running release may still use it", hint=hint)
    elif dropped:
        # Only when every column of the statement was deprecated: one finding per statement.
        origins = ", ".join(
            f"{table}.{column} (deprecated in {context.deprecated_by(table, column)})" for table, column in dropped
        )
        yield Hit(f"drops column {origins}", severity="info", hint=DEPRECATED_HINT)


RULE = Rule(
    id="drop-column",
    severity="error",
    category="destructive",
    summary="ALTER TABLE ... DROP COLUMN breaks the release that is still running",
    hint="two-phase: stop using the column, mark it `-- gates: deprecate column <table>.<column>`, drop it in a later "
    "release",
    bad='ALTER TABLE "users" DROP COLUMN "nickname";',
    good='ALTER TABLE "users" ADD COLUMN "nickname" text;',
    check=check,
    verbs=frozenset({"drop_column"}),
)
