"""non-transactional-statement: a statement Postgres refuses to run inside a transaction block.

`VACUUM`, `CREATE DATABASE`, `DROP DATABASE`, `ALTER SYSTEM`, `CREATE TABLESPACE`, `DROP
TABLESPACE`, `REINDEX SCHEMA|DATABASE|SYSTEM`, `CLUSTER` without a table (every table clustered
before), and `COMMIT PREPARED` or `ROLLBACK PREPARED` (which finish a transaction prepared earlier)
fail with "cannot run inside a transaction block". Drizzle's
migrator applies all pending migrations in one transaction, so the migration fails on deploy. None
of these belongs in a schema migration: run them as separate operational steps. With a
non-transactional runner this rule does not fire, except where a transaction block remains: a DO
block, a piece between breakpoints shared with another statement, or a `BEGIN ... COMMIT` written
in the file (see transactions.py).
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_NON_TRANSACTIONAL_VERBS: frozenset[Verb] = frozenset(
    {
        "vacuum",
        "create_database",
        "drop_database",
        "alter_system",
        "create_tablespace",
        "drop_tablespace",
        "finish_prepared",
    }
)
# REINDEX of a whole schema, database or system catalogue commits as it goes, index by index.
_NON_TRANSACTIONAL_REINDEX = frozenset({"SCHEMA", "DATABASE", "SYSTEM"})


def _non_transactional(action: Action) -> bool:
    return (
        action.verb in _NON_TRANSACTIONAL_VERBS
        or (action.verb == "reindex" and action.object_kind in _NON_TRANSACTIONAL_REINDEX)
        or (action.verb == "cluster" and action.table is None)
    )


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    where = context.transaction_block
    if where and any(_non_transactional(action) for action in statement.actions):
        yield Hit(f"{statement.kind} cannot run inside {where}; the migration fails")


RULE = Rule(
    id="non-transactional-statement",
    severity="error",
    category="transaction",
    summary="VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM, CREATE/DROP TABLESPACE, REINDEX SCHEMA/DATABASE/SYSTEM "
    "and a bare CLUSTER fail inside a transaction",
    hint="run it as a separate operational step, not in a migration",
    bad='VACUUM ANALYZE "learning_plans";',
    good='ANALYZE "learning_plans";',
    check=check,
    verbs=_NON_TRANSACTIONAL_VERBS | frozenset({"reindex", "cluster"}),
)
