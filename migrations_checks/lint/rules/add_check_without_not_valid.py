"""add-check-without-not-valid: a CHECK constraint added to an existing table without `NOT VALID`.

Adding a CHECK constraint scans every row under an ACCESS EXCLUSIVE lock: nothing can read or write
the table until the scan ends. With `NOT VALID` only new and updated rows are checked and the lock
is brief; `ALTER TABLE ... VALIDATE CONSTRAINT` in a later migration checks the old rows under a
lock that lets reads and writes continue. A CHECK written in `ADD COLUMN` is checked against every
row the same way, and cannot be `NOT VALID`: add the column, then the constraint.

A CHECK added to a domain checks every row of each table using the domain under a SHARE lock, which
blocks their writes; for a domain, `NOT VALID` only moves that scan to `ALTER DOMAIN ... VALIDATE
CONSTRAINT`, which holds the same lock (measured on Postgres 16.2), so both are reported. A domain
the history does not show may be used by any table.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext, domain_tables
from migrations_checks.lint.records.actions import NOT_NULL
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    yield from _domain_checks(statement, context)
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


def _domain_checks(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "alter_domain" or not action.values or action.values[0].startswith(NOT_NULL):
            continue
        if not (action.object_kind == "VALIDATE" or (action.object_kind == "ADD" and not action.not_valid)):
            continue
        domain = action.name or ""
        tables = domain_tables(domain, context)
        if tables == []:
            continue
        doing = "validates a check of" if action.object_kind == "VALIDATE" else "adds a check to"
        yield Hit(
            f"{doing} domain {domain}, scanning every row of {', '.join(tables or ['each table using it'])} "
            "under a SHARE lock that blocks their writes",
            tables=tuple(tables or ()),
            hint="check the tables instead: ADD CONSTRAINT ... CHECK (...) NOT VALID on each, VALIDATE in a "
            "later migration (it lets writes go on); or run it in a maintenance window",
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
    verbs=frozenset({"add_check", "alter_domain"}),
)
