"""What a statement does, as a list of actions the rules can check.

Rules never look at SQL text or at sqlglot trees directly: the extractors turn every statement,
whether sqlglot parsed it or only the token classifier recognised it, into the same `Action`
records. One statement can do several things (`ALTER TABLE t ADD COLUMN a int, DROP COLUMN b`), and
each rule finds the actions it cares about.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Verb = Literal[
    # tables and columns
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "rename_column",
    "alter_column_type",
    "set_not_null",
    "drop_not_null",
    "set_default",
    "drop_default",
    # constraints
    "add_foreign_key",
    "add_check",
    "add_unique",
    "add_primary_key",
    "add_exclusion",
    "validate_constraint",
    "drop_constraint",
    "rename_constraint",
    # table storage and partitions
    "set_tablespace",
    "rewrite_table",
    "detach_partition",
    "attach_partition",
    # row level security
    "enable_rls",
    "disable_rls",
    "force_rls",
    "no_force_rls",
    "create_policy",
    "rename_policy",
    "drop_policy",
    # indexes
    "create_index",
    "drop_index",
    "reindex",
    "rename_index",
    # types and other objects
    "create_type",
    "add_enum_value",
    "rename_enum_value",
    "rename_type",
    "drop_type",
    "drop_schema",
    "rename_schema",
    "drop_object",
    "create_function",
    "create_domain",
    "alter_domain",
    "create_extension",
    # data
    "truncate",
    "delete",
    "update",
    # privileges
    "grant",
    # maintenance and server-level statements
    "vacuum",
    "cluster",
    "create_database",
    "drop_database",
    "alter_system",
    "create_tablespace",
    "drop_tablespace",
    "finish_prepared",  # COMMIT PREPARED, ROLLBACK PREPARED
    # BEGIN, COMMIT, ROLLBACK... written in a migration
    "transaction_control",
    # SET or RESET of a setting the history follows (see extract/settings.py)
    "set_setting",
    # recognised, and of no interest to any rule
    "other",
]


# A domain's constraints in `values`: NOT NULL, which no CHECK can be named (`NOT_NULL:name` when
# written with a name, which Postgres 17 and later let a DROP CONSTRAINT name), and the name an
# unnamed CHECK stands under until the history gives it the one Postgres chooses.
NOT_NULL = " not null"
UNNAMED = ""


def named_not_null(name: str) -> str:
    """A domain's NOT NULL constraint written with its name."""
    return f"{NOT_NULL}:{name}"


# The name of each field in the result cache, which holds every action of a long history: names of
# a letter or two make it a fifth smaller, and reading it back is most of a warm run.
_CACHE_NAMES = {
    "verb": "v",
    "table": "t",
    "column": "c",
    "name": "n",
    "object_kind": "k",
    "concurrently": "cc",
    "not_valid": "nv",
    "using_index": "ui",
    "not_null": "nn",
    "has_default": "hd",
    "volatile_default": "vd",
    "default_calls": "dc",
    "references": "r",
    "new_type": "ty",
    "columns": "cs",
    "default_columns": "dcs",
    "key_columns": "kc",
    "has_where": "hw",
    "if_not_exists": "ine",
    "if_exists": "ie",
    "temporary": "tmp",
    "using": "u",
    "collation": "co",
    "full": "f",
    "values": "vs",
    "arguments": "a",
    "checks": "ck",
    "partition_of": "po",
    "default_partition": "dp",
    "inherits": "in",
    "only": "o",
    "like": "lk",
}


