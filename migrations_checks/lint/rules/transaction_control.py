"""transaction-control: BEGIN, COMMIT or ROLLBACK written in a migration run in one transaction.

drizzle-orm applies every pending migration inside one transaction of its own. A `COMMIT` (or
`END`) in a file commits everything applied so far, and the rest of the batch then runs outside
any transaction: a later failure leaves a half-applied batch that drizzle-orm has not recorded, and
the next deploy runs it again. A `ROLLBACK` silently throws away the earlier migrations, and a
`BEGIN` inside the transaction only draws a warning but pairs with a `COMMIT` that ends it early.
Leave transaction control to the migrator. With a runner that wraps nothing (`--no-transaction`)
the file's own `BEGIN ... COMMIT` is how it gets a transaction, and this rule does not fire.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    if context.options.transactional and any(a.verb == "transaction_control" for a in statement.actions):
        yield Hit(
            f"{statement.kind} inside a migration interferes with the migrator's transaction: the "
            "pending migrations are no longer applied all or nothing"
        )


RULE = Rule(
    id="transaction-control",
    severity="error",
    category="transaction",
    summary="BEGIN/COMMIT/ROLLBACK in a migration breaks the migrator's all-or-nothing transaction",
    hint="remove them and let the migrator wrap the migration; use --no-transaction for a runner that does not",
    bad='ALTER TABLE "users" ADD COLUMN "bio" text;\nCOMMIT;',
    good='SAVEPOINT "before_bio";\nALTER TABLE "users" ADD COLUMN "bio" text;\nRELEASE SAVEPOINT "before_bio";',
    check=check,
    verbs=frozenset({"transaction_control"}),
)
