"""Extractors: statement words in, `Action` records out, one module per family of commands."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from migrations_checks.actions import Action
from migrations_checks.extract import objects
from migrations_checks.extract.alter_table import alter_table
from migrations_checks.extract.dml import data_changes
from migrations_checks.sql.words import Word

# Statements that can carry an UPDATE or DELETE, directly or in a data-modifying WITH clause.
_MAY_CHANGE_DATA = frozenset({"UPDATE", "DELETE", "WITH", "INSERT", "SELECT", "MERGE"})
_SIMPLE_VERBS = {
    "CREATE DATABASE": "create_database",
    "ALTER SYSTEM": "alter_system",
    "CREATE TABLESPACE": "create_tablespace",
}


def describe(kind: str, words: Sequence[Word], tree: exp.Expression | None) -> list[Action] | None:
    """The actions of a statement of command `kind`; None when its words cannot be understood."""
    if kind == "ALTER TABLE":
        return alter_table(words)
    if kind == "CREATE TABLE":
        return objects.create_table(words)
    if kind == "CREATE INDEX":
        return objects.create_index(words)
    if kind == "CREATE POLICY":
        return objects.policy(words)
    if kind == "CREATE TYPE":
        return objects.create_type(words)
    if kind == "ALTER TYPE":
        return objects.alter_type(words)
    if kind.startswith("DROP "):
        return objects.drop(kind, words)
    if kind in _MAY_CHANGE_DATA:
        return data_changes(words, tree)
    if kind == "TRUNCATE":
        return objects.truncate(words)
    if kind == "VACUUM":
        return objects.vacuum(words)
    if kind == "CLUSTER":
        return objects.cluster(words)
    if kind == "REINDEX":
        return objects.reindex(words)
    if kind in ("GRANT", "ALTER DEFAULT PRIVILEGES"):
        return objects.grant(words)
    if kind in _SIMPLE_VERBS:
        return [Action(_SIMPLE_VERBS[kind])]  # type: ignore[arg-type]
    return [Action("other")]


