"""change-column-type: `ALTER COLUMN ... TYPE`, unless it only widens a varchar.

Most type changes rewrite the whole table under an ACCESS EXCLUSIVE lock, and the release that is
still running keeps sending values of the old type and reading them back as the old type: casts
fail, numbers overflow, strings come back in a shape the old code does not expect. Widening
`varchar(n)` to a longer `varchar(m)`, to `varchar` or to `text` is the exception: Postgres only
updates the catalogue, and every old value and every old write still fits. A `COLLATE` change is a
type change even then: indexes on the column are rebuilt under the exclusive lock, and the order
and equality the running release relies on change. A new type written without `COLLATE` takes the
type's default collation, so it changes the collation of a column created with another. Anything
else: add a column of the new type, backfill it, switch the code to it, and drop the old column
later.

The old type and collation come from the schema the linter rebuilt from earlier statements; when it
never saw the column created, it cannot prove a widening and reports the change.
"""

import math
import re
from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

# A character-varying type as `normalize_type` renders it (`varchar(20)`, `varchar`, `text`), also
# when written schema-qualified or in the rarer `char varying` spelling.
_VARYING = re.compile(
    r"(?:pg_catalog\.)?(?:(?:varchar|character varying|char varying)(?:\s*\(\s*(?P<length>\d+)\s*\))?|text)"
)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    changes = [
        _describe(action, context.history.column_type(action.table, action.column))
        for action in statement.actions
        if action.verb == "alter_column_type"
    ]
    offending = [change for change in changes if change is not None]
    if offending:
        yield Hit("; ".join(offending))


def _describe(action: Action, old: tuple[str, str | None] | None) -> str | None:
    """Why this type change is unsafe, or None when it only widens a varchar (`old`: the column's
    type and collation before it)."""
    column = f"{action.table}.{action.column}"
    if old is None:
        return (
            f"changes the type of {column} to {action.new_type}; its old type is unknown "
            "(the column was not created in the migrations read), so a safe widening cannot be proven"
        )
    if action.using:
        return f"changes the type of {column} with a USING expression, which rewrites every row"
    old_type, old_collation = old
    if action.new_type == old_type and action.collation == old_collation:
        return None  # no change at all: Postgres leaves the table alone
    if action.collation != old_collation:
        return (
            f"changes the collation of {column} from {_collation(old_collation)} to {_collation(action.collation)}: "
            "its indexes are rebuilt under an exclusive lock and its sort order changes for the running release"
        )
    old_limit, new_limit = _length_limit(old_type), _length_limit(action.new_type or "")
    if old_limit is not None and new_limit is not None and new_limit >= old_limit:
        return None
    return f"changes the type of {column} from {old_type} to {action.new_type}"


def _collation(name: str | None) -> str:
    return "the default collation" if name is None else name


def _length_limit(column_type: str) -> float | None:
    """How long a value of this varchar-like type may be (`inf` for varchar and text); None if the
    type is not varchar-like, so no change to or from it counts as a widening."""
    # `normalize_type` folds bare words only: a quoted `"TEXT"` is some other type.
    match = _VARYING.fullmatch(column_type.strip())
    if match is None:
        return None
    return int(match["length"]) if match["length"] is not None else math.inf


RULE = Rule(
    id="change-column-type",
    severity="error",
    category="destructive",
    summary="ALTER COLUMN ... TYPE rewrites the table and breaks the running release, bar varchar widening",
    hint="add a new column of the new type, backfill it, switch the code to it, drop the old column later",
    bad='ALTER TABLE "plans" ALTER COLUMN "duration" SET DATA TYPE integer;',
    good='CREATE TABLE "plans" ("id" uuid PRIMARY KEY, "topic" varchar(100));\n'
    'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(200);',
    check=check,
    verbs=frozenset({"alter_column_type"}),
)
