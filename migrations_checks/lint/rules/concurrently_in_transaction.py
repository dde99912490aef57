"""concurrently-in-transaction: a CONCURRENTLY command under a transactional runner.

`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and `DETACH
PARTITION ... CONCURRENTLY` refuse to run inside a transaction block. Drizzle's migrator applies
all pending migrations in one transaction, so the migration fails on deploy (and with it every
migration pending alongside it). Run the statement in its own non-transactional step, or use a
runner configured with `--no-transaction`, or after a `COMMIT` alone in its piece of the same file.
Where it still runs inside a transaction block (a DO block, a piece between breakpoints shared with
another statement, a `BEGIN ... COMMIT` written in the file) it fails whatever the runner: see
transactions.py.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Verb
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_CONCURRENT_VERBS: frozenset[Verb] = frozenset({"create_index", "drop_index", "reindex", "detach_partition"})


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    where = context.transaction_block
    if where and any(action.verb in _CONCURRENT_VERBS and action.concurrently for action in statement.actions):
        yield Hit(f"{statement.kind} ... CONCURRENTLY cannot run inside {where}; the migration fails")


RULE = Rule(
    id="concurrently-in-transaction",
    severity="error",
    category="transaction",
    summary="CONCURRENTLY commands fail inside the transaction Drizzle wraps migrations in",
    hint="run it in its own non-transactional step (or a runner with --no-transaction)",
    bad='CREATE INDEX CONCURRENTLY "plans_topic_idx" ON "learning_plans" ("topic");',
    good='CREATE TABLE "notes" ("id" uuid PRIMARY KEY, "body" text);\n'
    'CREATE INDEX "notes_body_idx" ON "notes" ("body");',
    check=check,
    verbs=_CONCURRENT_VERBS,
)
