"""rename-enum-value: `ALTER TYPE ... RENAME VALUE`.

The release that is still running writes and compares the old label: its inserts and updates fail
with "invalid input value for enum", and its filters silently stop matching. Add the new value,
migrate the rows to it, switch the code, and stop using the old value (enum values cannot be
dropped, so it simply stays unused).
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb == "rename_enum_value":
            old, new = (*action.values, "?", "?")[:2]
            yield Hit(
                f"renames value '{old}' of enum {action.name} to '{new}': "
                f"the running release still writes and filters on '{old}'"
            )


RULE = Rule(
    id="rename-enum-value",
    severity="error",
    category="destructive",
    summary="ALTER TYPE ... RENAME VALUE breaks the running release's writes and filters",
    hint="add the new value, migrate the rows, switch the code, and leave the old value unused",
    bad="ALTER TYPE \"plan_status\" RENAME VALUE 'done' TO 'completed';",
    good="ALTER TYPE \"plan_status\" ADD VALUE 'completed';",
    check=check,
    verbs=frozenset({"rename_enum_value"}),
)
