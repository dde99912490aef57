"""add-foreign-key-without-not-valid: a foreign key added to an existing table without `NOT VALID`.

Adding a foreign key checks every existing row against the referenced table while holding a SHARE
ROW EXCLUSIVE lock on both tables: writes to either stall for the whole scan. `REFERENCES` in
`ADD COLUMN` does the same when the column has a default, with the table locked against reads too;
without one the new column starts empty and nothing is checked (measured on Postgres 16.2), but the
referenced table still takes writes only once the migration's transaction commits. Add the
constraint `NOT VALID` (only new rows are checked, the lock is brief), then `ALTER TABLE ...
VALIDATE CONSTRAINT` in a later migration, which scans without blocking writes. Both tables are
locked, so a hot referenced table makes this an error as well.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    keys = [
        action
        for action in statement.actions
        if not context.is_new(action.table)
        and (
            (action.verb == "add_foreign_key" and not action.not_valid)
            or (action.verb == "add_column" and action.references is not None)
        )
    ]
    if not keys:
        return
    locked = [table for action in keys for table in (action.table, action.references) if table is not None]
    yield Hit(f"adds foreign key {'; '.join(_described(action) for action in keys)}", tables=tuple(locked))


def _described(action: Action) -> str:
    key = f"{action.name or action.column or '(unnamed)'} -> {action.references} on {action.table}"
    if action.verb == "add_foreign_key":
        return f"{key}, checking every row while blocking writes to both tables"
    if action.has_default:
        locks = f"reads and writes of {action.table} and writes to {action.references}"
        return f"{key}, checking every row while blocking {locks}"
    return (
        f"{key}: the new column starts empty, so no row is checked, but writes to {action.references} "
        "wait until the migration's transaction commits"
    )


RULE = Rule(
    id="add-foreign-key-without-not-valid",
    severity="warning",
    category="locking",
    summary="a foreign key added without NOT VALID scans the table while blocking writes to both tables",
    hint="ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration",
    bad='DO $$ BEGIN\n ALTER TABLE "tasks" ADD CONSTRAINT "tasks_module_id_modules_id_fk" FOREIGN KEY '
    '("module_id") REFERENCES "public"."modules"("id") ON DELETE cascade ON UPDATE no action;\n'
    "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
    good='ALTER TABLE "tasks" ADD CONSTRAINT "tasks_module_id_modules_id_fk" FOREIGN KEY ("module_id") '
    'REFERENCES "public"."modules"("id") ON DELETE cascade NOT VALID;',
    check=check,
    verbs=frozenset({"add_foreign_key", "add_column"}),
)
