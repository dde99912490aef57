"""drop-table: `DROP TABLE` of an existing table.

The release that is still running (during the deploy gap, a rolling deploy, and after any rollback
of the app) keeps querying the table, and every one of those queries fails the moment it is gone;
its rows are gone for good. Stop using the table first, mark it `-- gates: deprecate table <table>`
in a migration of that release, and drop it in a later one: the drop is then reported as info. A
table created earlier in the same file has no rows and no code using it yet.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.sql.words import written_name
from migrations_checks.lint.statements import Statement

DEPRECATED_HINT = "the deploy gate checks that the deprecating migration is applied on production before this runs"


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    dropped = [a.table for a in statement.actions if a.verb == "drop_table" and a.table and not context.is_new(a.table)]
    live = [table for table in dropped if not context.deprecated_by(table)]
    if live:
        markers = " and ".join(f"`-- gates: deprecate table {written_name(table)}`" for table in live)
        hint = f"two-phase: stop using the table, mark it {markers} in that release, drop it in a later one"
        yield Hit(f"drops table {', '.join(live)} while the running release may still use it", hint=hint)
    elif dropped:
        # Only when every table of the statement was deprecated: one finding per statement.
        origins = ", ".join(f"{table} (deprecated in {context.deprecated_by(table)})" for table in dropped)
        yield Hit(f"drops table {origins}", severity="info", hint=DEPRECATED_HINT)


RULE = Rule(
    id="drop-table",
    severity="error",
    category="destructive",
    summary="DROP TABLE breaks the release that is still running and loses the rows",
    hint="two-phase: stop using the table, mark it `-- gates: deprecate table <table>`, drop it in a later release",
    bad='DROP TABLE "plan_drafts";',
    good='CREATE TABLE "plan_drafts" ("id" uuid PRIMARY KEY);\nDROP TABLE "plan_drafts";',
    check=check,
    verbs=frozenset({"drop_table"}),
)
