"""add-unique-constraint: `ADD CONSTRAINT ... UNIQUE` or `PRIMARY KEY` on an existing table.

Adding the constraint builds its unique index while holding an ACCESS EXCLUSIVE lock: nothing can
read or write the table until the build ends. Build the index first with `CREATE UNIQUE INDEX
CONCURRENTLY` (in its own non-transactional step), then attach it with `ADD CONSTRAINT ... UNIQUE
USING INDEX` (or `PRIMARY KEY USING INDEX`), which takes the lock only for a moment.

Beyond the catalogue's letter, `ADD CONSTRAINT ... EXCLUDE` is reported too: it builds its index
under the same lock (measured on Postgres 16.2), and has no `USING INDEX` form to avoid it.
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
    keys = [
        action
        for action in statement.actions
        if action.verb in ("add_unique", "add_primary_key")
        and not action.using_index
        and not context.is_new(action.table)
    ]
    exclusions = [a for a in statement.actions if a.verb == "add_exclusion" and not context.is_new(a.table)]
    if not keys and not exclusions:
        return
    names = [_described(action) for action in keys] + [a.name or "an exclusion constraint" for a in exclusions]
    table = (keys or exclusions)[0].table
    primary = any(action.verb == "add_primary_key" for action in keys)
    yield Hit(
        f"adds {', '.join(names)} on {table}, building its {'' if exclusions else 'unique '}index while the "
        "table is locked against reads and writes",
        tables=(table,),
        hint=_PRIMARY_KEY_HINT if primary else None if keys else _EXCLUSION_HINT,
    )


_EXCLUSION_HINT = "an exclusion constraint has no USING INDEX form: add it in a maintenance window, or with the table"
# PRIMARY KEY USING INDEX sets NOT NULL on the columns: a scan under its lock unless they are already.
_PRIMARY_KEY_HINT = (
    "make the key's columns NOT NULL (CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, SET NOT NULL), "
    "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX"
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
    verbs=frozenset({"add_unique", "add_primary_key", "add_exclusion"}),
)
