"""reindex-non-concurrently: `REINDEX INDEX|TABLE` without `CONCURRENTLY` on an existing table.

A plain REINDEX takes a SHARE lock on the table (writes wait for the whole rebuild) and an ACCESS
EXCLUSIVE lock on each index it rebuilds. Planning a query on the table locks every index of it, so
reads wait too, even those that would not use the index (measured on Postgres 16.2). Since
Postgres 12, `REINDEX ... CONCURRENTLY` rebuilds beside the old index without blocking, but cannot
run in a transaction block: give it its own non-transactional step. A table created earlier in the
same file is exempt: it has no users yet.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "reindex" or action.concurrently or action.object_kind not in ("INDEX", "TABLE"):
            continue
        table = action.table or context.history.index_tables.get(action.name or "")
        if context.is_new(table):
            continue
        if action.object_kind == "INDEX":
            what = f"index {action.name}" if action.name else "an index"
        else:
            what = f"every index of {table}" if table else "every index of a table"
        yield Hit(
            f"rebuilds {what}: writes to {table or 'its table'} wait, and so does every query planned on it",
            tables=(table,),
        )


RULE = Rule(
    id="reindex-non-concurrently",
    severity="warning",
    category="locking",
    summary="REINDEX without CONCURRENTLY blocks writes and every query planned on the table for the rebuild",
    hint="REINDEX ... CONCURRENTLY, in its own non-transactional step",
    bad='REINDEX INDEX "plans_topic_idx";',
    good='CREATE TABLE "notes" ("id" uuid PRIMARY KEY, "body" text);\n'
    'CREATE INDEX "notes_body_idx" ON "notes" ("body");\n'
    'REINDEX INDEX "notes_body_idx";',
    check=check,
    verbs=frozenset({"reindex"}),
)
