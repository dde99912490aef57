"""table-rewrite: `VACUUM FULL`, `CLUSTER`, `ALTER TABLE ... SET TABLESPACE` and other rewrites.

The catalogue names the first three; `ALTER TABLE ... SET LOGGED / UNLOGGED`, `SET ACCESS METHOD`
and `ALTER COLUMN ... SET EXPRESSION` (Postgres 17) rewrite the table the same way, and `ALTER INDEX
... SET TABLESPACE` copies an index under an ACCESS EXCLUSIVE lock on it, which every query planned
on its table waits for (measured on Postgres 16.2), and `REFRESH MATERIALIZED VIEW` without
`CONCURRENTLY` rebuilds the view under one, every query of it waiting (`WITH NO DATA` empties it:
queries of it then fail until the next refresh). So does `ADD COLUMN` of a domain with a CHECK or
NOT NULL, with or without a default: Postgres checks the domain's constraints by rewriting the table.

Each of these copies the whole table (and rebuilds its indexes) under an ACCESS EXCLUSIVE lock:
nothing reads or writes it until the copy ends, which on a large table is minutes of outage in the
middle of a deploy. They are maintenance, not schema changes: run them in a maintenance window, or
use an online tool such as pg_repack. A table created earlier in the same file is empty and exempt.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.rules.rule import Hit, Rule, one_hit
from migrations_checks.lint.statements import Statement

_REWRITING_VERBS: frozenset[Verb] = frozenset({"cluster", "set_tablespace", "rewrite_table", "vacuum"})
# ADD COLUMN rewrites the table when the column's type is a constrained domain.
_VERBS: frozenset[Verb] = _REWRITING_VERBS | {"add_column"}


def _rewrites(action: Action) -> bool:
    return action.verb in _REWRITING_VERBS and (action.verb != "vacuum" or action.full)


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    # `ADD COLUMN c constrained_domain, SET TABLESPACE t` in one statement, say, is one finding.
    yield from one_hit([*_constrained_domain_columns(statement, context), *_rewritten(statement, context)])


def _rewritten(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    rewrites = [action for action in statement.actions if _rewrites(action) and not context.is_new(action.table)]
    if not rewrites:
        return
    if rewrites[0].object_kind == "INDEX":  # ALTER INDEX: one index, or every index of a tablespace
        index = rewrites[0].name
        table = context.history.index_tables.get(index or "")
        if context.is_new(table):
            return
        what = f"index {index}" if index else "every index in the tablespace"
        yield Hit(
            f"ALTER INDEX copies {what} under an ACCESS EXCLUSIVE lock: every query planned on "
            f"{table or 'its table'} waits",
            tables=(table,),
        )
        return
    # A command without a table (`VACUUM FULL;`, `CLUSTER;`) rewrites every table it may.
    tables = [action.table for action in rewrites if action.table is not None]
    target = ", ".join(tables) if tables else "every table"
    if rewrites[0].object_kind == "NO DATA":
        yield Hit(
            f"REFRESH ... WITH NO DATA empties materialized view {target}: the running release's queries of it "
            "fail until it is refreshed",
            tables=tuple(tables),
            hint="refresh it WITH DATA, CONCURRENTLY if it has a unique index",
        )
    elif rewrites[0].object_kind == "REFRESH":
        yield Hit(
            f"REFRESH MATERIALIZED VIEW rebuilds {target} under an ACCESS EXCLUSIVE lock: every query of it waits",
            tables=tuple(tables),
            hint="REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view) lets reads go on",
        )
    else:
        yield Hit(f"{statement.kind} rewrites {target} under an ACCESS EXCLUSIVE lock", tables=tuple(tables))


def _constrained_domain_columns(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    """ADD COLUMN of a domain with a CHECK or NOT NULL: Postgres checks the constraints on every row
    by rewriting the table, default or none (a domain without constraints rewrites nothing)."""
    added = [
        action
        for action in statement.actions
        if action.verb == "add_column"
        and not context.is_new(action.table)
        and context.history.is_constrained_domain(action.new_type)
    ]
    if added:
        columns = ", ".join(f"{action.table}.{action.column}" for action in added)
        domain = added[0].new_type
        yield Hit(
            f"adds {columns} of domain {domain}, whose constraints are checked by rewriting "
            f"{added[0].table} under an ACCESS EXCLUSIVE lock",
            tables=(added[0].table,),
            hint=f"add the column with {domain}'s base type and a CHECK ... NOT VALID, and VALIDATE it "
            "in a later migration; or add it in a maintenance window",
        )


RULE = Rule(
    id="table-rewrite",
    severity="warning",
    category="locking",
    summary="VACUUM FULL, CLUSTER, SET TABLESPACE and other table rewrites lock the table while they run",
    hint="not during a deploy: run it in a maintenance window, or use pg_repack",
    bad='CLUSTER "learning_plans" USING "plans_topic_idx";',
    good='ANALYZE "learning_plans";',
    check=check,
    verbs=_VERBS,
)
