"""delete-without-where: `DELETE FROM t` with no `WHERE`.

A migration runs against every environment, production included: an unqualified DELETE empties
the table there, holding row locks on all of it until the migration commits, and rolling the app
back does not bring the rows back. Deleting data belongs in a deliberate, reviewed operation,
never in a schema migration. A table created earlier in the same file, or a TEMP table, is exempt.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    tables = [
        f"{a.table}{UNMATCHED if a.object_kind == 'MERGE BY SOURCE' else ''}"
        for a in statement.actions
        if a.verb == "delete" and not a.has_where and a.table and not context.holds_no_live_rows(a.table)
    ]
    if tables:
        yield Hit(f"deletes every row of {', '.join(tables)}, in production too")


# A MERGE's WHEN NOT MATCHED BY SOURCE clause reaches the target rows no source row matches.
UNMATCHED = " that the MERGE's source does not match"


RULE = Rule(
    id="delete-without-where",
    severity="error",
    category="destructive",
    summary="DELETE without WHERE empties the table in every environment",
    hint="never in a schema migration; delete data in a reviewed one-off operation",
    bad='DELETE FROM "plan_generations";',
    good='DELETE FROM "plan_generations" WHERE "status" = \'failed\';',
    check=check,
    verbs=frozenset({"delete"}),
)
