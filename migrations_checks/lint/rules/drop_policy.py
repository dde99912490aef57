"""drop-policy: `DROP POLICY` not followed in the same file by a new policy of that name.

Dropping a permissive policy hides rows from the roles it admitted; dropping a restrictive one
lets those roles see or change rows it kept from them. Either way the running application's access
changes the moment the migration commits. Replacing a policy (drop, then `CREATE POLICY` of the
same name on the same table in the same file) is what Drizzle generates for a changed policy and
is not reported; nor is a drop followed in the file by a `DROP TABLE` of its table, under any name
a `RENAME TO` gave it (drop-table reports that), nor a `DROP POLICY IF EXISTS` of a policy that the
history shows does not exist.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext, table_actions
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def _recreated(name: str | None, table: str | None, context: StatementContext) -> bool:
    return any(
        action.verb == "create_policy" and action.name == name and on_table
        for action, on_table in table_actions(table, context.later_in_file)
    )


def _table_dropped_later(table: str | None, context: StatementContext) -> bool:
    """drop-table already reports the table, and its policies go with it."""
    return any(
        action.verb == "drop_table" and on_table for action, on_table in table_actions(table, context.later_in_file)
    )


def _excused(action: Action, context: StatementContext) -> bool:
    return (
        _recreated(action.name, action.table, context)
        or _table_dropped_later(action.table, context)
        or (action.if_exists and context.history.lacks_policy(action.table, action.name))
    )


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb == "drop_policy" and not _excused(action, context):
            yield Hit(
                f"drops policy {action.name} on {action.table} without re-creating it: "
                "who can read or write its rows changes"
            )
            return


RULE = Rule(
    id="drop-policy",
    severity="warning",
    category="security",
    summary="dropping a policy changes who can read or write the table's rows",
    hint="re-create the policy in the same migration, or confirm the new access rules are intended",
    bad='DROP POLICY "plans_owner_read" ON "learning_plans";',
    good='DROP POLICY "plans_owner_read" ON "learning_plans";--> statement-breakpoint\n'
    'CREATE POLICY "plans_owner_read" ON "learning_plans" AS PERMISSIVE FOR SELECT TO "authenticated" '
    'USING ((select auth.user_id()) = "learning_plans"."user_id");',
    check=check,
    verbs=frozenset({"drop_policy"}),
)
