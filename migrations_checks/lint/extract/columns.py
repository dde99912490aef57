"""Column definitions, shared by CREATE TABLE and ALTER TABLE ... ADD COLUMN."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from msgspec import Struct

from migrations_checks.lint.sql.words import Cursor, Word, split_top_level, unqualified

# Words that look like a call when a parenthesis follows but are SQL syntax, not `pg_proc`
# functions: none of them is volatile of its own (their arguments are read as calls in their turn).
_CALL_LIKE_SYNTAX = frozenset(
    {
        "all",
        "and",
        "any",
        "array",
        "between",
        "case",
        "cast",
        "coalesce",
        "current_time",
        "current_timestamp",
        "else",
        "exists",
        "filter",
        "greatest",
        "in",
        "is",
        "least",
        "like",
        "localtime",
        "localtimestamp",
        "not",
        "nullif",
        "or",
        "over",
        "row",
        "some",
        "then",
        "trim",
        "values",
        "when",
        "within",
    }
)
_CONSTRAINT_STARTS = frozenset(
    {
        "NOT",
        "NULL",
        "DEFAULT",
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "CHECK",
        "REFERENCES",
        "GENERATED",
        "COLLATE",
        "USING",
    }
)
# NULL and USING may appear inside an expression (`DEFAULT NULL`, a type cast's USING).
_EXPRESSION_ENDS = _CONSTRAINT_STARTS - {"NULL", "USING"}


class ColumnDefinition(Struct, frozen=True):
    """One column of a CREATE TABLE or an ADD COLUMN, as the rules need it."""

    name: str
    type: str
    not_null: bool
    has_default: bool
    volatile_default: str | None  # a default volatile by its kind: serial, identity, stored generated
    default_calls: tuple[tuple[str, int], ...]  # the functions its default calls, with their argument counts
    references: str | None
    unique: bool
    checked: bool  # has a CHECK constraint of its own
    primary_key: bool
    collation: str | None  # as written after COLLATE, normalised by `collation_name`


# Bare words Postgres's grammar reads as another type's name: restating a column's type in another
# spelling is no change. Quoted names are taken as written.
_TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "decimal": "numeric",
    "dec": "numeric",
    "timestamptz": "timestamp with time zone",
    "timetz": "time with time zone",
    "varbit": "bit varying",
    "character": "char",
}
# The underlying integer type of each serial pseudo-type.
SERIAL_TYPES = {
    "serial": "integer",
    "serial4": "integer",
    "serial2": "smallint",
    "smallserial": "smallint",
    "serial8": "bigint",
    "bigserial": "bigint",
}
# Each pattern with a word it needs, so that most types try none: (word, pattern, short form).
_SHORT_FORMS = (
    ("varying", re.compile(r"\bchar varying\b"), "varchar"),
    ("varying", re.compile(r"\bbit varying\b"), "varbit"),
    ("zone", re.compile(r"\btimestamp(\(\d+\))? with time zone\b"), r"timestamptz\1"),
    ("zone", re.compile(r"\btimestamp(\(\d+\))? without time zone\b"), r"timestamp\1"),
    ("zone", re.compile(r"\btime(\(\d+\))? with time zone\b"), r"timetz\1"),
    ("zone", re.compile(r"\btime(\(\d+\))? without time zone\b"), r"time\1"),
    # `float(p)` is real up to 24 binary digits of precision, double precision beyond; `float` alone
    # is double precision.
    ("float", re.compile(r"\bfloat\((?:[1-9]|1\d|2[0-4])\)"), "real"),
    ("float", re.compile(r"\bfloat(?:\(\d+\))?"), "double precision"),
)


def normalize_type(words: Sequence[Word]) -> str:
    """A type as comparable text, one spelling per type: `character varying (20)` is `varchar(20)`,
    `int4` is `integer`, `timestamp(3) with time zone` is `timestamptz(3)`, and `public.mood` is
    `mood`, as `unqualified` names tables."""
    text = ""
    for index, word in enumerate(words):
        if word.kind == "word":
            piece = word.text.lower()
            piece = _TYPE_ALIASES.get(piece, piece)
            if piece == "char" and not _length_follows(words, index):
                piece = "char(1)"
        else:
            piece = word.name if word.kind == "quoted" else word.text
        if text and word.kind in ("word", "quoted", "number") and text[-1] not in "(,[.":
            text += " "
        text += piece
    for needed, pattern, short in _SHORT_FORMS:
        if needed in text:
            text = pattern.sub(short, text)
    return unqualified(text)


def _length_follows(words: Sequence[Word], index: int) -> bool:
    """Whether a length or `varying` follows the `char` at `index`: alone, it is `char(1)`."""
    after = words[index + 1] if index + 1 < len(words) else None
    return after is not None and (after.is_symbol("(") or after.upper == "VARYING")


def type_words(cursor: Cursor, stop: frozenset[str] = _CONSTRAINT_STARTS) -> list[Word]:
    """The words of a type name, up to the first constraint keyword outside parentheses."""
    taken: list[Word] = []
    depth = 0
    while not cursor.done:
        word = cursor.peek()
        assert word is not None
        if depth == 0 and (word.upper in stop or word.is_symbol(",")):
            break
        if word.kind == "symbol" and word.text in ("(", "["):
            depth += 1
        elif word.kind == "symbol" and word.text in (")", "]"):
            depth -= 1
        taken.append(word)
        cursor.position += 1
    return taken


def parse_column(words: Sequence[Word]) -> ColumnDefinition | None:
    """Read `name type [constraints...]`; None when the words are not a column definition."""
    cursor = Cursor(words)
    name = cursor.name()
    if name is None:
        return None
    column_type = normalize_type(type_words(cursor))
    if not column_type:
        return None
    not_null = primary_key = unique = has_default = checked = False
    volatile: str | None = None
    calls: tuple[tuple[str, int], ...] = ()
    references: str | None = None
    collation: str | None = None
    if column_type in SERIAL_TYPES:  # NOT NULL too, as Postgres makes it
        has_default, not_null, volatile = True, True, f"{column_type} (a sequence default)"
        column_type = SERIAL_TYPES[column_type]
    while not cursor.done:
        if cursor.accept("NOT", "NULL"):
            not_null = True
        elif cursor.accept("NULL") or cursor.accept("NOT", "DEFERRABLE") or cursor.accept("DEFERRABLE"):
            pass
        elif cursor.accept("CONSTRAINT"):
            cursor.name()
        elif cursor.accept("PRIMARY", "KEY"):
            primary_key = not_null = True
        elif cursor.accept("UNIQUE"):
            unique = True
        elif cursor.accept("DEFAULT"):
            expression = expression_words(cursor)
            # `DEFAULT NULL` fills existing rows with NULL, exactly like no default.
            has_default = has_default or not is_null(expression)
            calls += called_functions(expression)
        elif cursor.accept("GENERATED"):
            has_default = True
            # `BY DEFAULT` is part of the identity clause, not a column default.
            if not cursor.accept("ALWAYS"):
                cursor.accept("BY", "DEFAULT")
            expression = expression_words(cursor)
            if any(word.upper == "IDENTITY" for word in expression):
                volatile, not_null = "an identity column", True  # Postgres makes it NOT NULL
            elif any(word.upper == "STORED" for word in expression):
                volatile = "a stored generated column"
        elif cursor.accept("REFERENCES"):
            target = cursor.name()
            references = unqualified(target) if target else None
            _skip_reference_options(cursor)
        elif cursor.accept("COLLATE"):
            collation = collation_name(cursor.name())
        elif cursor.accept("CHECK"):
            checked = True
            expression_words(cursor)
        else:
            cursor.next()
    return ColumnDefinition(
        name=name,
        type=column_type,
        not_null=not_null,
        has_default=has_default,
        volatile_default=volatile,
        default_calls=calls,
        references=references,
        unique=unique,
        checked=checked,
        primary_key=primary_key,
        collation=collation,
    )


def column_list(cursor: Cursor) -> tuple[str, ...]:
    """The columns of a parenthesised key at the cursor, which it skips: each element a column,
    maybe with a collation, operator class, sort order or NULLS placement (an index's key); () when
    an element is an expression."""
    if not cursor.at_symbol("("):
        return ()
    start = cursor.position + 1
    cursor.skip_group()
    parts = split_top_level(cursor.words[start : cursor.position - 1])
    if not parts or any(not _plain_key(part) for part in parts):
        return ()
    return tuple(part[0].name for part in parts)


def _plain_key(part: Sequence[Word]) -> bool:
    """`column [COLLATE c] [opclass] [ASC | DESC] [NULLS FIRST | LAST]`: names after the column only."""
    return part[0].kind in ("word", "quoted") and all(
        word.kind in ("word", "quoted") or word.is_symbol(".") for word in part[1:]
    )


def collation_name(name: str | None) -> str | None:
    """A collation as comparable text; None for the type's default (no COLLATE, or `"default"`)."""
    if name is not None and name.startswith("pg_catalog."):
        name = name[len("pg_catalog.") :]
    return None if name in (None, "default") else name


def _skip_reference_options(cursor: Cursor) -> None:
    """Skip what follows `REFERENCES table`: its columns, MATCH and the ON DELETE / ON UPDATE
    actions, whose `SET DEFAULT` and `SET NULL` are no column default or nullability."""
    if cursor.at_symbol("("):
        cursor.skip_group()
    while not cursor.done:
        if cursor.accept("MATCH"):
            cursor.next()
        elif cursor.accept("ON", "DELETE") or cursor.accept("ON", "UPDATE"):
            if cursor.accept("SET"):
                cursor.next()  # NULL or DEFAULT
                if cursor.at_symbol("("):
                    cursor.skip_group()
            elif not cursor.accept("NO", "ACTION"):
                cursor.next()  # CASCADE or RESTRICT
        else:
            return


def is_null(expression: Sequence[Word]) -> bool:
    """Whether a default is NULL, maybe parenthesised or cast (`NULL::int`): no default at all."""
    words = [word for word in expression if word.text not in ("(", ")")]
    return bool(words) and words[0].upper == "NULL" and (len(words) == 1 or words[1].text == "::")


def expression_words(cursor: Cursor) -> list[Word]:
    """Words up to the next column-constraint keyword outside parentheses."""
    return type_words(cursor, _EXPRESSION_ENDS)


def called_functions(words: Sequence[Word]) -> tuple[tuple[str, int], ...]:
    """The functions an expression calls, in order, as the history names them (`f`, `app.f`, or
    `pg_catalog.f` for a built-in asked for by its schema; `public.` dropped, as `unqualified` does),
    each with the number of arguments it passes. Type names in casts (`'x'::varchar(20)`,
    `CAST(x AS numeric(10, 2))`) are not calls."""
    calls = []
    for index, (word, following) in enumerate(itertools.pairwise(words)):
        if word.kind not in ("word", "quoted") or following.text != "(":
            continue
        qualified = index >= 2 and words[index - 1].text == "." and words[index - 2].kind in ("word", "quoted")
        name_start = index - 2 if qualified else index
        before = words[name_start - 1] if name_start else None
        if before is not None and (before.text == "::" or before.upper == "AS"):
            continue
        if qualified:
            calls.append((unqualified(f"{words[index - 2].name}.{word.name}"), _argument_count(words, index + 1)))
        elif word.kind == "quoted" or word.name not in _CALL_LIKE_SYNTAX:
            calls.append((word.name, _argument_count(words, index + 1)))
    return tuple(calls)


def _argument_count(words: Sequence[Word], opening: int) -> int:
    """How many arguments the parenthesis at `opening` holds."""
    cursor = Cursor(words, opening)
    cursor.skip_group()
    return len(split_top_level(words[opening + 1 : cursor.position - 1]))
