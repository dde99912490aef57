"""drop-schema: `DROP SCHEMA`.

A schema holds tables, types and functions; dropping it (with `CASCADE`, everything in it) removes
all of them at once from under the release that is still running, and the data with them. Stop
using everything in it first, drop the schema in a later release.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    schemas = [action.name for action in statement.actions if action.verb == "drop_schema" and action.name]
    if schemas:
        yield Hit(f"drops schema {', '.join(schemas)} and everything the running release uses in it")


RULE = Rule(
    id="drop-schema",
    severity="error",
    category="destructive",
    summary="DROP SCHEMA removes every object in it from under the running release",
    hint="two-phase: stop using the schema's objects in one release, drop the schema in a later one",
    bad='DROP SCHEMA "reporting" CASCADE;',
    good='CREATE SCHEMA "reporting";',
    check=check,
    verbs=frozenset({"drop_schema"}),
)
