"""set-not-null: `ALTER COLUMN ... SET NOT NULL` on an existing table.

Postgres scans the whole table under an ACCESS EXCLUSIVE lock to prove there is no NULL, blocking
every read and write meanwhile, and the release that is still running may keep writing NULL into
the column, which now fails. The safe path: add `CHECK (col IS NOT NULL) NOT VALID` (instant),
`VALIDATE CONSTRAINT` it (a scan that does not block writes), then `SET NOT NULL`, which Postgres 12+
proves from the valid constraint without scanning; do that once no running code writes NULL. So
SET NOT NULL is not reported when an earlier migration validated such a constraint: the CHECK has
rejected NULL writes since then, and nothing is scanned. Except on a column of a composite type (or
a table's row type): for a row, IS NOT NULL means every field is non-null, and Postgres proves
nothing by it. Nor is it reported on a column the history shows NOT NULL already (a partition's from
its parent, say), where it changes nothing. A table created earlier in the same file has no rows and
no writers yet. PostgreSQL 18's `ADD CONSTRAINT ... NOT NULL col` counts as SET NOT NULL: even `NOT
VALID`, it rejects the running release's NULL writes. So does `ALTER DOMAIN ... SET NOT NULL`, which
scans every table using the domain under a lock that blocks writes, and `ADD PRIMARY KEY USING
INDEX`, which sets NOT NULL on the index's columns (Postgres 16.2 scans the table under ACCESS
EXCLUSIVE unless each column is NOT NULL already or proven so by a valid CHECK).
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext, domain_tables
from migrations_checks.lint.records.actions import NOT_NULL
from migrations_checks.lint.rules.rule import Hit, Rule, one_hit
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    # `SET NOT NULL, ADD PRIMARY KEY USING INDEX` in one statement, say, is one finding.
    yield from one_hit(
        [
            *_domain_not_null(statement, context),
            *_primary_key_using_index(statement, context),
            *_columns_set_not_null(statement, context),
        ]
    )


def _columns_set_not_null(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    columns: list[str] = []
    scanned: list[str] = []
    for a in statement.actions:
        if (
            a.verb != "set_not_null"
            or context.is_new(a.table)
            or not context.history.nullable(a.table, [a.column or ""])
        ):
            continue
        proof = context.history.not_null_proven_by(a.table, a.column)
        if proof in (None, statement.file.tag):
            columns.append(f"{a.table}.{a.column}")
            if proof is None:
                scanned.append(columns[-1])
    if not columns:
        return
    # A CHECK validated in this migration spares the scan (Postgres 16.2 says the existing constraints
    # prove it), not the running release's NULL writes.
    if not scanned:
        cost = "a CHECK validated in this migration spares the scan, but"
    elif scanned == columns:
        cost = "scans the table under an exclusive lock, and"
    else:
        cost = f"scans the table under an exclusive lock for {', '.join(scanned)}, and"
    yield Hit(f"sets NOT NULL on {', '.join(columns)}: {cost} the running release may still write NULL")


def _primary_key_using_index(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    """PRIMARY KEY USING INDEX sets NOT NULL on the index's columns, scanning the table under its
    ACCESS EXCLUSIVE lock unless each is NOT NULL already or proven so by a valid CHECK."""
    for action in statement.actions:
        if action.verb != "add_primary_key" or not action.using_index or context.is_new(action.table):
            continue
        index = action.values[0] if action.values else "(unnamed)"
        columns = context.history.index_columns.get(index)
        if columns is None:
            what = f"the columns of index {index} (not created in the migrations read)"
        else:
            history, tag = context.history, statement.file.tag
            set_here = {a.column for a in statement.actions if a.verb == "set_not_null" and a.table == action.table}
            nullable = [
                column
                for column in history.nullable(action.table, columns)
                if history.not_null_proven_by(action.table, column) in (None, tag) and column not in set_here
            ]
            if not nullable:
                continue
            what = ", ".join(f"{action.table}.{column}" for column in nullable)
        yield Hit(
            f"adds primary key {action.name or '(unnamed)'} using index {index}, which sets NOT NULL on {what}: "
            "scans the table under an ACCESS EXCLUSIVE lock unless each is NOT NULL already, and the running "
            "release may still write NULL",
            tables=(action.table,),
            hint="make the columns NOT NULL first (CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, SET NOT NULL), "
            "then add the primary key USING INDEX",
        )


def _domain_not_null(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        added = action.values[0] if action.verb == "alter_domain" and action.object_kind == "ADD" else ""
        if added.startswith(NOT_NULL):
            tables = domain_tables(action.name or "", context)
            if tables != []:
                yield Hit(
                    f"sets NOT NULL on domain {action.name}: scans {', '.join(tables or ['each table using it'])} "
                    "under a SHARE lock that blocks their writes, and the running release may still write NULL",
                    tables=tuple(tables or ()),
                    # Postgres 16.2 scans even with a valid CHECK (VALUE IS NOT NULL) on the domain.
                    hint="no CHECK spares a domain's scan: set NOT NULL on the tables' columns instead (the CHECK "
                    "way), or run it in a maintenance window",
                )


RULE = Rule(
    id="set-not-null",
    severity="warning",
    category="destructive",
    summary="SET NOT NULL scans a locked table and rejects NULLs the running release may still write",
    hint="add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (Postgres 12+ skips "
    "the scan) once no running code writes NULL",
    bad='ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    good='ALTER TABLE "users" ADD CONSTRAINT "users_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;',
    check=check,
    verbs=frozenset({"set_not_null", "alter_domain", "add_primary_key"}),
)
