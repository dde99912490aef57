"""partition-scan: attaching or creating a partition that makes Postgres scan a live table.

`ALTER TABLE ... ATTACH PARTITION t` checks every row of `t` against the new partition's bound
while it holds an ACCESS EXCLUSIVE lock on `t`. When the partitioned table has a DEFAULT partition,
`ATTACH PARTITION` and `CREATE TABLE ... PARTITION OF` also scan that default partition, under the
same lock, for rows the new bound would take: every reader and writer of those rows waits. A valid
CHECK constraint that implies the bound (on the default partition, one that excludes it) lets
Postgres skip the scan. The rule cannot prove an implication: a valid CHECK the history shows on
the scanned table counts when it reads every column of the partition key; with an expression in the
key, none does. A table created earlier in the same file has no rows to scan.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule, one_hit
from migrations_checks.lint.statements import Statement

_LOCKED = "under an ACCESS EXCLUSIVE lock on it"


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    yield from one_hit(_hits(statement, context))


def _hits(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    history = context.history
    for action in statement.actions:
        if action.verb == "attach_partition":
            parent, partition = action.table, action.name
        elif action.verb == "create_table" and action.partition_of:
            parent, partition = action.partition_of, None
        else:
            continue
        # A key of columns names what a check must read to imply the bound; with an expression in it,
        # or the parent unknown, no check is taken for proof.
        key = history.partition_keys.get(parent or "") or None
        if partition is not None and not context.is_new(partition):
            proven = history.has_valid_check(partition, key)
            checks = f"checks every row of {partition} against its partition bound {_LOCKED}"
            if proven is None:  # the checks, or the key, unknown
                yield Hit(f"{checks}, unless a valid CHECK constraint on it implies the bound", tables=(partition,))
            elif not proven:
                yield Hit(checks, tables=(partition,))
        default = history.default_partitions.get(parent or "")
        if default and not action.default_partition and not context.is_new(default):
            proven = history.has_valid_check(default, key)
            scans = f"scans {parent}'s DEFAULT partition {default} for rows of the new bound {_LOCKED}"
            if proven is None:
                yield Hit(f"{scans}, unless a valid CHECK constraint on it excludes the bound", tables=(default,))
            elif not proven:
                yield Hit(scans, tables=(default,))


RULE = Rule(
    id="partition-scan",
    severity="warning",
    category="locking",
    summary="ATTACH PARTITION, and a new partition beside a DEFAULT one, scan a live table under an exclusive lock",
    hint="first ADD CONSTRAINT ... CHECK (the partition bound) NOT VALID and VALIDATE it in an earlier migration "
    "(on a DEFAULT partition, a CHECK that excludes the bound): Postgres then skips the scan",
    bad="ALTER TABLE \"events\" ATTACH PARTITION \"events_2025\" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    good='CREATE TABLE "events_2025" (LIKE "events");\n'
    "ALTER TABLE \"events\" ATTACH PARTITION \"events_2025\" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    check=check,
    verbs=frozenset({"attach_partition", "create_table"}),
)
