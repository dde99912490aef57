"""non-transactional-statement: a statement Postgres refuses to run inside a transaction block.

`VACUUM`, `CREATE DATABASE`, `DROP DATABASE`, `ALTER SYSTEM` and `CREATE TABLESPACE` fail with
"cannot run inside a transaction block". Drizzle's migrator applies all pending migrations in one
transaction, so the migration fails on deploy. None of these belongs in a schema migration: run
them as separate operational steps. With a non-transactional runner this rule does not fire,
except inside a DO block, whose body always runs within one statement's transaction, and between a
`BEGIN` and a `COMMIT` written in the file.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Verb
from migrations_checks.lint.rules._transaction import enclosing_transaction
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_NON_TRANSACTIONAL_VERBS: frozenset[Verb] = frozenset(
    {"vacuum", "create_database", "drop_database", "alter_system", "create_tablespace"}
)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    where = enclosing_transaction(statement, context)
    if where and any(action.verb in _NON_TRANSACTIONAL_VERBS for action in statement.actions):
        yield Hit(f"{statement.kind} cannot run inside {where}; the migration fails")


RULE = Rule(
    id="non-transactional-statement",
    severity="error",
    category="transaction",
    summary="VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM, CREATE TABLESPACE fail inside a transaction",
    hint="run it as a separate operational step, not in a migration",
    bad='VACUUM ANALYZE "learning_plans";',
    good='ANALYZE "learning_plans";',
    check=check,
    verbs=_NON_TRANSACTIONAL_VERBS,
)
