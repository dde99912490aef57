"""drop-database: `DROP DATABASE`.

A migration that drops a database takes away every table, and every row, that some release uses:
under any runner, in or out of a transaction (where it also fails, which
non-transactional-statement reports). Dropping a database is an operation for a person, never a
step of a deploy.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    names = [action.name or "a database" for action in statement.actions if action.verb == "drop_database"]
    if names:
        yield Hit(f"drops database {', '.join(names)} and every table and row in it")


RULE = Rule(
    id="drop-database",
    severity="error",
    category="destructive",
    summary="DROP DATABASE in a migration destroys every table and row in that database",
    hint="never drop a database in a migration; do it by hand, after taking a backup",
    bad='DROP DATABASE IF EXISTS "atlaris_old";',
    good='CREATE SCHEMA IF NOT EXISTS "atlaris_archive";',
    check=check,
    verbs=frozenset({"drop_database"}),
)
