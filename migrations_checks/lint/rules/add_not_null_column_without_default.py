"""add-not-null-column-without-default: `ADD COLUMN ... NOT NULL` with no `DEFAULT` on an existing table.

Postgres has nothing to put in the existing rows, so the migration fails as soon as the table holds
any, typically in production after passing on an empty development database. Even on an empty
table, the release that is still running inserts rows without the new column, and every one of
those inserts fails. Add the column nullable or with a default, have the code write it, backfill,
and enforce NOT NULL later. Serial, identity and generated columns fill themselves and count as
having a default; a table created earlier in the same file has no rows and no writers yet. A column
of a domain that is NOT NULL (itself, or the domain it is over) and has no default of its own is NOT
NULL without a default too: Postgres 16.2 refuses it on a table with rows ("domain does not allow
null values").
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    columns = [
        f"{a.table}.{a.column}"
        for a in statement.actions
        if a.verb == "add_column"
        and (a.not_null or context.history.not_null_domain(a.new_type))
        and not a.has_default
        and not context.is_new(a.table)
    ]
    if columns:
        yield Hit(
            f"adds NOT NULL column {', '.join(columns)} without a default: fails on a table with rows, "
            "and inserts from the running release, which omit it, fail"
        )


RULE = Rule(
    id="add-not-null-column-without-default",
    severity="error",
    category="destructive",
    summary="ADD COLUMN ... NOT NULL without DEFAULT fails on existing rows and breaks old inserts",
    hint="add the column nullable or with a DEFAULT, backfill, and enforce NOT NULL in a later release",
    bad='ALTER TABLE "users" ADD COLUMN "timezone" text NOT NULL;',
    good='ALTER TABLE "users" ADD COLUMN "timezone" text DEFAULT \'UTC\' NOT NULL;',
    check=check,
    verbs=frozenset({"add_column"}),
)
