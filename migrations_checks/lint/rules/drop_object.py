"""drop-object: `DROP VIEW`, `DROP MATERIALIZED VIEW`, `DROP FUNCTION`, `DROP TRIGGER`, `DROP SEQUENCE`,
`DROP OPERATOR`, `DROP CAST`, `DROP AGGREGATE`.

These hold no table rows of their own, but the release that is still running may query the view,
call the function, rely on the trigger to keep data consistent, or take ids from the sequence; all
of that breaks, or silently stops happening, when the object goes. Confirm that no running code
depends on it, or drop it in a later release. `DROP PROCEDURE` and `DROP ROUTINE` (which drops
functions too) count as dropping a function; queries of the running release may use an operator,
a cast or an aggregate as well.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_CHECKED_KINDS = frozenset(
    {
        "VIEW",
        "MATERIALIZED VIEW",
        "FUNCTION",
        "PROCEDURE",
        "ROUTINE",
        "TRIGGER",
        "SEQUENCE",
        "OPERATOR",
        "CAST",
        "AGGREGATE",
    }
)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    dropped = [
        f"{action.object_kind.lower()} {action.name}" + (f" on {action.table}" if action.table else "")
        for action in statement.actions
        if action.verb == "drop_object" and action.object_kind in _CHECKED_KINDS
    ]
    if dropped:
        yield Hit(f"drops {', '.join(dropped)}, which the running release may still depend on")


RULE = Rule(
    id="drop-object",
    severity="warning",
    category="destructive",
    summary="DROP VIEW / FUNCTION / TRIGGER / SEQUENCE may break code that is still running",
    hint="confirm no running code depends on it, or drop it in a later release",
    bad='DROP VIEW "active_plans";',
    good='CREATE OR REPLACE VIEW "active_plans" AS SELECT "id" FROM "learning_plans";',
    check=check,
    verbs=frozenset({"drop_object"}),
)
