"""CHECK constraints that prove a column NOT NULL, the proof that lets SET NOT NULL skip its scan,
and the names Postgres gives the unnamed ones (what a later VALIDATE or DROP names)."""

from __future__ import annotations

from collections.abc import Container, Sequence

from migrations_checks.lint.sql.pg_keywords import RESERVED_KEYWORDS
from migrations_checks.lint.sql.words import NAME_BYTES, Cursor, Word


def not_null_check(cursor: Cursor) -> str | None:
    """The column a `CHECK (...)` at the cursor proves NOT NULL, the constraint that lets SET NOT NULL
    skip its scan: `column IS NOT NULL`, qualified (`"t"."c"`, as drizzle-kit writes it) or in
    parentheses, alone or ANDed with other conditions. The cursor ends past the parentheses."""
    if not cursor.at_symbol("("):
        return None
    start = cursor.position + 1
    cursor.skip_group()
    pending = [list(cursor.words[start : cursor.position - 1])]
    while pending:
        words = _unwrapped(pending.pop(0))
        conjuncts = _split_and(words)
        if len(conjuncts) > 1:
            pending.extend(conjuncts)
            continue
        if len(words) >= 4 and [word.upper for word in words[-3:]] == ["IS", "NOT", "NULL"]:
            name = _unwrapped(words[:-3])
            parts, dots = name[0::2], name[1::2]
            if (
                len(name) % 2
                and all(part.kind in ("word", "quoted") for part in parts)
                and all(dot.is_symbol(".") for dot in dots)
            ):
                return name[-1].name
    return None


def _unwrapped(words: list[Word]) -> list[Word]:
    """The words inside any parentheses that wrap all of them."""
    while len(words) >= 2 and words[0].is_symbol("(") and words[-1].is_symbol(")"):
        group = Cursor(words)
        group.skip_group()
        if group.position != len(words):  # `(a) AND (b)`: the first parenthesis closes early
            break
        words = words[1:-1]
    return words


def _split_and(words: list[Word]) -> list[list[Word]]:
    """The conditions ANDed at the top level of an expression."""
    parts: list[list[Word]] = [[]]
    depth = 0
    for word in words:
        if word.is_symbol("("):
            depth += 1
        elif word.is_symbol(")"):
            depth -= 1
        if depth == 0 and word.upper == "AND":
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def constraint_name(relation: str, column: str | None, label: str, taken: Container[str] = ()) -> str:
    """The name Postgres chooses for an unnamed constraint (ChooseConstraintName): `relation_column_label`
    with the longer of the two names cut, a byte at a time, until it fits in NAME_BYTES, and a number
    after the label (`check1`, `check2`...) while the name is `taken`."""
    relation = relation.rpartition(".")[2]
    suffix = 0
    while True:
        numbered = f"{label}{suffix or ''}"
        parts = [relation.encode(), (column or "").encode()]
        room = NAME_BYTES - len(numbered) - 1 - (1 if column is not None else 0)
        while len(parts[0]) + len(parts[1]) > room:
            longer = 0 if len(parts[0]) > len(parts[1]) else 1
            parts[longer] = parts[longer][:-1]
        # A name is cut between characters, never inside one.
        cut = [part.decode(errors="ignore") for part in parts]
        name = "_".join([cut[0], *([cut[1]] if column is not None else []), numbered])
        if name not in taken:
            return name
        suffix += 1


def mentioned(cursor: Cursor) -> tuple[str, ...]:
    """The names a `(...)` expression at the cursor reads, which leaves the cursor where it was: its
    columns, not what `_not_names` finds, nor a reserved keyword (which no column may be named bare;
    the others, `position` or `at`, may name one)."""
    group = Cursor(cursor.words, cursor.position)
    group.skip_group()
    words = cursor.words[cursor.position + 1 : group.position - 1]
    skipped = _not_names(words)
    names = [
        word.name
        for index, word in enumerate(words)
        if word.kind == "quoted" or (word.kind == "word" and word.name not in RESERVED_KEYWORDS)
        if index not in skipped
    ]
    return tuple(dict.fromkeys(names))


