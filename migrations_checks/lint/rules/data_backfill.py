"""data-backfill: `UPDATE ... WHERE` on an existing table inside a migration.

A migration's UPDATE runs in the deploy's transaction: it holds row locks on every row it touches
until the whole migration commits, so application writes to those rows wait, and a large backfill
bloats the table and can outlast the deploy's timeout. Backfill in small batches outside the
migration (a script or a job), after the schema change that makes room for the data has shipped.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    changed = [
        action
        for action in statement.actions
        if (action.verb == "update" or _merge_delete(action)) and action.has_where and not context.is_new(action.table)
    ]
    if not changed:
        return
    tables = tuple(dict.fromkeys(action.table for action in changed))
    deletes = all(_merge_delete(action) for action in changed)
    yield Hit(
        f"{'deletes' if deletes else 'changes' if any(map(_merge_delete, changed)) else 'updates'} rows of "
        f"{', '.join(table or '' for table in tables)} inside the migration, locking them until it commits",
        tables=tables,
        hint="delete in batches outside the migration (a script or job)" if deletes else None,
    )


def _merge_delete(action: Action) -> bool:
    """A MERGE's WHEN ... THEN DELETE, judged as the catalogue judges MERGE: like a bounded UPDATE."""
    return action.verb == "delete" and (action.object_kind or "").startswith("MERGE")


RULE = Rule(
    id="data-backfill",
    severity="warning",
    category="locking",
    summary="UPDATE ... WHERE in a migration locks rows of a live table until the deploy commits",
    hint="backfill in batches outside the migration (a script or job), after the schema change ships",
    bad='UPDATE "users" SET "plan" = \'free\' WHERE "plan" IS NULL;',
    good='CREATE TABLE "plans" ("id" uuid PRIMARY KEY, "tier" text);\n'
    'UPDATE "plans" SET "tier" = \'free\' WHERE "tier" IS NULL;',
    check=check,
    verbs=frozenset({"update", "delete"}),
)
