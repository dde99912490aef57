"""SET and RESET of the settings the history follows: `check_function_bodies`, which decides whether
CREATE FUNCTION checks a body written as a string (pg_dump writes `SET check_function_bodies = false;`
at the top of every dump, and a migration pasted from one keeps it).

Only a setting for the session is followed. `SET LOCAL` lasts until its transaction ends, which the
history does not track: one that turns a check off is left out, and the check taken to be on; one
that turns it on is taken to hold to the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.words import Cursor, Word

FOLLOWED = frozenset({"check_function_bodies"})
# What Postgres reads as a boolean (any case): the words, and each one's unique prefixes.
TRUE = frozenset({"t", "tr", "tru", "true", "y", "ye", "yes", "on", "1"})
FALSE = frozenset({"f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0"})


def setting(kind: str, words: Sequence[Word]) -> list[Action]:
    """`SET [SESSION | LOCAL] name {TO | =} value`, `SET name TO DEFAULT`, `RESET name` and `RESET
    ALL` of a followed setting: a `set_setting` action whose value is `on`, `off` or `default`."""
    cursor = Cursor(words, 1)
    if kind == "RESET" and cursor.accept("ALL"):
        return [Action("set_setting", name=name, values=("default",)) for name in sorted(FOLLOWED)]
    local = kind == "SET" and cursor.accept("LOCAL")
    if kind == "SET" and not local:
        cursor.accept("SESSION")
    name = cursor.name()
    if name not in FOLLOWED or (kind == "SET" and not (cursor.accept("TO") or _accept_equals(cursor))):
        return [Action("other")]
    value = "default" if kind == "RESET" else _value(cursor.next())
    if value is None or (local and value == "off"):
        return [Action("other")]
    return [Action("set_setting", name=name, values=(value,))]


def _accept_equals(cursor: Cursor) -> bool:
    if cursor.at_symbol("="):
        cursor.next()
        return True
    return False


def _value(word: Word | None) -> str | None:
    """`on`, `off` or `default` for a boolean's value; None for anything else (Postgres refuses it)."""
    if word is None or word.kind not in ("word", "string", "number", "quoted"):
        return None
    if word.upper == "DEFAULT":
        return "default"
    text = word.text.lower() if word.kind != "quoted" else word.text
    return "on" if text in TRUE else "off" if text in FALSE else None
