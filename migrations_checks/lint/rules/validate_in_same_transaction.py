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
from migrations_checks.lint.extract.checks import constraint_name
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

_ADDS_NOT_VALID = frozenset({"add_foreign_key", "add_check", "set_not_null"})


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    # A table created earlier in the file holds no rows to scan, and no one waits on its lock.
    validated = {
        (a.table, a.name)
        for a in statement.actions
        if a.verb == "validate_constraint" and a.table and a.name and not context.is_new(a.table)
    }
    if not validated:
        return
    # The statement itself too: `ADD CONSTRAINT c ... NOT VALID, VALIDATE CONSTRAINT c` is accepted.
    for earlier in itertools.chain(context.earlier_in_transaction, [statement]):
        names = _added(earlier, context, recorded=earlier is not statement)
        for action, name in zip(earlier.actions, names, strict=True):
            if not (action.verb in _ADDS_NOT_VALID and action.not_valid and action.table):
                continue
            # A constraint added to a table is on its partitions and inheriting tables too, by its name.
            tables = [action.table, *context.history.descendants(action.table)]
            table = next((table for table in tables if (table, name) in validated), None)
            if table is not None:
                where = "the same statement" if earlier is statement else f"line {earlier.line}"
                if earlier.file.tag != statement.file.tag:
                    where += f" of {earlier.file.tag}"
                yield Hit(
                    f"validates {name} on {table} in the transaction that added it NOT VALID "
                    f"({where}): the scan runs under the lock the ADD still holds",
                    tables=(table,),
                )
                return


def _added(statement: Statement, context: StatementContext, recorded: bool) -> list[str | None]:
    """The name of the constraint each action of the statement adds: the one it names, or the one
    Postgres names it by (for a CHECK, the one the history chose when it `recorded` the statement,
    or would choose now)."""
    names: list[str | None] = []
    for index, action in enumerate(statement.actions):
        table = action.table or ""
        if action.name or action.verb not in _ADDS_NOT_VALID:
            names.append(action.name)
        elif action.verb == "add_foreign_key":
            names.append(constraint_name(table, "_".join(action.key_columns), "fkey") if action.key_columns else None)
        elif action.verb == "set_not_null":
            names.append(constraint_name(table, action.column, "not_null"))
        elif recorded:
            names.append(context.history.chosen_name(statement, index))
        else:  # each unnamed check of the statement takes a name the ones before it left free
            taken = [name for name in names if name]
            names.append(context.history.chosen_check_name(table, action.values, taken))
    return names


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
