"""create-index-non-concurrently: `CREATE INDEX` without `CONCURRENTLY` on an existing table.

A plain index build holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and
DELETE waits, which on a busy table is an outage for as long as the build takes. `CREATE INDEX
CONCURRENTLY` lets writes continue, but cannot run inside a transaction, so it needs its own
non-transactional step. A table created earlier in the same file has no rows and no users yet.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb == "create_index" and not action.concurrently and not context.is_new(action.table):
            yield Hit(
                f"builds index {action.name or '(unnamed)'} on {action.table} while blocking its writes",
                tables=(action.table,),
            )


RULE = Rule(
    id="create-index-non-concurrently",
    severity="warning",
    category="locking",
    summary="CREATE INDEX without CONCURRENTLY blocks writes to an existing table",
    hint="CREATE INDEX CONCURRENTLY, in its own step outside a transaction",
    bad='CREATE INDEX "plans_topic_idx" ON "learning_plans" ("topic");',
    good='CREATE TABLE "notes" ("id" uuid PRIMARY KEY, "body" text);\n'
    'CREATE INDEX "notes_body_idx" ON "notes" ("body");',
    check=check,
    verbs=frozenset({"create_index"}),
)
