"""concurrently-unsupported: a CONCURRENTLY form that Postgres rejects whatever the runner.

Some statements are refused outright, in or out of a transaction: `CREATE INDEX CONCURRENTLY` on a
partitioned table, `DROP INDEX CONCURRENTLY` of a partitioned table's index, `DROP INDEX
CONCURRENTLY` of several indexes or with `CASCADE`, and `DETACH PARTITION ... CONCURRENTLY` from a
table with a DEFAULT partition. The migration fails on deploy, taking every
migration pending with it, after passing in review because the statement looked like the safe form.
The rule knows a table is partitioned when the history created it `PARTITION BY`, and its DEFAULT
partition when the history created or attached one.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.history import History
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.create_index_non_concurrently import PARTITIONED_INDEX_HINT
from migrations_checks.lint.rules.detach_partition_non_concurrently import DEFAULT_PARTITION_HINT
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    concurrent = [action for action in statement.actions if action.concurrently]
    refused = [hit for action in concurrent if (hit := _refused(action, context.history)) is not None]
    drops = sum(action.verb == "drop_index" for action in concurrent)
    if drops > 1:
        refused.insert(
            0,
            Hit(
                f"DROP INDEX CONCURRENTLY fails: it drops one index at a time, not {drops}",
                hint="one DROP INDEX CONCURRENTLY per index, each in its own non-transactional step",
            ),
        )
    yield from refused[:1]  # one finding per statement


def _refused(action: Action, history: History) -> Hit | None:
    """Why Postgres refuses this CONCURRENTLY action on the schema the history shows, if it does."""
    default = history.default_partitions.get(action.table or "")
    if action.verb == "detach_partition" and default:
        return Hit(
            f"DETACH PARTITION ... CONCURRENTLY fails on {action.table}: it has a DEFAULT partition, {default}",
            hint=DEFAULT_PARTITION_HINT,
        )
    if action.verb == "create_index" and action.table in history.partitioned:
        return Hit(
            f"CREATE INDEX CONCURRENTLY fails on {action.table}: a partitioned table cannot be indexed concurrently",
            hint=PARTITIONED_INDEX_HINT,
        )
    if action.verb == "drop_index" and action.object_kind == "CASCADE":
        return Hit(
            "DROP INDEX CONCURRENTLY fails with CASCADE",
            hint="drop what depends on the index first, then DROP INDEX CONCURRENTLY without CASCADE",
        )
    if action.verb == "drop_index" and history.index_tables.get(action.name or "") in history.partitioned:
        return Hit(
            f"DROP INDEX CONCURRENTLY fails on {action.name}: a partitioned table's index cannot be dropped "
            "concurrently",
            hint="DROP INDEX without CONCURRENTLY, at a quiet time: it locks the table and its partitions briefly",
        )
    return None


RULE = Rule(
    id="concurrently-unsupported",
    severity="error",
    category="transaction",
    summary="CONCURRENTLY forms that Postgres refuses fail the migration under any runner",
    hint="use the form Postgres accepts, as the finding says",
    bad='DROP INDEX CONCURRENTLY "plans_topic_idx", "plans_owner_idx";',
    good='DROP INDEX CONCURRENTLY "plans_topic_idx";',
    check=check,
    verbs=frozenset({"create_index", "drop_index", "detach_partition"}),
)
