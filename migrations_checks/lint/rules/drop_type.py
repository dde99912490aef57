"""drop-type: `DROP TYPE` (and `DROP DOMAIN`).

With `CASCADE` the columns of that type are dropped with it; without, the statement fails if any
column still uses it. Either way the release that is still running may still cast to the type or
write its values. Stop using the type first, drop it in a later release.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    types = [action.name for action in statement.actions if action.verb == "drop_type" and action.name]
    if types:
        yield Hit(f"drops type {', '.join(types)} while the running release may still use it")


RULE = Rule(
    id="drop-type",
    severity="error",
    category="destructive",
    summary="DROP TYPE breaks the columns and code that still use the type",
    hint="two-phase: stop using the type in one release, drop it in a later one",
    bad='DROP TYPE "public"."plan_status";',
    good="CREATE TYPE \"public\".\"plan_visibility\" AS ENUM('private', 'public');",
    check=check,
    verbs=frozenset({"drop_type"}),
)
