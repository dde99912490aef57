"""add-check-without-not-valid: a CHECK constraint added to an existing table without `NOT VALID`.

Adding a CHECK constraint scans every row under an ACCESS EXCLUSIVE lock: nothing can read or write
the table until the scan ends. With `NOT VALID` only new and updated rows are checked and the lock
is brief; `ALTER TABLE ... VALIDATE CONSTRAINT` in a later migration checks the old rows under a
lock that lets reads and writes continue. A CHECK written in `ADD COLUMN` is checked against every
row the same way, and cannot be `NOT VALID`: add the column, then the constraint.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    checks = [
        action
        for action in statement.actions
        if action.verb == "add_check" and not action.not_valid and not context.is_new(action.table)
    ]
    if checks:
        names = ", ".join(action.name or "(unnamed)" for action in checks)
        yield Hit(
            f"adds check {names} on {checks[0].table}, scanning every row while the table is locked",
            tables=(checks[0].table,),
        )


RULE = Rule(
    id="add-check-without-not-valid",
    severity="warning",
    category="locking",
    summary="a CHECK constraint added without NOT VALID scans the table while locking it",
    hint="ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later migration",
    bad='ALTER TABLE "learning_plans" ADD CONSTRAINT "plans_hours_positive" CHECK ("hours" > 0);',
    good='ALTER TABLE "learning_plans" ADD CONSTRAINT "plans_hours_positive" CHECK ("hours" > 0) NOT VALID;',
    check=check,
    verbs=frozenset({"add_check"}),
)
