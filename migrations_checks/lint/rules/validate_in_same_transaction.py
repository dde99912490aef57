"""validate-in-same-transaction: `VALIDATE CONSTRAINT c` in the transaction that added `c` NOT VALID.

Adding a constraint `NOT VALID` and validating it later splits one long exclusive lock into a
brief one and a scan under a weak lock. In the same transaction the split gains nothing: the ADD's
lock is held until commit, so the validating scan runs under it, exactly as a plain ADD would.
Drizzle applies every pending file in one transaction, so a VALIDATE in the next file is still the
same transaction when both are pending: validate in a later deploy, or after a `COMMIT` piece.
"""

import itertools
from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.extract.checks import check_name
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_ADDS_NOT_VALID = frozenset({"add_foreign_key", "add_check", "set_not_null"})


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    # A table created earlier in the file holds no rows to scan, and no one waits on its lock.
    validated = {
        (a.table, a.name)
        for a in statement.actions
        if a.verb == "validate_constraint" and a.name and not context.is_new(a.table)
    }
    if not validated:
        return
    # The statement itself too: `ADD CONSTRAINT c ... NOT VALID, VALIDATE CONSTRAINT c` is accepted.
    for earlier in itertools.chain(context.earlier_in_transaction, [statement]):
        for action in earlier.actions:
            added = action.name or (check_name(action.table, action.column) if action.table and action.column else None)
            if action.verb in _ADDS_NOT_VALID and action.not_valid and (action.table, added) in validated:
                where = "the same statement" if earlier is statement else f"line {earlier.line}"
                if earlier.file.tag != statement.file.tag:
                    where += f" of {earlier.file.tag}"
                yield Hit(
                    f"validates {added} on {action.table} in the transaction that added it NOT VALID "
                    f"({where}): the scan runs under the lock the ADD still holds",
                    tables=(action.table,),
                )
                return


RULE = Rule(
    id="validate-in-same-transaction",
    severity="warning",
    category="locking",
    summary="VALIDATE CONSTRAINT in the transaction that added it NOT VALID scans under the ADD's lock",
    hint="validate in a later migration (a later deploy), or after a COMMIT piece",
    bad='ALTER TABLE "tasks" ADD CONSTRAINT "tasks_fk" FOREIGN KEY ("module_id") REFERENCES "modules"("id") '
    "NOT VALID;--> statement-breakpoint\n"
    'ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_fk";',
    good='ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_fk";',
    check=check,
    verbs=frozenset({"validate_constraint"}),
)
