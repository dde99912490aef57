"""detach-partition-non-concurrently: `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY`.

A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned parent: every read and
write of the whole table waits, and queues behind the request while it waits for running queries.
Since Postgres 14, `DETACH PARTITION ... CONCURRENTLY` needs only a SHARE UPDATE EXCLUSIVE lock,
but cannot run in a transaction block: give it its own non-transactional step. Below Postgres 14
there is no such form and the rule stays silent, and while the table has a DEFAULT partition
Postgres refuses it, which the finding then says; a parent created earlier in the same file is
exempt, and so is `DETACH PARTITION ... FINALIZE`, which completes an interrupted concurrent detach
under the concurrent form's lock.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

# With a DEFAULT partition there is no concurrent form to suggest (concurrently-unsupported).
DEFAULT_PARTITION_HINT = (
    "Postgres refuses DETACH PARTITION ... CONCURRENTLY while the table has a DEFAULT partition: detach at a quiet time"
)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    if context.options.postgres_version < 14:
        return
    for action in statement.actions:
        if (
            action.verb == "detach_partition"
            and not action.concurrently
            and action.object_kind != "FINALIZE"
            and not context.is_new(action.table)
        ):
            has_default = action.table in context.history.default_partitions
            yield Hit(
                f"detaches {action.name} from {action.table} under an ACCESS EXCLUSIVE lock on the whole table",
                tables=(action.table,),
                hint=DEFAULT_PARTITION_HINT if has_default else None,
            )


RULE = Rule(
    id="detach-partition-non-concurrently",
    severity="warning",
    category="locking",
    summary="DETACH PARTITION without CONCURRENTLY locks the partitioned table against reads and writes",
    hint="DETACH PARTITION ... CONCURRENTLY (Postgres 14+), in its own non-transactional step",
    bad='ALTER TABLE "events" DETACH PARTITION "events_2023";',
    good='ALTER TABLE "events" DETACH PARTITION "events_2023" CONCURRENTLY;',
    check=check,
    verbs=frozenset({"detach_partition"}),
)
