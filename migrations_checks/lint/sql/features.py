"""Postgres features a statement relies on that only exist from some major version on.

Neon runs several majors side by side, and a migration written against a developer's newer local
Postgres fails at deploy time on an older branch. Knowing the first version of each feature lets
the linter stop that before the deploy instead of in the middle of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.words import Cursor, Word, has_keyword, top_level

# feature -> (first major version that has it, how to name it in a message)
FEATURES: dict[str, tuple[int, str]] = {
    "drop-expression": (13, "ALTER COLUMN ... DROP EXPRESSION"),
    "drop-database-force": (13, "DROP DATABASE ... (FORCE)"),
    "with-ties": (13, "FETCH FIRST ... WITH TIES"),
    "detach-concurrently": (14, "DETACH PARTITION ... CONCURRENTLY"),
    "detach-finalize": (14, "DETACH PARTITION ... FINALIZE"),
    "create-or-replace-trigger": (14, "CREATE OR REPLACE TRIGGER"),
    "sql-body": (14, "function bodies in SQL (BEGIN ATOMIC, RETURN)"),
    "set-compression": (14, "ALTER COLUMN ... SET COMPRESSION"),
    "merge": (15, "MERGE"),
    "nulls-not-distinct": (15, "NULLS NOT DISTINCT"),
    "set-access-method": (15, "ALTER TABLE ... SET ACCESS METHOD"),
    "set-null-columns": (15, "ON DELETE SET NULL/DEFAULT (columns)"),
    "grant-role-options": (16, "GRANT role ... WITH INHERIT, SET, or ADMIN TRUE/FALSE"),
    "sql-json-constructors": (
        16,
        "SQL/JSON constructors (JSON_ARRAY, JSON_OBJECT with `:` or VALUE, JSON_ARRAYAGG, JSON_OBJECTAGG)",
    ),
    "is-json": (16, "IS JSON"),
    "reindex-without-name": (16, "REINDEX DATABASE/SYSTEM without a name"),
    "merge-by-source": (17, "MERGE ... WHEN NOT MATCHED BY SOURCE/TARGET"),
    "merge-returning": (17, "MERGE ... RETURNING"),
    "set-expression": (17, "ALTER COLUMN ... SET EXPRESSION"),
    "set-access-method-default": (17, "SET ACCESS METHOD DEFAULT"),
    "sql-json-queries": (
        17,
        "SQL/JSON query functions (JSON_TABLE, JSON_EXISTS, JSON_QUERY, JSON_VALUE, JSON_SCALAR, JSON_SERIALIZE)",
    ),
    "not-null-constraint": (18, "ADD CONSTRAINT ... NOT NULL"),
    "virtual-generated-column": (18, "virtual generated columns"),
    "without-overlaps": (18, "WITHOUT OVERLAPS"),
    "not-enforced": (18, "NOT ENFORCED constraints"),
    "uuidv4": (18, "uuidv4()"),
    "uuidv7": (18, "uuidv7()"),
}
# Calls of functions (or of SQL/JSON syntax spelled as calls) that older versions lack -> feature.
_NEW_CALLS = {
    "uuidv4": "uuidv4",
    "uuidv7": "uuidv7",
    "json_array": "sql-json-constructors",
    "json_arrayagg": "sql-json-constructors",
    "json_objectagg": "sql-json-constructors",
    **dict.fromkeys(
        ("json_table", "json_exists", "json_query", "json_value", "json_scalar", "json_serialize"), "sql-json-queries"
    ),
}
_NEW_CALL_KEYWORDS = frozenset(name.upper() for name in _NEW_CALLS)


def features_of(kind: str | None, words: Sequence[Word], actions: Sequence[Action]) -> frozenset[str]:
    found = set()
    if kind == "MERGE":
        found.add("merge")
        level = top_level(words)  # a WITH query's own RETURNING stays inside its parentheses
        if has_keyword(level, "NOT", "MATCHED", "BY"):
            found.add("merge-by-source")
        if any(word.upper == "RETURNING" for word in level):
            found.add("merge-returning")
    for action in actions:
        if action.verb == "detach_partition" and action.concurrently:
            found.add("detach-concurrently")
        elif action.verb == "detach_partition" and action.object_kind == "FINALIZE":
            found.add("detach-finalize")
    if any(a.verb == "set_not_null" and a.object_kind == "CONSTRAINT" for a in actions):
        found.add("not-null-constraint")
    # Every statement is asked, and almost none uses a feature: one pass over its keywords tells
    # which of the slower searches below can find anything.
    keywords = {word.upper for word in words}
    if "NULLS" in keywords and has_keyword(words, "NULLS", "NOT", "DISTINCT"):
        found.add("nulls-not-distinct")
    if any(a.verb == "rewrite_table" and a.object_kind == "SET EXPRESSION" for a in actions):
        found.add("set-expression")
    if "GENERATED" in keywords and kind in ("CREATE TABLE", "ALTER TABLE") and _virtual_generated_column(words):
        found.add("virtual-generated-column")
    if kind is not None and kind in _KIND_FEATURES:
        found.update(_KIND_FEATURES[kind](words, keywords))
    if "TIES" in keywords and has_keyword(words, "WITH", "TIES"):
        found.add("with-ties")
    if "OVERLAPS" in keywords and has_keyword(words, "WITHOUT", "OVERLAPS"):
        found.add("without-overlaps")
    if "ENFORCED" in keywords and has_keyword(words, "NOT", "ENFORCED"):
        found.add("not-enforced")
    if not keywords.isdisjoint(_NEW_CALL_KEYWORDS):
        for word, following in itertools.pairwise(words):
            if following.text == "(" and word.kind == "word" and word.name in _NEW_CALLS:
                found.add(_NEW_CALLS[word.name])
    if "JSON_OBJECT" in keywords and _standard_json_object(words):
        found.add("sql-json-constructors")
    if "JSON" in keywords and (has_keyword(words, "IS", "JSON") or has_keyword(words, "IS", "NOT", "JSON")):
        found.add("is-json")
    return frozenset(found)


def _standard_json_object(words: Sequence[Word]) -> bool:
    """`JSON_OBJECT()` or `JSON_OBJECT(k : v | k VALUE v, ...)`, PostgreSQL 16's constructor; older
    versions have only the function `json_object(text[])`."""
    for index, word in enumerate(words[:-1]):
        if word.upper == "JSON_OBJECT" and words[index + 1].is_symbol("("):
            cursor = Cursor(words, index + 1)
            cursor.skip_group()
            arguments = top_level(words[index + 2 : cursor.position - 1])
            if not arguments or any(w.is_symbol(":") or w.upper == "VALUE" for w in arguments):
                return True
    return False


def _alter_table(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "EXPRESSION" in keywords and _drops_expression(words):
        yield "drop-expression"
    if "COMPRESSION" in keywords and has_keyword(words, "SET", "COMPRESSION"):
        yield "set-compression"
    if "METHOD" in keywords and has_keyword(words, "SET", "ACCESS", "METHOD"):
        yield "set-access-method"
        if has_keyword(words, "SET", "ACCESS", "METHOD", "DEFAULT"):
            yield "set-access-method-default"
    yield from _table_definition(words, keywords)


def _drops_expression(words: Sequence[Word]) -> bool:
    """`ALTER [COLUMN] c DROP EXPRESSION`; not `DROP expression`, a column of that name dropped."""
    return any(
        words[index].upper == "DROP"
        and words[index + 1].upper == "EXPRESSION"
        and words[index - 2].upper in ("ALTER", "COLUMN")
        for index in range(2, len(words) - 1)
    )


def _table_definition(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`ON DELETE SET NULL (columns)`, or `SET DEFAULT (columns)`: only some of the key's columns."""
    if "DELETE" not in keywords:
        return
    for index in range(len(words) - 4):
        if (
            words[index].upper == "DELETE"
            and words[index + 1].upper == "SET"
            and words[index + 2].upper in ("NULL", "DEFAULT")
            and words[index + 3].is_symbol("(")
        ):
            yield "set-null-columns"
            return


