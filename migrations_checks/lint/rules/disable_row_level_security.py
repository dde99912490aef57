"""disable-row-level-security: `DISABLE ROW LEVEL SECURITY` or `NO FORCE ROW LEVEL SECURITY`.

With row level security off, every role that can query the table sees and changes every row: the
table's policies stop applying at once, for every tenant. `NO FORCE` does the same for the table's
owner, which is often the role the application connects as (on Neon, by default). Keep RLS on and
change the policies instead; if it must go, do it in a reviewed migration with a suppression. A
table the same file then drops in the same transaction, under any name a `RENAME TO` or `SET SCHEMA`
gave it, is not reported: `drop-table` judges the drop (as `drop-policy` leaves a dropped table's
policies to it), and no query sees the table in between.
Nor is a switch the history shows already off (it created the table and never turned it on): drizzle-kit
writes the pair for tables without row level security too, and then nothing changes.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext, table_actions
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb in ("disable_rls", "no_force_rls") and (
            _dropped_next(action.table, statement, context)
            or context.history.row_security_off(action.table, forced=action.verb == "no_force_rls")
        ):
            continue
        if action.verb == "disable_rls":
            yield Hit(f"disables row level security on {action.table}: its policies stop applying")
            return
        if action.verb == "no_force_rls":
            yield Hit(f"stops forcing row level security on {action.table}: its owner bypasses the policies")
            return


def _dropped_next(table: str | None, statement: Statement, context: StatementContext) -> bool:
    """Whether a later statement of the same file and transaction drops the table: drizzle-kit writes
    the switch before every DROP TABLE of a table with row level security, and the lock it takes
    holds until the drop commits, so no query ever sees the table without its policies. The table
    renamed or moved in between is dropped under its new name; a table created under its name (a
    TEMP one, say) makes a later drop of that name another table's."""
    for action, on_table in table_actions(table, context.settled_later(statement)):
        if on_table and action.verb == "drop_table":
            return True
        if on_table and action.verb == "create_table":
            return False
    return False


RULE = Rule(
    id="disable-row-level-security",
    severity="error",
    category="security",
    summary="turning row level security off exposes every row to every role that can query the table",
    hint="keep row level security on and change the policies instead",
    bad='ALTER TABLE "learning_plans" DISABLE ROW LEVEL SECURITY;',
    good='ALTER TABLE "learning_plans" ENABLE ROW LEVEL SECURITY;',
    check=check,
    verbs=frozenset({"disable_rls", "no_force_rls"}),
)
