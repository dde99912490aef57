"""Postgres features a statement relies on that only exist from some major version on.

Neon runs several majors side by side, and a migration written against a developer's newer local
Postgres fails at deploy time on an older branch. Knowing the first version of each feature lets
the linter stop that before the deploy instead of in the middle of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.words import Cursor, Word, has_keyword, top_level

# feature -> (first major version that has it, how to name it in a message)
FEATURES: dict[str, tuple[int, str]] = {
    "detach-concurrently": (14, "DETACH PARTITION ... CONCURRENTLY"),
    "merge": (15, "MERGE"),
    "merge-by-source": (17, "MERGE ... WHEN NOT MATCHED BY SOURCE/TARGET"),
    "merge-returning": (17, "MERGE ... RETURNING"),
    "nulls-not-distinct": (15, "NULLS NOT DISTINCT"),
    "set-expression": (17, "ALTER COLUMN ... SET EXPRESSION"),
    "not-null-constraint": (18, "ADD CONSTRAINT ... NOT NULL"),
    "virtual-generated-column": (18, "virtual generated columns"),
    "uuidv4": (18, "uuidv4()"),
    "uuidv7": (18, "uuidv7()"),
}
_NEW_FUNCTIONS = frozenset({"uuidv4", "uuidv7"})
_NEW_FUNCTION_KEYWORDS = frozenset(name.upper() for name in _NEW_FUNCTIONS)


def features_of(kind: str | None, words: Sequence[Word], actions: Sequence[Action]) -> frozenset[str]:
    found = set()
    if kind == "MERGE":
        found.add("merge")
        level = top_level(words)  # a WITH query's own RETURNING stays inside its parentheses
        if has_keyword(level, "NOT", "MATCHED", "BY"):
            found.add("merge-by-source")
        if any(word.upper == "RETURNING" for word in level):
            found.add("merge-returning")
    if any(a.verb == "detach_partition" and a.concurrently for a in actions):
        found.add("detach-concurrently")
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
    if not keywords.isdisjoint(_NEW_FUNCTION_KEYWORDS):
        for word, following in itertools.pairwise(words):
            if following.text == "(" and word.kind == "word" and word.name in _NEW_FUNCTIONS:
                found.add(word.name)
    return frozenset(found)


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
