"""CREATE / DROP of tables, indexes, policies and other objects; grants; maintenance."""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct, field

from migrations_checks.lint.extract.checks import constraint_name, element_checks
from migrations_checks.lint.extract.columns import column_list, parse_column
from migrations_checks.lint.extract.types import renamed_to
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.classify import with_body
from migrations_checks.lint.sql.words import Cursor, Word, in_schema_of, split_top_level, top_level, unqualified

_TABLE_CONSTRAINTS = frozenset({"CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "EXCLUDE", "FOREIGN", "LIKE"})
_DROPPED_OBJECTS = {
    "DROP VIEW": "VIEW",
    "DROP MATERIALIZED VIEW": "MATERIALIZED VIEW",
    "DROP FUNCTION": "FUNCTION",
    "DROP PROCEDURE": "PROCEDURE",
    "DROP ROUTINE": "ROUTINE",
    "DROP TRIGGER": "TRIGGER",
    "DROP SEQUENCE": "SEQUENCE",
    "DROP OPERATOR": "OPERATOR",
    "DROP CAST": "CAST",
    "DROP AGGREGATE": "AGGREGATE",
    "DROP EXTENSION": "EXTENSION",  # not judged by drop-object: the history follows it
}


def _after(words: Sequence[Word], keyword: str) -> Cursor | None:
    """A cursor just past the first occurrence of `keyword`."""
    for index, word in enumerate(words):
        if word.upper == keyword:
            return Cursor(words, index + 1)
    return None


class _TableElements(Struct):
    """What the elements in a CREATE TABLE's parentheses define."""

    columns: list[tuple[str, str, str | None]] = field(default_factory=list)  # (name, type, collation)
    checks: list[tuple[str | None, str | None, tuple[str, ...]]] = field(default_factory=list)  # see element_checks
    not_null: list[str] = field(default_factory=list)  # NOT NULL from the start, or in the primary key
    defaults: list[str] = field(default_factory=list)
    not_null_constraint: bool = False  # PostgreSQL 18's table constraint `[CONSTRAINT name] NOT NULL column`
    likes: list[tuple[str, bool, bool]] = field(default_factory=list)  # see Action.like


def create_table(words: Sequence[Word]) -> list[Action] | None:
    cursor = _after(words, "TABLE")
    if cursor is None:
        return None
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.name()
    if name is None:
        return None
    table = unqualified(name)
    parent = cursor.table_name() if cursor.accept("PARTITION", "OF") else None
    elements = _TableElements()
    if cursor.at_symbol("("):
        start = cursor.position + 1
        cursor.skip_group()
        elements = _table_elements(split_top_level(words[start : cursor.position - 1]), partition=parent is not None)
    temporary = any(word.upper in ("TEMP", "TEMPORARY") for word in words[: cursor.position])
    inherits = _names(Cursor(words, cursor.position + 2)) if cursor.at("INHERITS") else []
    partition_key = _partition_key(cursor)
    return [
        Action(
            "create_table",
            table=table,
            columns=tuple(elements.columns),
            like=tuple(elements.likes),
            checks=tuple((check or "", column or "", reads) for check, column, reads in elements.checks),
            key_columns=tuple(elements.not_null),
            default_columns=tuple(elements.defaults),
            if_not_exists=if_not_exists,
            temporary=temporary,
            object_kind="PARTITIONED" if partition_key is not None else None,
            values=partition_key or (),
            not_null=elements.not_null_constraint,
            partition_of=parent,
            inherits=tuple(inherits),
            default_partition=parent is not None and cursor.accept("DEFAULT"),
        )
    ]


def _table_elements(elements: Sequence[Sequence[Word]], partition: bool) -> _TableElements:
    found = _TableElements()
    for element in elements:
        named = 2 if element[0].upper == "CONSTRAINT" else 0
        is_not_null = len(element) > named + 1 and element[named].upper == "NOT" and element[named + 1].upper == "NULL"
        found.not_null_constraint = found.not_null_constraint or is_not_null
        if element[0].upper == "LIKE":  # another table's columns, in their place: the history knows them
            found.columns.append(("", "", None))
            found.likes.append(_like(element))
        if element[0].upper in _TABLE_CONSTRAINTS or is_not_null:
            found.checks += element_checks(element)
            if element[named].upper == "PRIMARY":
                found.not_null += column_list(Cursor(element, named + 2))
            continue
        column = parse_column(element)
        if column is None:
            continue
        if not partition:  # a partition's `c WITH OPTIONS ...` keeps the parent's type
            found.columns.append((column.name, column.type, column.collation))
        if column.checked:
            found.checks += element_checks(element)
        if column.not_null:
            found.not_null.append(column.name)
        if column.has_default:
            found.defaults.append(column.name)
    return found


def _like(element: Sequence[Word]) -> tuple[str, bool, bool]:
    """`LIKE source [{INCLUDING | EXCLUDING} option ...]`: the source, and whether its defaults and
    its CHECK constraints are copied (a later option overrides an earlier one, as in Postgres)."""
    cursor = Cursor(element, 1)
    source = cursor.table_name() or ""
    copied = {"DEFAULTS": False, "CONSTRAINTS": False}
    while (switch := cursor.next()) is not None and (option := cursor.next()) is not None:
        for name in copied.keys() if option.upper == "ALL" else {option.upper} & copied.keys():
            copied[name] = switch.upper == "INCLUDING"
    return source, copied["DEFAULTS"], copied["CONSTRAINTS"]


def _partition_key(cursor: Cursor) -> tuple[str, ...] | None:
    """The columns of a `PARTITION BY RANGE | LIST | HASH (...)` clause after the cursor: () when a
    key part is an expression, None when there is no such clause. The cursor does not move."""
    rest = top_level(cursor.words[cursor.position :]) if not cursor.done else []
    clause = next((i for i in range(len(rest) - 1) if rest[i].upper == "PARTITION" and rest[i + 1].upper == "BY"), None)
    if clause is None:
        return None
    key = Cursor(cursor.words, cursor.words.index(rest[clause]) + 3)  # past PARTITION BY <strategy>
    if not key.at_symbol("("):
        return ()
    start = key.position + 1
    key.skip_group()
    parts = split_top_level(cursor.words[start : key.position - 1])
    if not all(_is_key_column(part) for part in parts):
        return ()
    return tuple(part[0].name for part in parts)


def _is_key_column(part: Sequence[Word]) -> bool:
    """A part of a partition key that is a column, with a COLLATE or an operator class or neither."""
    if not part or part[0].kind not in ("word", "quoted"):
        return False
    return len(part) == 1 or part[1].upper == "COLLATE" or (len(part) == 2 and part[1].kind == "word")


def create_view(words: Sequence[Word]) -> list[Action] | None:
    """CREATE [OR REPLACE] [TEMP] [RECURSIVE] VIEW name: its row type, which a column may have."""
    cursor = _after(words, "VIEW")
    name = cursor.name() if cursor else None
    if name is None:
        return None
    return [Action("create_type", name=unqualified(name), object_kind="VIEW")]


def create_materialized_view(words: Sequence[Word]) -> list[Action] | None:
    """A materialized view holds rows as a table does: created in the same file, it has no readers."""
    cursor = Cursor(words, 3)  # after CREATE MATERIALIZED VIEW
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.name()
    if name is None:
        return None
    return [
        Action("create_table", table=unqualified(name), if_not_exists=if_not_exists, object_kind="MATERIALIZED VIEW")
    ]


def refresh(words: Sequence[Word]) -> list[Action] | None:
    """REFRESH MATERIALIZED VIEW: without CONCURRENTLY, it rebuilds the view under an ACCESS EXCLUSIVE
    lock; `WITH NO DATA` empties it instead (object_kind NO DATA)."""
    cursor = Cursor(words, 3)
    concurrently = cursor.accept("CONCURRENTLY")
    name = cursor.name()
    if name is None:
        return None
    if concurrently:
        return [Action("other", table=unqualified(name))]
    empties = cursor.accept("WITH", "NO", "DATA")
    return [Action("rewrite_table", table=unqualified(name), object_kind="NO DATA" if empties else "REFRESH")]


def select_into(words: Sequence[Word]) -> list[Action]:
    """`[WITH ...] SELECT ... INTO [TEMP | TEMPORARY | UNLOGGED] [TABLE] name ...` creates the table,
    as CREATE TABLE AS does; nothing when the SELECT has no INTO."""
    start = with_body(words) if words[0].upper == "WITH" else 0
    if start is None or words[start].upper != "SELECT":
        return []
    level = top_level(words[start:])
    into = next((index for index, word in enumerate(level) if word.upper == "INTO"), None)
    if into is None:
        return []
    cursor = Cursor(level, into + 1)
    cursor.accept("LOCAL")
    cursor.accept("GLOBAL")
    temporary = cursor.accept("TEMP") or cursor.accept("TEMPORARY")
    cursor.accept("UNLOGGED")
    cursor.accept("TABLE")
    name = cursor.name()
    return [Action("create_table", table=unqualified(name), temporary=temporary)] if name else []


def create_index(words: Sequence[Word]) -> list[Action] | None:
    cursor = _after(words, "INDEX")
    if cursor is None:
        return None
    concurrently = cursor.accept("CONCURRENTLY")
    cursor.accept("IF", "NOT", "EXISTS")
    name = None if cursor.at("ON") else cursor.name()
    if not cursor.accept("ON"):
        return None
    only = cursor.accept("ONLY")  # on a partitioned table: its own index, none on the partitions
    table = cursor.name()
    if table is None:
        return None
    if cursor.accept("USING"):
        cursor.name()
    key = column_list(cursor)
    table = unqualified(table)
    if name is None and key:  # the name Postgres chooses: table, columns, `idx`
        name = constraint_name(table, "_".join(key), "idx")
    return [
        Action(
            "create_index",
            table=table,
            name=in_schema_of(table, name) if name else None,  # an index is in its table's schema
            concurrently=concurrently,
            object_kind="ONLY" if only else None,
            key_columns=key,
        )
    ]


def drop(kind: str, words: Sequence[Word]) -> list[Action] | None:
    """DROP <object> [CONCURRENTLY] [IF EXISTS] name [, ...] [CASCADE | RESTRICT]."""
    cursor = Cursor(words, len(kind.split()))
    concurrently = cursor.accept("CONCURRENTLY")
    if_exists = cursor.accept("IF", "EXISTS")
    if kind in ("DROP OPERATOR", "DROP CAST"):
        return _drop_by_signature(kind, cursor)
    names = _names(cursor)
    if kind in ("DROP POLICY", "DROP TRIGGER", "DROP RULE"):
        table = cursor.table_name() if cursor.accept("ON") else None
        return [
            Action(
                "drop_policy" if kind == "DROP POLICY" else "drop_object",
                object_kind=kind.split(" ", 1)[1],
                name=names[0] if names else None,
                table=table,
                if_exists=if_exists,
            )
        ]
    if not names:
        return None
    if kind == "DROP TABLE":
        return [Action("drop_table", table=name) for name in names]
    if kind == "DROP INDEX":
        cascade = "CASCADE" if cursor.accept("CASCADE") else None
        return [Action("drop_index", name=name, concurrently=concurrently, object_kind=cascade) for name in names]
    if kind in ("DROP TYPE", "DROP DOMAIN"):
        return [Action("drop_type", name=name) for name in names]
    if kind == "DROP SCHEMA":
        return [Action("drop_schema", name=name) for name in names]
    if kind == "DROP DATABASE":
        return [Action("drop_database", name=names[0])]
    if kind == "DROP TABLESPACE":
        return [Action("drop_tablespace", name=names[0])]
    if kind in _DROPPED_OBJECTS:
        return [Action("drop_object", object_kind=_DROPPED_OBJECTS[kind], name=name) for name in names]
    return [Action("other", name=name) for name in names]


def _drop_by_signature(kind: str, cursor: Cursor) -> list[Action] | None:
    """DROP OPERATOR name (left, right) [, ...] and DROP CAST (source AS target): objects named by
    symbols or by a signature, which the name reader does not take."""
    dropped = []
    while not cursor.done and not cursor.at("CASCADE") and not cursor.at("RESTRICT"):
        start = cursor.position
        while not cursor.done and not cursor.at_symbol("("):
            cursor.next()
        if not cursor.at_symbol("("):
            return None
        cursor.skip_group()
        name = _as_written(cursor.words[start : cursor.position])
        dropped.append(Action("drop_object", object_kind=_DROPPED_OBJECTS[kind], name=name))
        if not cursor.at_symbol(","):
            break
        cursor.next()
    return dropped or None


def _as_written(words: Sequence[Word]) -> str:
    """A signature spaced as people write it: the tokenizer splits an operator such as `===` into
    `==` and `=`, which a message must not show apart."""
    text = ""
    for previous, word in zip((None, *words), words, strict=False):
        glued = previous is not None and (
            previous.text in ("(", ".")
            or word.text in (")", ",", ".")
            or (previous.kind == word.kind == "symbol" and previous.start + len(previous.text) == word.start)
        )
        text += word.text if glued or previous is None else " " + word.text
    return text


def _names(cursor: Cursor) -> list[str]:
    names = []
    while True:
        name = cursor.name()
        if name is None:
            break
        names.append(unqualified(name))
        if cursor.at_symbol("("):  # a function signature
            cursor.skip_group()
        if not cursor.at_symbol(","):
            break
        cursor.next()
    return names


def policy(words: Sequence[Word]) -> list[Action] | None:
    cursor = Cursor(words, 2)  # after CREATE POLICY
    name = cursor.name()
    if name is None or not cursor.accept("ON"):
        return None
    return [Action("create_policy", name=name, table=cursor.table_name())]


def alter_policy(words: Sequence[Word]) -> list[Action] | None:
    """ALTER POLICY name ON table RENAME TO new, which the history of policies follows; any other
    change keeps the policy's name."""
    cursor = Cursor(words, 2)  # after ALTER POLICY
    name = cursor.name()
    table = cursor.name() if cursor.accept("ON") else None
    if name is None or table is None:
        return None
    if not cursor.accept("RENAME", "TO"):
        return [Action("other")]
    new = cursor.name()
    return None if new is None else [Action("rename_policy", table=unqualified(table), values=(name, new))]


def create_extension(words: Sequence[Word]) -> list[Action] | None:
    cursor = Cursor(words, 2)
    cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.name()
    return None if name is None else [Action("create_extension", name=name)]


def truncate(words: Sequence[Word]) -> list[Action] | None:
    """`TRUNCATE [TABLE] [ONLY] name [*] [, ...] [... CASCADE]`: each table, and CASCADE in object_kind
    (it empties every table with a foreign key to them too)."""
    cursor = Cursor(words, 1)
    cursor.accept("TABLE")
    names = []
    while True:
        cursor.accept("ONLY")
        name = cursor.name()
        if name is None:
            return None
        names.append(unqualified(name))
        if cursor.at_symbol("*"):  # the table and its descendants, as without it
            cursor.next()
        if not cursor.at_symbol(","):
            break
        cursor.next()
    cascade = "CASCADE" if any(word.upper == "CASCADE" for word in cursor.rest()) else None
    return [Action("truncate", table=name, object_kind=cascade) for name in names]


def vacuum(words: Sequence[Word]) -> list[Action]:
    cursor = Cursor(words, 1)
    full = cursor.accept("FULL")
    if cursor.at_symbol("("):
        start = cursor.position
        cursor.skip_group()
        full = full or option_on(words[start + 1 : cursor.position - 1], "FULL")
    while cursor.accept("FREEZE") or cursor.accept("VERBOSE") or cursor.accept("ANALYZE"):
        pass
    tables = _names(cursor)
    return [Action("vacuum", table=table, full=full) for table in tables] or [Action("vacuum", full=full)]


def option_on(options: Sequence[Word], name: str) -> bool:
    """Whether a parenthesised option list (`FULL, VERBOSE false`) turns `name` on: an option
    without a value is on, and so are the values Postgres reads as true."""
    for option in split_top_level(options):
        if option[0].upper == name:
            return len(option) == 1 or option[1].text.upper() in ("TRUE", "ON", "1", "YES")
    return False


def alter_index(words: Sequence[Word]) -> list[Action] | None:
    """`ALTER INDEX [IF EXISTS] name SET TABLESPACE t` (or `ALL IN TABLESPACE a ... SET TABLESPACE b`)
    copies the index; RENAME TO renames it; any other ALTER INDEX changes only the catalogue, or
    attaches a partition's index."""
    cursor = Cursor(words, 2)  # after ALTER INDEX
    if cursor.accept("ALL", "IN", "TABLESPACE"):
        return [Action("set_tablespace", object_kind="INDEX")]
    cursor.accept("IF", "EXISTS")
    name = cursor.name()
    if name is not None and cursor.accept("SET", "TABLESPACE"):
        return [Action("set_tablespace", name=unqualified(name), object_kind="INDEX")]
    if name is not None and cursor.accept("RENAME", "TO"):
        return renamed_to("rename_index", unqualified(name), cursor)
    return [Action("other")]


def cluster(words: Sequence[Word]) -> list[Action]:
    cursor = Cursor(words, 1)
    if cursor.at_symbol("("):
        cursor.skip_group()  # options: VERBOSE [boolean]
    cursor.accept("VERBOSE")
    return [Action("cluster", table=cursor.table_name())]


def reindex(words: Sequence[Word]) -> list[Action] | None:
    """REINDEX [(options)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] [name]: CONCURRENTLY
    either as a keyword or as an option (`REINDEX (CONCURRENTLY) INDEX i`); the target in
    `object_kind`, and for a TABLE the table."""
    cursor = Cursor(words, 1)
    concurrently = False
    if cursor.at_symbol("("):
        start = cursor.position
        cursor.skip_group()
        concurrently = option_on(words[start + 1 : cursor.position - 1], "CONCURRENTLY")
    target = cursor.next()
    if target is None or target.upper not in ("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"):
        return None
    concurrently = cursor.accept("CONCURRENTLY") or concurrently
    name = cursor.table_name()
    return [
        Action(
            "reindex",
            object_kind=target.upper,
            concurrently=concurrently,
            name=name,
            table=name if target.upper == "TABLE" else None,
        )
    ]


def grant(words: Sequence[Word]) -> list[Action] | None:
    """GRANT ... TO grantees (also inside ALTER DEFAULT PRIVILEGES)."""
    level = top_level(words)
    cursor = None
    for index, keyword in enumerate(level):
        if keyword.upper == "TO":
            cursor = Cursor(level, index + 1)
    if cursor is None:
        # REVOKE ... FROM, or a role membership grant without TO, is not a grant to anyone new.
        return [Action("other")]
    grantees = []
    while not cursor.done:
        word = cursor.next()
        assert word is not None
        if word.upper in ("WITH", "GRANTED"):
            break
        if word.kind in ("word", "quoted"):
            # Postgres takes the quoted `"public"` as PUBLIC too, but `"PUBLIC"` is a role of that name:
            # keep its quotes so it can never be mistaken for the keyword.
            if word.name == "public":
                grantees.append("PUBLIC")
            else:
                grantees.append(f'"{word.name}"' if word.name == "PUBLIC" else word.name)
    return [Action("grant", values=tuple(grantees))]


def create_function(words: Sequence[Word]) -> list[Action] | None:
    """CREATE [OR REPLACE] FUNCTION name (...) ... with its volatility (VOLATILE unless it says
    IMMUTABLE or STABLE, as Postgres defaults it), its input parameters, which tell one overload
    from another, and how many arguments a call may pass."""
    cursor = _after(words, "FUNCTION")
    name = cursor.name() if cursor else None
    if cursor is None or name is None or not cursor.at_symbol("("):
        return None
    start = cursor.position + 1
    cursor.skip_group()
    inputs = [
        parameter
        for parameter in split_top_level(words[start : cursor.position - 1])
        if parameter[0].upper != "OUT"  # a result, not an argument
    ]
    optional = sum(1 for parameter in inputs if any(w.upper == "DEFAULT" or w.is_symbol("=") for w in parameter))
    variadic = any(parameter[0].upper == "VARIADIC" for parameter in inputs)
    said = [word.upper for word in top_level(words) if word.upper in ("IMMUTABLE", "STABLE", "VOLATILE")]
    return [
        Action(
            "create_function",
            name=unqualified(name),
            object_kind=said[-1] if said else "VOLATILE",
            values=(", ".join(_without_default(parameter) for parameter in inputs),),
            arguments=(len(inputs) - optional, -1 if variadic else len(inputs)),
        )
    ]


def _without_default(parameter: Sequence[Word]) -> str:
    """A parameter as text up to its default: CREATE OR REPLACE keeps names and types, not defaults."""
    kept = []
    for word in parameter:
        if word.upper == "DEFAULT" or word.is_symbol("="):
            break
        kept.append(word.name if word.kind in ("word", "quoted") else word.text)
    return " ".join(kept)
