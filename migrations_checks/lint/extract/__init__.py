"""Extractors: statement words in, `Action` records out, one module per family of commands."""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.extract import domains, objects, settings, types
from migrations_checks.lint.extract.alter_table import alter_table, alter_view
from migrations_checks.lint.extract.dml import Tree, data_changes, merge_changes
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.classify import classify
from migrations_checks.lint.sql.words import Cursor, Word, has_keyword, top_level

# Statements that can carry an UPDATE or DELETE: directly, in a data-modifying WITH clause, or as
# the query COPY runs.
_MAY_CHANGE_DATA = frozenset({"UPDATE", "DELETE", "WITH", "INSERT", "SELECT", "MERGE", "COPY"})
_TRANSACTION_CONTROL = frozenset(
    {"BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE TRANSACTION", "SAVEPOINT", "RELEASE"}
)

_SIMPLE_VERBS: dict[str, Verb] = {
    "CREATE DATABASE": "create_database",
    "ALTER SYSTEM": "alter_system",
    "CREATE TABLESPACE": "create_tablespace",
    # They finish a transaction prepared earlier, not the one they run in: they cannot run in one.
    "COMMIT PREPARED": "finish_prepared",
    "ROLLBACK PREPARED": "finish_prepared",
}


def describe(kind: str, words: Sequence[Word], tree: Tree, *, plpgsql: bool = False) -> list[Action] | None:
    """The actions of a statement of command `kind`; None when its words cannot be understood.
    Only the extractors of statements that may hold an UPDATE or DELETE call `tree`. `plpgsql`: the
    statement stands in a PL/pgSQL body, where `SELECT ... INTO` assigns variables."""
    if kind == "ALTER TABLE":
        return alter_table(words)
    if kind == "CREATE TABLE":
        return _create_table(words, tree)
    if kind == "EXPLAIN":
        return _explained(words)
    if kind == "PREPARE":
        return _prepared(words)
    if kind == "CREATE FUNCTION":
        return objects.create_function(words)
    if kind == "CREATE INDEX":
        return objects.create_index(words)
    if kind == "ALTER INDEX":
        return objects.alter_index(words)
    if kind == "CREATE POLICY":
        return objects.policy(words)
    if kind == "ALTER POLICY":
        return objects.alter_policy(words)
    if kind == "CREATE TYPE":
        return types.create_type(words)
    if kind == "ALTER TYPE":
        return types.alter_type(words)
    if kind == "CREATE VIEW":
        return objects.create_view(words)
    if kind == "CREATE MATERIALIZED VIEW":
        return objects.create_materialized_view(words)
    if kind == "REFRESH MATERIALIZED VIEW":
        return objects.refresh(words)
    if kind in ("ALTER VIEW", "ALTER MATERIALIZED VIEW"):
        return alter_view(kind, words)
    if kind == "ALTER SCHEMA":
        return types.alter_schema(words)
    if kind == "CREATE EXTENSION":
        return objects.create_extension(words)
    if kind == "CREATE DOMAIN":
        return domains.create_domain(words)
    if kind == "ALTER DOMAIN":
        return domains.alter_domain(words)
    if kind.startswith("DROP "):
        return objects.drop(kind, words)
    if kind == "MERGE":
        return merge_changes(words, tree)
    if kind in ("SELECT", "WITH") and not plpgsql:
        return _with_changes(objects.select_into(words), words, tree)
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
    if kind in ("SET", "RESET"):
        return settings.setting(kind, words)
    if kind in _SIMPLE_VERBS:
        return [Action(_SIMPLE_VERBS[kind])]
    if kind in _TRANSACTION_CONTROL:
        return [_transaction_control(kind, words)]
    return [Action("other")]


def _transaction_control(kind: str, words: Sequence[Word]) -> Action:
    """BEGIN and its kin, with what they do to the transaction in `object_kind`: `begins`, `ends`,
    `chains` (ends it and begins the next at once), or `savepoint` (SAVEPOINT, RELEASE and ROLLBACK
    TO work inside it and need one: which of them in `values`, the savepoint in `name`)."""
    if kind in ("SAVEPOINT", "RELEASE") or (kind == "ROLLBACK" and any(word.upper == "TO" for word in words[1:3])):
        command = {"SAVEPOINT": "SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT"}.get(kind, "ROLLBACK TO SAVEPOINT")
        # The savepoint, last: none where only the command's own words stand (a syntax error).
        named = len(words) > 1 and words[-1].upper not in ("RELEASE", "SAVEPOINT", "TO", "WORK", "TRANSACTION")
        name = words[-1].name if named and words[-1].kind in ("word", "quoted") else None
        return Action("transaction_control", object_kind="savepoint", name=name, values=(command,))
    if kind in ("BEGIN", "START TRANSACTION"):
        return Action("transaction_control", object_kind="begins")
    chains = has_keyword(words, "AND", "CHAIN") and not has_keyword(words, "AND", "NO", "CHAIN")
    return Action("transaction_control", object_kind="chains" if chains else "ends")


def _create_table(words: Sequence[Word], tree: Tree) -> list[Action] | None:
    """A table, and with `AS query` whatever the query changes: a data-modifying WITH clause runs."""
    table = objects.create_table(words)
    if table is None or not has_keyword(top_level(words), "AS"):
        return table
    return _with_changes(table, words, tree)


def _with_changes(created: list[Action], words: Sequence[Word], tree: Tree) -> list[Action] | None:
    """The table a query creates (CREATE TABLE AS, SELECT INTO), then whatever else it changes."""
    changes = data_changes(words, tree)
    if changes is None or not created:
        return changes
    return created + [action for action in changes if action.verb != "other"]


def _explained(words: Sequence[Word]) -> list[Action] | None:
    """EXPLAIN ANALYZE runs the statement it explains; plain EXPLAIN only plans it."""
    cursor = Cursor(words, 1)
    if cursor.at_symbol("("):
        start = cursor.position
        cursor.skip_group()
        analyze = objects.option_on(words[start + 1 : cursor.position - 1], "ANALYZE")
    else:
        analyze = cursor.accept("ANALYZE") or cursor.accept("ANALYSE")
        cursor.accept("VERBOSE")
    return _inner(cursor.rest()) if analyze else [Action("other")]


def _prepared(words: Sequence[Word]) -> list[Action] | None:
    """PREPARE name AS statement: the statement runs at each EXECUTE, so it is judged here."""
    cursor = Cursor(words, 1)
    if cursor.name() is None:
        return None
    if cursor.at_symbol("("):
        cursor.skip_group()
    return _inner(cursor.rest()) if cursor.accept("AS") else None


def _inner(words: Sequence[Word]) -> list[Action] | None:
    kind = classify(words)
    return describe(kind, words, _no_tree) if kind else None


def _no_tree() -> None:
    """The tree of a statement inside another (EXPLAIN's, PREPARE's): it is read from its words."""
    return None
