"""The column a string literal is written for, and so the type Postgres reads it as.

A quoted literal has no type of its own: Postgres gives it the type of the column it is stored in or
compared with. So `'active'` as the default of a text column, or inserted into a column of another
enum, is no value of an enum that happens to have the label `active`. Only the plain places are
read: a column definition's DEFAULT, `ALTER COLUMN ... SET DEFAULT`, an element of the VALUES rows
of an INSERT (that names its columns, or into a table whose columns the history shows), and `column
= 'v'` at the top level of an UPDATE without FROM.
Anywhere else the column is unknown, and callers must assume the worst.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.extract.columns import parse_column
from migrations_checks.lint.history import History
from migrations_checks.lint.sql.builtin_types import BUILT_IN_TYPES
from migrations_checks.lint.sql.words import Cursor, Word, split_top_level
from migrations_checks.lint.statements import Statement


def column_type(words: Sequence[Word], index: int, statement: Statement, history: History) -> str | None:
    """The type of the column the literal at `words[index]` is written for; None when unknown, or
    when a cast (`'v'::mood`) says what it is whatever the column."""
    before = words[index - 1] if index else None
    if before is None or (index + 1 < len(words) and words[index + 1].is_symbol("::")):
        return None
    if before.upper == "DEFAULT":
        return _default_type(words, index - 1, statement, history)
    if statement.kind == "INSERT" and (before.is_symbol("(") or before.is_symbol(",")):
        return _inserted_type(words, index, statement, history)
    if statement.kind == "UPDATE" and before.is_symbol("=") and index >= 2:
        return _compared_type(words, index - 2, statement, history)
    return None


def cannot_be(enum: str | None, type_name: str | None, history: History) -> bool:
    """Whether a column of `type_name` cannot hold a value of `enum`: a built-in type, another enum
    the history shows, or an array of either. A domain or an unknown type may, as far as we know."""
    if type_name is None:
        return False
    element = type_name.split("[", 1)[0]  # an array holds values of its element type
    if element in history.enums:
        return element != enum
    return element.split("(", 1)[0] in BUILT_IN_TYPES


def _default_type(words: Sequence[Word], default: int, statement: Statement, history: History) -> str | None:
    """The type of the column whose DEFAULT is at `default`: from its definition (CREATE TABLE, ADD
    COLUMN), or from the history for `ALTER COLUMN c SET DEFAULT`."""
    if default and words[default - 1].upper == "SET":
        # `ALTER [COLUMN] c SET DEFAULT`: the action of the column named just before, if one is.
        named = words[default - 2].name if default >= 2 and words[default - 2].kind in ("word", "quoted") else None
        changed = [a for a in statement.actions if a.verb == "set_default" and a.column == named]
        if len(changed) != 1:
            return None
        table, name = changed[0].table, changed[0].column
        if any(a.table == table and name in (a.column, a.name) for a in statement.actions if a is not changed[0]):
            return None  # the statement changes the column too (its type, say): the history is out of date
        known = history.column_type(table, name)
        return known[0] if known else None
    start, depth = default, 0
    while start > 0:
        word = words[start - 1]
        if word.is_symbol(")"):
            depth += 1
        elif word.is_symbol("("):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (word.is_symbol(",") or word.upper in ("ADD", "COLUMN", "EXISTS")):
            break
        start -= 1
    if start == 0:
        return None
    column = parse_column(words[start:default])
    return column.type if column is not None else None


def _inserted_type(words: Sequence[Word], index: int, statement: Statement, history: History) -> str | None:
    """The type of the column an element of `INSERT INTO t [(columns)] VALUES (...), ...` fills:
    without a column list, the table's columns in the order the history created them, when the row
    fills every one."""
    cursor = Cursor(words, 1)
    if not cursor.accept("INTO"):
        return None
    table = cursor.table_name()
    if table is None:
        return None
    columns: list[str | None] = list(history.columns.get(table, {}))  # without a list: all, in order
    listed = cursor.at_symbol("(")
    if listed:
        start = cursor.position + 1
        cursor.skip_group()
        columns = [
            part[0].name if len(part) == 1 else None for part in split_top_level(words[start : cursor.position - 1])
        ]
    if not cursor.accept("VALUES"):
        return None
    while cursor.at_symbol("("):
        row_start = cursor.position + 1
        cursor.skip_group()
        if row_start <= index < cursor.position:
            row = split_top_level(words[row_start : cursor.position - 1])
            position = _element_position(row, index - row_start)
            # Without a list, a row of another length says the history does not show every column
            # (one inherited, say), as does a LIKE of a table it does not show ("", any number of them).
            unplaced = not listed and (len(row) != len(columns) or "" in columns)
            if position is None or position >= len(columns) or unplaced:
                return None
            known = history.column_type(table, columns[position])
            return known[0] if known else None
        if not cursor.at_symbol(","):
            break
        cursor.next()
    return None


def _element_position(row: Sequence[Sequence[Word]], offset: int) -> int | None:
    """Which element of a VALUES row (its elements) the word at `offset` is, when it is the whole element."""
    at = 0
    for position, element in enumerate(row):
        if len(element) == 1 and at == offset:
            return position
        at += len(element) + 1  # the element and its comma
    return None


def _compared_type(words: Sequence[Word], name: int, statement: Statement, history: History) -> str | None:
    """The type of the column named at `name` in `column = 'v'` at the top level of an UPDATE
    without FROM (with one, the name may be another table's column)."""
    word = words[name]
    if word.kind not in ("word", "quoted") or any(w.upper == "FROM" for w in words):
        return None
    depth = sum(1 if w.is_symbol("(") else -1 if w.is_symbol(")") else 0 for w in words[:name])
    updated = [a.table for a in statement.actions if a.verb == "update"]
    if depth or len(updated) != 1:
        return None
    qualified = name >= 2 and words[name - 1].is_symbol(".")
    if qualified and words[name - 2].name != (updated[0] or "").rpartition(".")[2]:
        return None
    known = history.column_type(updated[0], word.name)
    return known[0] if known else None
