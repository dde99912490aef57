"""Types and schemas: CREATE / ALTER TYPE (an enum's labels, renames, moves) and ALTER SCHEMA."""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.words import Cursor, Word, top_level, unqualified


def renamed_to(verb: Verb, name: str, cursor: Cursor) -> list[Action] | None:
    """`verb` of `name` to the name after `RENAME TO`, at the cursor."""
    new = cursor.name()
    return None if new is None else [Action(verb, name=name, values=(new,))]


def moved_to_schema(name: str, cursor: Cursor) -> list[Action] | None:
    """A type or domain `name` moved to the schema after `SET SCHEMA`, at the cursor: the same type
    under a new qualified name."""
    schema = cursor.name()
    if schema is None:
        return None
    return [
        Action(
            "rename_type", name=name, values=(unqualified(f"{schema}.{name.rpartition('.')[2]}"),), object_kind="SCHEMA"
        )
    ]


def create_type(words: Sequence[Word]) -> list[Action] | None:
    """CREATE TYPE name ..., with an enum's labels in `values`, and a composite type (`AS (fields)`)
    marked COMPOSITE."""
    cursor = Cursor(words, 2)
    name = cursor.name()
    if name is None:
        return None
    labels: tuple[str, ...] = ()
    if cursor.accept("AS", "ENUM") and cursor.at_symbol("("):
        labels = tuple(word.text for word in top_level(cursor.rest()[1:]) if word.kind == "string")
    elif cursor.accept("AS") and cursor.at_symbol("("):
        return [Action("create_type", name=unqualified(name), object_kind="COMPOSITE")]
    return [Action("create_type", name=unqualified(name), values=labels)]


def alter_type(words: Sequence[Word]) -> list[Action] | None:
    cursor = Cursor(words, 2)  # after ALTER TYPE
    name = cursor.name()
    if name is None:
        return None
    if cursor.accept("ADD", "VALUE"):
        if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
        value = cursor.next()
        if value is None or value.kind != "string":
            return None
        return [Action("add_enum_value", name=unqualified(name), values=(value.text,), if_not_exists=if_not_exists)]
    if cursor.accept("RENAME", "VALUE"):
        old, _, new = cursor.next(), cursor.next(), cursor.next()
        values = tuple(word.text for word in (old, new) if word is not None)
        return [Action("rename_enum_value", name=unqualified(name), values=values)]
    if cursor.accept("RENAME", "TO"):
        return renamed_to("rename_type", unqualified(name), cursor)
    if cursor.accept("SET", "SCHEMA"):
        return moved_to_schema(unqualified(name), cursor)
    return [Action("other", name=unqualified(name))]


def alter_schema(words: Sequence[Word]) -> list[Action] | None:
    cursor = Cursor(words, 2)  # after ALTER SCHEMA
    name = cursor.name()
    if name is None:
        return None
    if cursor.accept("RENAME", "TO"):
        return renamed_to("rename_schema", name, cursor)
    return [Action("other", name=name)]
