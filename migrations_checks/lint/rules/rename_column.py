"""rename-column: `ALTER TABLE ... RENAME COLUMN`.

The release still running names the column the old way; Drizzle lists columns explicitly in every
select and insert, so all of its queries on the table fail, not only those that use the column,
until the new release is fully out and again after any rollback of the app. Add the new column,
write to both, backfill, switch reads, and drop the old column in a later release. A view's or a
materialized view's column renamed breaks its readers the same way.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "rename_column":
            continue
        if action.object_kind is None:
            yield Hit(
                f"renames column {action.table}.{action.column} to {action.name}: "
                f"the running release still reads and writes {action.column}"
            )
        else:
            relation = action.object_kind.lower()
            yield Hit(
                f"renames column {action.table}.{action.column} of a {relation} to {action.name}: "
                f"the running release still reads {action.column}",
                hint=f"give the {relation} both names ({action.column}, {action.column} AS {action.name}), "
                "switch the code, drop the old name in a later release",
            )


RULE = Rule(
    id="rename-column",
    severity="error",
    category="destructive",
    summary="ALTER TABLE ... RENAME COLUMN breaks the queries of the release that is still running",
    hint="add the new column, dual-write, backfill, switch reads, drop the old column in a later release",
    bad='ALTER TABLE "users" RENAME COLUMN "name" TO "display_name";',
    good='ALTER TABLE "users" ADD COLUMN "display_name" text;',
    check=check,
    verbs=frozenset({"rename_column"}),
)
