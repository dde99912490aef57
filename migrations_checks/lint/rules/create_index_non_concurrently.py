"""create-index-non-concurrently: `CREATE INDEX` without `CONCURRENTLY` on an existing table.

A plain index build holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and
DELETE waits, which on a busy table is an outage for as long as the build takes. `CREATE INDEX
CONCURRENTLY` lets writes continue, but cannot run inside a transaction, so it needs its own
non-transactional step. A table created earlier in the same file has no rows and no users yet.

A partitioned table cannot be indexed concurrently (Postgres rejects it): build the parent's own
index `ON ONLY` it (instant, and invalid until every partition has one), each partition's
`CONCURRENTLY`, and `ALTER INDEX ... ATTACH PARTITION` each to the parent's, which then becomes
valid. So `CREATE INDEX ... ON ONLY` of a table the history created partitioned is not reported. On a
plain table ONLY changes nothing (drizzle-orm's `.onOnly()` writes it there too), so on a table the
history does not show it is reported, saying that it builds nothing if the table is partitioned.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

PARTITIONED_INDEX_HINT = (
    "a partitioned table cannot be indexed CONCURRENTLY: CREATE INDEX ... ON ONLY the parent, CREATE INDEX "
    "CONCURRENTLY on each partition in its own step, then ALTER INDEX <parent's index> ATTACH PARTITION each"
)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "create_index" or action.concurrently or context.is_new(action.table):
            continue
        name = action.name or "(unnamed)"
        partitioned = action.table in context.history.partitioned
        if action.object_kind == "ONLY" and partitioned:
            continue
        if action.object_kind == "ONLY" and not context.history.has_table(action.table or ""):
            yield Hit(
                f"builds index {name} on {action.table} while blocking its writes, unless {action.table} is "
                "partitioned (then ON ONLY builds nothing: suppress this with that reason)",
                tables=(action.table,),
            )
        elif not partitioned:
            yield Hit(f"builds index {name} on {action.table} while blocking its writes", tables=(action.table,))
        else:
            yield Hit(
                f"builds index {name} on partitioned table {action.table} and each of its partitions while "
                "blocking their writes",
                tables=(action.table,),
                hint=PARTITIONED_INDEX_HINT,
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
