"""transaction-control: BEGIN, COMMIT or ROLLBACK written in a migration run in one transaction.

drizzle-orm applies every pending migration inside one transaction of its own. A `COMMIT` (or
`END`) in a file commits everything applied so far, and the rest of the batch then runs outside
any transaction: a later failure leaves a half-applied batch that drizzle-orm has not recorded, and
the next deploy runs it again. A `ROLLBACK` silently throws away the earlier migrations, and a
`BEGIN` inside the transaction only draws a warning but pairs with a `COMMIT` that ends it early.
Leave transaction control to the migrator. With a runner that wraps nothing (`--no-transaction`)
the file's own `BEGIN ... COMMIT` is how it gets a transaction, and this rule fires only on a
`BEGIN` the file never commits: Postgres 16.2 leaves its transaction open after the file, and the
runner's disconnect silently rolls back every statement after it (a file is judged as deployed on its
own, so a COMMIT in a later file does not count).

`SAVEPOINT`, `RELEASE` and `ROLLBACK TO` work inside a transaction and are fine there. Where none is
open (a runner that wraps nothing, after a `COMMIT` piece, or in a piece shared with other statements,
whose implicit block refuses them too) Postgres refuses them, and the deploy fails on that line; so it
does a `RELEASE` or `ROLLBACK TO` of a savepoint the file has not set in that transaction (or has
released since).
"""

from collections.abc import Iterable, Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement
from migrations_checks.lint.transactions import RUNNER_TRANSACTION, WRITTEN_TRANSACTION


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    controls = [a for a in statement.actions if a.verb == "transaction_control"]
    if not controls:
        return
    if controls[0].object_kind == "savepoint":
        yield from _savepoint(statement, controls[0], context)
        return
    if context.options.transactional:
        yield Hit(
            f"{statement.kind} inside a migration interferes with the migrator's transaction: the "
            "pending migrations are no longer applied all or nothing"
        )
    elif [a.object_kind for a in controls] == ["begins"] and not _committed(context.later_in_file):
        yield Hit(
            f"{statement.kind} opens a transaction this file never commits: it stays open after the file, and the "
            "runner's disconnect rolls back everything after it, without an error",
            hint="end the file's transaction with COMMIT",
        )


def _savepoint(statement: Statement, action: Action, context: StatementContext) -> Iterator[Hit]:
    command = action.values[0]
    if context.transaction_block not in (RUNNER_TRANSACTION, WRITTEN_TRANSACTION):
        where = context.transaction_block or "autocommit, outside any transaction block"
        yield Hit(
            f"{command} runs in {where}, where Postgres refuses it: the deploy fails on this line",
            hint="remove it, or wrap the statements it guards in the file's own BEGIN ... COMMIT",
        )
    elif command != "SAVEPOINT" and action.name is not None and action.name not in _savepoints(statement, context):
        # Only the file's own: deployed on its own, it has no earlier file's savepoints.
        yield Hit(
            f"{command} {action.name} names no savepoint open at this point of the file's transaction, and "
            "Postgres refuses it: the deploy fails on this line",
            hint="set the savepoint earlier in the same transaction, or remove this line",
        )


def _savepoints(statement: Statement, context: StatementContext) -> list[str | None]:
    """The savepoints set, and not released or rolled back past, before the statement in its
    transaction and file, oldest first."""
    stack: list[str | None] = []
    for earlier in context.earlier_in_transaction:
        for action in earlier.actions if earlier.file is statement.file else ():
            if action.verb != "transaction_control" or action.object_kind != "savepoint":
                continue
            if action.values[0] == "SAVEPOINT":
                stack.append(action.name)
            elif action.name in stack:
                # RELEASE drops the savepoint and the later ones; ROLLBACK TO keeps it.
                last = len(stack) - 1 - stack[::-1].index(action.name)
                del stack[last + (action.values[0] == "ROLLBACK TO SAVEPOINT") :]
    return stack


def _committed(later_in_file: Iterable[Statement]) -> bool:
    """Whether a later statement of the file ends the transaction for good: COMMIT AND CHAIN opens
    the next one at once, and a DO block cannot end the file's."""
    return any(
        a.verb == "transaction_control" and a.object_kind == "ends"
        for later in later_in_file
        if later.do_block is None
        for a in later.actions
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
