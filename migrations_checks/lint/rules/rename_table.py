"""rename-table: `ALTER TABLE ... RENAME TO` (and `SET SCHEMA`, which moves it out of reach).

Views, materialized views and schemas renamed (or moved) break the running release the same way;
a TEMP table, seen by the migration's session alone, does not.

Old code keeps running against the new schema for a while, and it still names the table the old
way: every query it sends fails until the new release is fully out, and again after any rollback of
the app. Create the new table, write to both, backfill, switch reads to the new one, and drop the
old one in a later release.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb == "rename_table" and context.history.is_index(action.table):
            continue  # ALTER TABLE renames an index too, and no query names an index
        if action.verb == "rename_table" and context.history.is_temporary(action.table):
            continue  # the migration's own session's table: no running release can query it
        if action.verb == "rename_table" and action.object_kind is None:
            yield Hit(
                f"renames table {action.table} to {action.name or '(unknown)'}: "
                f"the running release still queries {action.table}"
            )
        elif action.verb == "rename_table" and action.object_kind:
            relation = action.object_kind.lower()
            yield Hit(
                f"renames {relation} {action.table} to {action.name or '(unknown)'}: "
                f"the running release still queries {action.table}",
                hint=f"create the {relation} under the new name beside the old one, switch the code to it, "
                "drop the old one in a later release",
            )
        elif action.verb == "rename_schema":
            yield Hit(
                f"renames schema {action.name} to {action.values[0]}: the running release still queries "
                f"every table of {action.name} by the old name",
                hint="keep the schema's name, or move its tables one by one, each the two-phase way",
            )


RULE = Rule(
    id="rename-table",
    severity="error",
    category="destructive",
    summary="ALTER TABLE ... RENAME TO breaks every query of the release that is still running",
    hint="create the new table, dual-write, backfill, switch reads, drop the old table in a later release",
    bad='ALTER TABLE "plans" RENAME TO "learning_plans";',
    good='CREATE TABLE "learning_plans" ("id" uuid PRIMARY KEY, "topic" text NOT NULL);',
    check=check,
    verbs=frozenset({"rename_table", "rename_schema"}),
)
