"""Add rows to every table of a local copy, so a statement that is slow on real volumes is slow here too.

A local database rarely holds production's volume; a rewrite that takes 40 s on four million rows
takes nothing on ten. Seeding adds `rows` generated rows to each table of the copy (never of the
target), parents before children so foreign keys point at existing rows. Columns with a default,
an identity or a generation expression get theirs; others get a value made from the row number by
type category, unique where the type allows, so seeding itself adds no duplicates or NULLs that the
real data might not have. A table that cannot be seeded (a multi-column foreign key, a type with
no generated value, a constraint the values break) is left as it was and named with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from gates.connect import ConnectBudget, connect
from migrations_checks.lint.reader import TrackingTable

_TABLES = """
    SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle') AND n.nspname NOT LIKE 'pg\\_%%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      AND (n.nspname, c.relname) <> (%s, %s)
"""
_COLUMNS = """
    SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, t.typcategory, a.attnotnull
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
      AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
    ORDER BY a.attnum
"""
_FOREIGN_KEYS = """
    SELECT con.confrelid, array_length(con.conkey, 1),
           (SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = con.conkey[1]),
           (SELECT attname FROM pg_attribute WHERE attrelid = con.confrelid AND attnum = con.confkey[1])
    FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid = %s
"""


@dataclass(frozen=True)
class SeedResult:
    table: str
    rows: int  # rows added
    skipped: str | None = None  # why the table was left as it was


def seed_copy(url: str, rows: int, tracking: TrackingTable, *, connect_budget: ConnectBudget) -> list[SeedResult]:
    """Add `rows` rows to every table of the database at `url`, parents first; one result per table.
    Never to drizzle-orm's tracking table, wherever it is: rows there would change what is pending."""
    with connect(url, budget=connect_budget) as connection:
        found = connection.execute(_TABLES, (tracking.schema, tracking.table)).fetchall()
        tables = {oid: sql.Identifier(schema, name) for oid, schema, name in found}
        labels = {oid: name if schema == "public" else f"{schema}.{name}" for oid, schema, name in found}
        keys = {oid: connection.execute(_FOREIGN_KEYS, (oid,)).fetchall() for oid in tables}
        results = []
        for oid in _parents_first(tables, keys):
            results.append(_seed_table(connection, labels[oid], oid, keys[oid], tables, rows))
        connection.execute("ANALYZE")
    return results


def _parents_first(tables: dict[int, sql.Identifier], keys: dict[int, list[tuple]]) -> list[int]:
    order: list[int] = []
    visiting: set[int] = set()

    def visit(oid: int) -> None:
        if oid in order or oid in visiting or oid not in tables:
            return  # a cycle or a table outside the seeded set: its order does not matter
        visiting.add(oid)
        for parent, *_ in keys[oid]:
            visit(parent)
        order.append(oid)

    for oid in sorted(tables):
        visit(oid)
    return order


def _seed_table(
    connection: psycopg.Connection,
    label: str,
    oid: int,
    keys: Sequence[tuple],
    tables: dict[int, sql.Identifier],
    rows: int,
) -> SeedResult:
    table = tables[oid]
    references: dict[str, tuple[int, str]] = {}
    for parent, width, column, parent_column in keys:
        if width != 1:
            return SeedResult(label, 0, "a multi-column foreign key")
        references[column] = (parent, parent_column)
    columns: list[sql.Composable] = []
    values: list[sql.Composable] = []
    joins: list[sql.Composable] = []
    for name, type_sql, type_name, category, not_null in connection.execute(_COLUMNS, (oid,)).fetchall():
        if name in references:
            parent, parent_column = references[name]
            if parent == oid or parent not in tables:
                if not_null:
                    return SeedResult(label, 0, f"column {name} references a table seeding cannot fill first")
                continue
            alias = sql.Identifier(f"p{len(joins)}")
            joins.append(
                sql.SQL(
                    "JOIN (SELECT {col} AS v, row_number() OVER () AS rn FROM {parent}) {a} "
                    "ON {a}.rn = (g - 1) % (SELECT greatest(count(*), 1) FROM {parent}) + 1"
                ).format(col=sql.Identifier(parent_column), parent=tables[parent], a=alias)
            )
            columns.append(sql.Identifier(name))
            values.append(sql.SQL("{}.v").format(alias))
            continue
        value = _generated_value(type_name, category, type_sql)
        if value is None:
            if not_null:
                return SeedResult(label, 0, f"no generated value for column {name} of type {type_sql}")
            continue
        columns.append(sql.Identifier(name))
        values.append(value)
    count = sql.Literal(rows)
    statement = sql.SQL("INSERT INTO {t} ({c}) SELECT {v} FROM generate_series(1, {n}) AS g {j}").format(
        t=table, n=count, c=sql.SQL(", ").join(columns), v=sql.SQL(", ").join(values), j=sql.SQL(" ").join(joins)
    )
    if not columns:  # every column has a default of its own
        statement = sql.SQL("INSERT INTO {t} SELECT FROM generate_series(1, {n}) AS g").format(t=table, n=count)
    try:
        with connection.transaction():
            cursor = connection.execute(statement)
    except psycopg.Error as error:
        return SeedResult(label, 0, f"{error.diag.message_primary} [SQLSTATE {error.sqlstate}]")
    return SeedResult(label, cursor.rowcount)


def _generated_value(type_name: str, category: str, type_sql: str) -> sql.Composable | None:
    """A value for row `g` of a column of this type, as SQL; None when there is none to make."""
    cast = sql.SQL(type_sql)
    if type_name == "uuid":
        return sql.SQL("gen_random_uuid()")
    if type_name in ("json", "jsonb"):
        return sql.SQL("'{{}}'::{}").format(cast)
    if type_name == "int2":
        return sql.SQL("(g % 32000)::int2")
    by_category = {
        "N": "g::{}",
        "S": "('seed-' || g)::{}",
        "B": "(g % 2 = 0)",
        "D": "(now() - g * interval '1 second')::{}",
        "T": "(g * interval '1 second')::{}",
        "E": "(enum_range(NULL::{0}))[1 + g % cardinality(enum_range(NULL::{0}))]",
        "A": "'{{}}'::{}",
    }
    template = by_category.get(category)
    return sql.SQL(template).format(cast) if template else None
