"""drop-default: `ALTER COLUMN ... DROP DEFAULT`.

The release that is still running may insert rows without naming the column and rely on the
default to fill it: once the default is gone those rows get NULL, or fail outright on a NOT NULL
column. Drop the default only after the code that relies on it is gone, in a later release. A
default dropped and then set again later in the same file and transaction is replaced, never absent:
not reported. Set again in a later file, it is absent whenever this file is deployed on its own.
Nor is a default the history shows the column does not have: dropping it changes nothing.
"""

import itertools
from collections.abc import Iterable, Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def _set_again(dropped: Action, after: Iterable[Action], statement: Statement, context: StatementContext) -> bool:
    """A later action of the statement (`ALTER COLUMN c DROP DEFAULT, ALTER COLUMN c SET DEFAULT
    ...`), or of a later statement of the same file and transaction that surely runs, sets a new
    default on the same column: it is replaced, never absent. A later file's does not count: it may
    be a later release's. A column renamed or dropped in between makes a later default another's."""
    later = itertools.chain(after, (action for other in context.settled_later(statement) for action in other.actions))
    for action in later:
        if action.table == dropped.table and action.verb in ("rename_table", "drop_table"):
            return False
        if action.table == dropped.table and action.column == dropped.column:
            if action.verb == "set_default":
                return True
            if action.verb in ("rename_column", "drop_column"):
                return False
    return False


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    columns = [
        f"{a.table}.{a.column}"
        for index, a in enumerate(statement.actions)
        if a.verb == "drop_default"
        and not context.history.lacks_default(a.table, a.column)
        and not _set_again(a, statement.actions[index + 1 :], statement, context)
    ]
    if columns:
        yield Hit(
            f"drops the default of {', '.join(columns)}: inserts from the running release that omit "
            "the column get NULL or fail"
        )


RULE = Rule(
    id="drop-default",
    severity="warning",
    category="destructive",
    summary="DROP DEFAULT breaks inserts of the running release that rely on the default",
    hint="drop the default in a later release, once no running code omits the column on insert",
    bad='ALTER TABLE "plans" ALTER COLUMN "status" DROP DEFAULT;',
    good='ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT \'pending\';',
    check=check,
    verbs=frozenset({"drop_default"}),
)