def _routine(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """A body in SQL itself, `BEGIN ATOMIC ... END` or `RETURN expression`, not in a string."""
    if has_keyword(words, "BEGIN", "ATOMIC") or any(word.upper == "RETURN" for word in top_level(words)):
        yield "sql-body"


def _create_trigger(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if has_keyword(words[:3], "CREATE", "OR", "REPLACE"):
        yield "create-or-replace-trigger"


def _drop_database(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    if "FORCE" in keywords:
        yield "drop-database-force"


def _grant(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """Role grants' options as PostgreSQL 16 spells them; `WITH ADMIN OPTION` is older."""
    if "WITH" not in keywords:
        return
    options = [words[index + 1 : index + 3] for index, word in enumerate(words[:-2]) if word.upper == "WITH"]
    if any(option[0].upper in ("INHERIT", "SET") or option[1].upper in ("TRUE", "FALSE") for option in options):
        yield "grant-role-options"


def _reindex(words: Sequence[Word], keywords: set[str]) -> Iterator[str]:
    """`REINDEX DATABASE` or `REINDEX SYSTEM` of the current database, its name left out."""
    named = [word for word in top_level(words) if word.upper != "CONCURRENTLY" and not word.is_symbol(";")]
    if named and named[-1].upper in ("DATABASE", "SYSTEM"):
        yield "reindex-without-name"


_KIND_FEATURES: dict[str, Callable[[Sequence[Word], set[str]], Iterator[str]]] = {
    "ALTER TABLE": _alter_table,
    "CREATE TABLE": _table_definition,
    "CREATE FUNCTION": _routine,
    "CREATE PROCEDURE": _routine,
    "CREATE TRIGGER": _create_trigger,
    "DROP DATABASE": _drop_database,
    "GRANT": _grant,
    "REINDEX": _reindex,
}


def _virtual_generated_column(words: Sequence[Word]) -> bool:
    """`GENERATED ALWAYS AS (expression)` marked VIRTUAL, or not marked STORED: PostgreSQL 18 makes
    such a column virtual, and older versions reject it."""
    for index, word in enumerate(words):
        if word.upper != "GENERATED":
            continue  # the common case, kept cheap: most statements generate nothing
        cursor = Cursor(words, index)
        if cursor.accept("GENERATED", "ALWAYS", "AS") and cursor.at_symbol("("):
            cursor.skip_group()
            if not cursor.at("STORED"):
                return True
    return False