class Action(Struct, frozen=True, omit_defaults=True, forbid_unknown_fields=True, gc=False, rename=_CACHE_NAMES):
    """One thing a statement does, in the terms the rules check.

    The cache keeps actions with only the fields that differ from their defaults, and refuses a
    field it does not know. An action holds only strings, flags and tuples of strings, so it can be
    in no reference cycle and the garbage collector need not track it (a cold lint of a long history
    makes tens of thousands).
    """

    verb: Verb
    table: str | None = None  # normalised name; `public.` dropped (see words.unqualified)
    column: str | None = None
    name: str | None = None  # constraint, index, policy, type or object name
    # drop_object: VIEW, FUNCTION...; set_not_null: CONSTRAINT (the PG 18 form);
    # transaction_control: begins, ends or chains; detach_partition: FINALIZE; create_table:
    # PARTITIONED (PARTITION BY) or MATERIALIZED VIEW; rename_table, rename_column: VIEW or MATERIALIZED
    # VIEW (a table's is None); rewrite_table: REFRESH or NO DATA (REFRESH MATERIALIZED VIEW), SET LOGGED...;
    # create_index: ONLY (ON ONLY); set_tablespace: INDEX (ALTER INDEX);
    # update/delete: MERGE, or MERGE BY SOURCE (a WHEN NOT MATCHED BY SOURCE clause); truncate, drop_index:
    # CASCADE
    # alter_domain: ADD, DROP, VALIDATE, RENAME CONSTRAINT, SET DEFAULT or DROP DEFAULT; create_type:
    # COMPOSITE (AS (fields)), or VIEW (the row type of a CREATE VIEW)
    object_kind: str | None = None
    concurrently: bool = False
    not_valid: bool = False
    using_index: bool = False
    not_null: bool = False  # add_column: NOT NULL; create_table: a table constraint NOT NULL (PG 18)
    has_default: bool = False
    # add_column: why the default is volatile by its kind (serial, identity, stored generated), and
    # the functions the default calls; create_function: the name, and its volatility in object_kind.
    volatile_default: str | None = None
    default_calls: tuple[tuple[str, int], ...] = ()  # (function, number of arguments) of each call
    references: str | None = None  # table a foreign key points at
    # alter_column_type, add_column: the type as normalised text; create_domain: the domain's type
    new_type: str | None = None
    # for create_table: (name, type, collation) of each column, the collation None when not written;
    # ("", "", None) where a LIKE copies another table's
    columns: tuple[tuple[str, str, str | None], ...] = ()
    # create_table: each LIKE in order, the table it copies and whether it copies the defaults and the
    # CHECK constraints too (INCLUDING DEFAULTS, CONSTRAINTS or ALL, unless EXCLUDING comes after)
    like: tuple[tuple[str, bool, bool], ...] = ()
    # create_table: the columns with a default (serial ones too)
    default_columns: tuple[str, ...] = ()
    # create_table: the columns NOT NULL from the start (NOT NULL, or in the primary key);
    # add_primary_key, add_unique, create_index: the key's columns, when each is a plain column
    key_columns: tuple[str, ...] = ()
    has_where: bool = True  # for update/delete
    # for create_table: a no-op when the table already exists; add_enum_value: when the label does
    if_not_exists: bool = False
    if_exists: bool = False  # for drop_policy: a no-op when the policy does not exist
    temporary: bool = False  # for create_table: a TEMP table, which lives only in this session
    using: bool = False  # for alter_column_type: a USING expression that computes new values
    collation: str | None = None  # for add_column and alter_column_type: the COLLATE written, if any
    full: bool = False  # VACUUM FULL
    # enum values (create_type: its labels, add: (new,), rename: (old, new)), policy (old, new),
    # grantees; create_function: its input parameters as one text; create_domain, alter_domain: the
    # constraints named (see extract/domains.py); rename_schema, rename_type, rename_index,
    # rename_constraint: (the new name,), a type's or an index's in its schema (object_kind SCHEMA:
    # the type moved to another schema, under the qualified name given); add_primary_key, add_unique
    # with USING INDEX: (the index,); add_check: the names its expression reads; create_table
    # PARTITIONED: the partition key's columns, () when a part of it is an expression
    values: tuple[str, ...] = ()
    # create_function: the fewest and the most arguments a call may pass (-1: any number, VARIADIC)
    arguments: tuple[int, int] = (0, 0)
    # create_table: each CHECK constraint, valid from the start: its name ("" when unnamed: the history
    # chooses it as Postgres does), the column it proves NOT NULL ("" if none: see extract/checks.py)
    # and the names its expression reads
    checks: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    partition_of: str | None = None  # create_table: the partitioned table a PARTITION OF names
    inherits: tuple[str, ...] = ()  # create_table: the tables an INHERITS names
    only: bool = False  # an ALTER TABLE ONLY's: not for the table's partitions and inheriting tables
    # create_table (PARTITION OF), attach_partition: the DEFAULT partition, which holds the rows
    # no other partition takes
    default_partition: bool = False