# An interval's fields, which may follow its literal or its type.
_FIELDS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TO"})
# Words after which come a type's name, and the words a type's name may go on with
# (`double precision`, `timestamp with time zone`, `interval day to second`).
_TYPE_FOLLOWS = frozenset({"::", "AS", "COLLATE"})
_TYPE_WORDS = frozenset({"PRECISION", "VARYING", "WITH", "WITHOUT", "TIME", "ZONE", *_FIELDS})
# What may follow IS [NOT] (`IS JSON OBJECT`, `IS NFC NORMALIZED`, `IS UNKNOWN`).
_IS_WORDS = frozenset(
    {"JSON", "OBJECT", "ARRAY", "SCALAR", "VALUE", "NORMALIZED", "NFC", "NFD", "NFKC", "NFKD", "UNKNOWN", "DOCUMENT"}
)


def _not_names(words: Sequence[Word]) -> set[int]:
    """Where an expression's words name no column: a function called, a qualifier (`t` in `t.a`), a
    type (cast to, or of a literal: `date '2024-01-01'`, with its fields), a collation, a field
    EXTRACT reads, and keywords that may otherwise name columns (`AT TIME ZONE`, `AT LOCAL`,
    `BETWEEN`, what follows IS)."""
    found: set[int] = set()
    for index, word in enumerate(words):
        after = words[index + 1] if index + 1 < len(words) else None
        if after is not None and (after.is_symbol("(") or after.is_symbol(".") or after.kind == "string"):
            found.add(index)  # a call, a qualifier, a typed literal's type
        if (word.kind == "symbol" and word.text in _TYPE_FOLLOWS) or word.upper in _TYPE_FOLLOWS:
            found.update(_type_name(words, index + 1))
        elif word.kind == "string":
            found.update(_type_name(words, index + 1, fields_only=True))  # `'1' day`
            found.update(_literal_type(words, index))  # `timestamp with time zone '...'`
        elif word.upper == "AT" and after is not None and after.upper in ("TIME", "LOCAL"):
            found.update((index, index + 1, index + 2) if after.upper == "TIME" else (index, index + 1))
        elif word.upper in ("BETWEEN", "SYMMETRIC", "ASYMMETRIC") and index:
            found.add(index)
        elif word.upper == "EXTRACT" and after is not None and after.is_symbol("("):
            found.add(index + 2)
        elif word.upper in _IS_WORDS and index and words[index - 1].upper in ("IS", "NOT", *_IS_WORDS):
            found.add(index)
    return found


def _literal_type(words: Sequence[Word], literal: int) -> range:
    """Where the type of the literal at `literal` is written before it, when its name has several
    words (`timestamp with time zone '...'`)."""
    start = literal
    while start and words[start - 1].upper in _TYPE_WORDS:
        start -= 1
    if start < literal and start and words[start - 1].kind == "word":
        start -= 1  # `timestamp`, `double`, `character`
    return range(start, literal)


def _type_name(words: Sequence[Word], index: int, fields_only: bool = False) -> range:
    """Where the type named at `index` stands: a possibly qualified name, then the words a type's
    name goes on with; with `fields_only`, only an interval's fields."""
    end = index
    if not fields_only:
        while end < len(words) and words[end].kind in ("word", "quoted"):
            end += 1
            if end < len(words) and words[end].is_symbol("."):
                end += 1
            else:
                break
    while end < len(words) and words[end].upper in (_FIELDS if fields_only else _TYPE_WORDS):
        end += 1
    return range(index, end)


def element_checks(element: Sequence[Word]) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    """(constraint, the column it proves NOT NULL or None, the names it reads) of each `[CONSTRAINT
    name] CHECK (...)` of one element of a CREATE TABLE (a table constraint or a column's, which may
    name another column); the constraint None where it is unnamed."""
    found: list[tuple[str | None, str | None, tuple[str, ...]]] = []
    for index, word in enumerate(element):
        if word.upper != "CHECK":
            continue
        named = index >= 2 and element[index - 2].upper == "CONSTRAINT"
        reads = mentioned(Cursor(element, index + 1))
        found.append((element[index - 1].name if named else None, not_null_check(Cursor(element, index + 1)), reads))
    return found
