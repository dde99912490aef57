"""drop-index-non-concurrently: `DROP INDEX` without `CONCURRENTLY`.

A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is quick,
but the lock request waits behind every running query on the table, and every query that arrives
meanwhile queues behind it: on a busy table, reads and writes stall until the slowest query ends.
`DROP INDEX CONCURRENTLY` waits without blocking anyone, but cannot run inside a transaction, so
it needs its own non-transactional step. An index built on a table created earlier in the same
file is exempt: that table has no users yet. A partitioned table's index cannot be dropped
concurrently: there the finding says to drop it at a quiet time.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    dropped: list[tuple[str, str | None]] = []
    for action in statement.actions:
        if action.verb != "drop_index" or action.concurrently or action.name is None:
            continue
        # The index's table is known when an earlier statement of the history created the index.
        table = context.history.index_tables.get(action.name)
        if not context.is_new(table):
            dropped.append((action.name, table))
    if not dropped:
        return
    described = ", ".join(f"{name} (on {table})" if table else name for name, table in dropped)
    tables = [table for _, table in dropped if table is not None]
    partitioned = [table for table in tables if table in context.history.partitioned]
    yield Hit(
        f"drops index {described} under an ACCESS EXCLUSIVE lock that queues all reads and writes",
        tables=tuple(tables),
        # CONCURRENTLY is refused there (concurrently-unsupported): suggest what can be done.
        hint=f"{partitioned[0]} is partitioned, so its index cannot be dropped CONCURRENTLY: drop it at a quiet time"
        if partitioned
        else None,
    )


RULE = Rule(
    id="drop-index-non-concurrently",
    severity="warning",
    category="locking",
    summary="DROP INDEX without CONCURRENTLY locks its table against reads and writes",
    hint="DROP INDEX CONCURRENTLY, in its own step outside a transaction",
    bad='DROP INDEX "plans_topic_idx";',
    good='CREATE TABLE "notes" ("id" uuid PRIMARY KEY, "body" text);\n'
    'CREATE INDEX "notes_body_idx" ON "notes" ("body");\n'
    'DROP INDEX "notes_body_idx";',
    check=check,
    verbs=frozenset({"drop_index"}),
)
