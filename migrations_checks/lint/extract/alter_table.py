"""ALTER TABLE: every subcommand of the Postgres grammar, as actions.

One extractor serves both statements sqlglot parses and those it gives up on (RLS switches,
`VALIDATE CONSTRAINT`, `USING INDEX`, `DETACH ... CONCURRENTLY`), so the two can never disagree.
An unknown subcommand makes the whole statement unidentified: the linter will not guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from msgspec.structs import replace

from migrations_checks.lint.extract.checks import mentioned, not_null_check
from migrations_checks.lint.extract.columns import (
    collation_name,
    column_list,
    is_null,
    normalize_type,
    parse_column,
    type_words,
)
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.words import (
    Cursor,
    Word,
    has_keyword,
    in_schema_of,
    split_top_level,
    top_level,
    unqualified,
)

_CONSTRAINT_KINDS = ("CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "EXCLUDE", "FOREIGN")
_TYPE_SYMBOLS = frozenset({"(", ")", ",", ".", "[", "]"})


def alter_table(words: Sequence[Word]) -> list[Action] | None:
    cursor = Cursor(words, 2)  # after ALTER TABLE
    if cursor.at("ALL", "IN", "TABLESPACE"):
        return [Action("set_tablespace", table=None)]
    cursor.accept("IF", "EXISTS")
    only = cursor.accept("ONLY")
    name = cursor.name()
    if name is None:
        return None
    table = unqualified(name)
    if cursor.at_symbol("*"):
        cursor.next()
    if cursor.accept("RENAME"):
        return _rename(cursor, table)
    if cursor.accept("SET", "SCHEMA"):
        return [_set_schema(cursor, table)]
    if cursor.accept("ATTACH", "PARTITION"):
        partition = cursor.table_name()
        return [Action("attach_partition", table=table, name=partition, default_partition=cursor.accept("DEFAULT"))]
    if cursor.accept("DETACH", "PARTITION"):
        partition = cursor.table_name()
        if cursor.accept("FINALIZE"):
            # Completes an interrupted DETACH ... CONCURRENTLY, under its SHARE UPDATE EXCLUSIVE lock.
            return [Action("detach_partition", table=table, name=partition, object_kind="FINALIZE")]
        return [Action("detach_partition", table=table, name=partition, concurrently=cursor.accept("CONCURRENTLY"))]
    actions: list[Action] = []
    for part in split_top_level(cursor.rest()):
        found = _subcommand(Cursor(part), table)
        if found is None:
            return None
        actions.extend(found)
    if not actions:
        return None
    # ONLY: the table's partitions and inheriting tables stay as they are (see History).
    return [replace(action, only=True) for action in actions] if only else actions


def alter_view(kind: str, words: Sequence[Word]) -> list[Action] | None:
    """ALTER VIEW and ALTER MATERIALIZED VIEW: renamed, a view breaks the running release's queries
    as a table does; nothing else they do is judged by a rule."""
    cursor = Cursor(words, len(kind.split()))
    relation = kind.removeprefix("ALTER ")
    if relation == "MATERIALIZED VIEW" and cursor.at("ALL", "IN", "TABLESPACE"):
        return [Action("set_tablespace", table=None)]  # copies every such view in the tablespace
    cursor.accept("IF", "EXISTS")
    name = cursor.name()
    if name is None:
        return None
    view = unqualified(name)
    if cursor.accept("RENAME"):
        return _rename(cursor, view, relation)
    if cursor.accept("SET", "SCHEMA"):
        return [_set_schema(cursor, view, relation)]
    if relation == "MATERIALIZED VIEW" and cursor.accept("SET", "TABLESPACE"):
        return [Action("set_tablespace", table=view)]  # copies its rows, as a table's
    return [Action("other", table=view)]


def _set_schema(cursor: Cursor, table: str, relation: str | None = None) -> Action:
    # The relation keeps its name in the new schema: `users` becomes `archive.users`.
    schema = cursor.name()
    new_name = unqualified(f"{schema}.{table.rsplit('.', 1)[-1]}") if schema else None
    return Action("rename_table", table=table, name=new_name, object_kind=relation)


def _rename(cursor: Cursor, table: str, relation: str | None = None) -> list[Action] | None:
    if cursor.accept("TO"):
        new = cursor.name()  # the relation stays in its schema
        return [
            Action("rename_table", table=table, name=in_schema_of(table, new) if new else None, object_kind=relation)
        ]
    if cursor.accept("CONSTRAINT"):
        old = cursor.name()
        new = cursor.name() if cursor.accept("TO") else None
        if old is None or new is None:
            return None
        return [Action("rename_constraint", table=table, name=old, values=(new,))]
    cursor.accept("COLUMN")
    column = cursor.name()
    if column is None or not cursor.accept("TO"):
        return None
    return [Action("rename_column", table=table, column=column, name=cursor.name(), object_kind=relation)]


def _subcommand(cursor: Cursor, table: str) -> list[Action] | None:
    head = cursor.peek()
    if head is None:
        return None
    if cursor.accept("ADD"):
        return _add(cursor, table)
    handler = _HANDLERS.get(head.upper)
    if handler is None:
        return None
    cursor.next()
    action = handler(cursor, table)
    return [action] if action is not None else None


def _add(cursor: Cursor, table: str) -> list[Action] | None:
    """ADD a constraint, or a column (with the unique index an inline UNIQUE or PRIMARY KEY builds)."""
    word = cursor.peek()
    if (word is not None and word.upper in _CONSTRAINT_KINDS) or cursor.at("NOT", "NULL"):
        constraint = _add_constraint(cursor, table)
        return [constraint] if constraint is not None else None
    cursor.accept("COLUMN")
    cursor.accept("IF", "NOT", "EXISTS")
    column = parse_column(cursor.rest())
    if column is None:
        return None
    actions = [
        Action(
            "add_column",
            table=table,
            column=column.name,
            new_type=column.type,
            not_null=column.not_null,
            has_default=column.has_default,
            volatile_default=column.volatile_default,
            default_calls=column.default_calls,
            references=column.references,
            collation=column.collation,
        )
    ]
    if column.primary_key:
        actions.append(Action("add_primary_key", table=table, column=column.name))
    elif column.unique:
        actions.append(Action("add_unique", table=table, column=column.name))
    if column.checked:
        # Checked against every row as it is added, as ADD CONSTRAINT ... CHECK is; it cannot be NOT VALID.
        actions.append(Action("add_check", table=table, values=(column.name,)))
    return actions


def _add_constraint(cursor: Cursor, table: str) -> Action | None:
    name = cursor.name() if cursor.accept("CONSTRAINT") else None
    # Options stand outside the parentheses: a CHECK's expression may name a column `valid`, and
    # `USING INDEX TABLESPACE` only places the index the constraint still builds.
    options = top_level(cursor.rest())
    not_valid = has_keyword(options, "NOT", "VALID")
    if cursor.accept("FOREIGN", "KEY"):
        key = column_list(cursor)  # unnamed, Postgres names it by these
        if not cursor.accept("REFERENCES"):
            return None
        references = cursor.table_name()
        return Action(
            "add_foreign_key", table=table, name=name, not_valid=not_valid, references=references, key_columns=key
        )
    if cursor.accept("CHECK"):
        reads = mentioned(cursor)  # unnamed, the history names it as Postgres does
        column = not_null_check(cursor)
        return Action("add_check", table=table, name=name, not_valid=not_valid, column=column, values=reads)
    if cursor.accept("UNIQUE") or cursor.at("PRIMARY", "KEY"):
        verb: Verb = "add_primary_key" if cursor.accept("PRIMARY", "KEY") else "add_unique"
        using_index = has_keyword(options, "USING", "INDEX") and not has_keyword(options, "INDEX", "TABLESPACE")
        if using_index:
            cursor.accept("USING", "INDEX")
            index = cursor.name()
            return Action(verb, table=table, name=name, using_index=True, values=(unqualified(index),) if index else ())
        if not cursor.accept("NULLS", "NOT", "DISTINCT"):
            cursor.accept("NULLS", "DISTINCT")
        return Action(verb, table=table, name=name, key_columns=column_list(cursor))
    if cursor.accept("EXCLUDE"):
        return Action("add_exclusion", table=table, name=name)
    if cursor.accept("NOT", "NULL"):
        # PostgreSQL 18's named NOT NULL constraint: the same effect on running code as SET NOT NULL.
        return Action(
            "set_not_null", table=table, column=cursor.name(), name=name, not_valid=not_valid, object_kind="CONSTRAINT"
        )
    return None


def _drop(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("CONSTRAINT"):
        cursor.accept("IF", "EXISTS")
        return Action("drop_constraint", table=table, name=cursor.name())
    cursor.accept("COLUMN")
    cursor.accept("IF", "EXISTS")
    column = cursor.name()
    return Action("drop_column", table=table, column=column) if column else None


def _alter(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("CONSTRAINT"):
        return Action("other", table=table, name=cursor.name())
    cursor.accept("COLUMN")
    column = cursor.name()
    if column is None:
        return None
    if cursor.accept("SET", "DATA", "TYPE") or cursor.accept("TYPE"):
        new_type = normalize_type(type_words(cursor, frozenset({"COLLATE", "USING"})))
        collation = collation_name(cursor.name()) if cursor.accept("COLLATE") else None
        rewrites = cursor.accept("USING") and not _keeps_contents(cursor.rest(), column)
        return Action(
            "alter_column_type", table=table, column=column, new_type=new_type, using=rewrites, collation=collation
        )
    if cursor.accept("SET", "NOT", "NULL"):
        return Action("set_not_null", table=table, column=column)
    if cursor.accept("DROP", "NOT", "NULL"):
        return Action("drop_not_null", table=table, column=column)
    if cursor.accept("SET", "DEFAULT"):
        # Postgres stores no default that is NULL: `SET DEFAULT NULL` removes the default.
        return Action("drop_default" if is_null(cursor.rest()) else "set_default", table=table, column=column)
    if cursor.accept("DROP", "DEFAULT"):
        return Action("drop_default", table=table, column=column)
    if cursor.at("SET", "EXPRESSION"):
        return Action("rewrite_table", table=table, column=column, object_kind="SET EXPRESSION")
    known = (
        ("DROP", "EXPRESSION"),
        ("ADD", "GENERATED"),
        ("SET", "GENERATED"),
        ("DROP", "IDENTITY"),
        ("SET", "STATISTICS"),
        ("SET", "STORAGE"),
        ("SET", "COMPRESSION"),
        ("SET",),
        ("RESET",),
        ("RESTART",),
        ("OPTIONS",),
    )
    if any(cursor.at(*spelling) for spelling in known):
        return Action("other", table=table, column=column)
    return None


def _keeps_contents(expression: Sequence[Word], column: str) -> bool:
    """Whether a USING expression is the column itself, at most cast once: Postgres then keeps the
    rows as they are when the types are binary coercible; any other expression rewrites every row."""
    if not expression or expression[0].name != column:
        return False
    if len(expression) == 1:
        return True
    # `col::type`, where the type may carry a length or array brackets but nothing else.
    return expression[1].text == "::" and all(
        word.kind != "symbol" or word.text in _TYPE_SYMBOLS for word in expression[2:]
    )


def _enable(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("ROW", "LEVEL", "SECURITY"):
        return Action("enable_rls", table=table)
    if not cursor.accept("REPLICA"):
        cursor.accept("ALWAYS")
    return Action("other", table=table) if cursor.accept("TRIGGER") or cursor.accept("RULE") else None


def _disable(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("ROW", "LEVEL", "SECURITY"):
        return Action("disable_rls", table=table)
    return Action("other", table=table) if cursor.accept("TRIGGER") or cursor.accept("RULE") else None


def _force(cursor: Cursor, table: str) -> Action | None:
    return Action("force_rls", table=table) if cursor.accept("ROW", "LEVEL", "SECURITY") else None


def _no(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("FORCE", "ROW", "LEVEL", "SECURITY"):
        return Action("no_force_rls", table=table)
    return Action("other", table=table) if cursor.accept("INHERIT") else None


def _set(cursor: Cursor, table: str) -> Action | None:
    if cursor.accept("TABLESPACE"):
        return Action("set_tablespace", table=table, name=cursor.name())
    for rewrite in (("LOGGED",), ("UNLOGGED",), ("ACCESS", "METHOD")):
        if cursor.at(*rewrite):
            return Action("rewrite_table", table=table, object_kind=f"SET {' '.join(rewrite)}")
    if cursor.at("WITHOUT") or cursor.at_symbol("("):
        return Action("other", table=table)
    return None


def _validate(cursor: Cursor, table: str) -> Action | None:
    if not cursor.accept("CONSTRAINT"):
        return None
    return Action("validate_constraint", table=table, name=cursor.name())


def _other(cursor: Cursor, table: str) -> Action:
    return Action("other", table=table)


_HANDLERS: dict[str, Callable[[Cursor, str], Action | None]] = {
    "DROP": _drop,
    "ALTER": _alter,
    "ENABLE": _enable,
    "DISABLE": _disable,
    "FORCE": _force,
    "NO": _no,
    "SET": _set,
    "VALIDATE": _validate,
    "RESET": _other,
    "CLUSTER": _other,
    "INHERIT": _other,
    "OF": _other,
    "NOT": _other,
    "OWNER": _other,
    "REPLICA": _other,
    "OPTIONS": _other,
}
