"""add-unique-constraint: `ADD CONSTRAINT ... UNIQUE` or `PRIMARY KEY` on an existing table.

Adding the constraint builds its unique index while holding an ACCESS EXCLUSIVE lock: nothing can
read or write the table until the build ends. Build the index first with `CREATE UNIQUE INDEX
CONCURRENTLY` (in its own non-transactional step), then attach it with `ADD CONSTRAINT ... UNIQUE
USING INDEX` (or `PRIMARY KEY USING INDEX`), which takes the lock only for a moment.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def _described(action: Action) -> str:
    if action.name:
        return action.name
    if action.column:
        return f"an inline key on column {action.column}"
    return "a primary key" if action.verb == "add_primary_key" else "a unique constraint"


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    constraints = [
        action
        for action in statement.actions
        if action.verb in ("add_unique", "add_primary_key")
        and not action.using_index
        and not context.is_new(action.table)
    ]
    if constraints:
        names = ", ".join(_described(action) for action in constraints)
        yield Hit(
            f"adds {names} on {constraints[0].table}, building its unique index while the table "
            "is locked against reads and writes",
            tables=(constraints[0].table,),
        )


RULE = Rule(
    id="add-unique-constraint",
    severity="warning",
    category="locking",
    summary="ADD CONSTRAINT UNIQUE / PRIMARY KEY builds an index while locking the table",
    hint="CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX",
    bad='ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE("email");',
    good='ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE USING INDEX "users_email_idx";',
    check=check,
    verbs=frozenset({"add_unique", "add_primary_key"}),
)
