"""Name the Postgres command a statement is, from its leading words.

sqlglot parses most DML and common DDL, but returns an opaque `Command` for about two thirds of a
real Drizzle history (policies, RLS switches, DO blocks, grants, default privileges, enum changes).
This classifier knows every top-level command of the Postgres SQL reference, so a statement either
gets a precise name such as `CREATE POLICY` or `ALTER TABLE`, or none at all; the linter reports
the latter as `unparseable-statement` instead of letting it pass unexamined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from migrations_checks.lint.sql.words import Cursor, Word


def _by_first_word(spellings: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Spellings grouped by their first word, longest first, so a lookup tries few candidates."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for spelling in sorted((tuple(s.split()) for s in spellings), key=len, reverse=True):
        grouped.setdefault(spelling[0], []).append(spelling)
    return {first: tuple(group) for first, group in grouped.items()}


# Objects that CREATE / ALTER / DROP can name.
_OBJECTS = _by_first_word(
    (
        "ACCESS METHOD",
        "AGGREGATE",
        "CAST",
        "COLLATION",
        "CONVERSION",
        "DATABASE",
        "DEFAULT PRIVILEGES",
        "DOMAIN",
        "EVENT TRIGGER",
        "EXTENSION",
        "FOREIGN DATA WRAPPER",
        "FOREIGN TABLE",
        "FUNCTION",
        "GROUP",
        "INDEX",
        "LANGUAGE",
        "LARGE OBJECT",
        "MATERIALIZED VIEW",
        "OPERATOR CLASS",
        "OPERATOR FAMILY",
        "OPERATOR",
        "OWNED",
        "POLICY",
        "PROCEDURE",
        "PUBLICATION",
        "ROLE",
        "ROUTINE",
        "RULE",
        "SCHEMA",
        "SEQUENCE",
        "SERVER",
        "STATISTICS",
        "SUBSCRIPTION",
        "SYSTEM",
        "TABLE",
        "TABLESPACE",
        "TEXT SEARCH CONFIGURATION",
        "TEXT SEARCH DICTIONARY",
        "TEXT SEARCH PARSER",
        "TEXT SEARCH TEMPLATE",
        "TRANSFORM",
        "TRIGGER",
        "TYPE",
        "USER MAPPING",
        "USER",
        "VIEW",
    )
)

# Words that may stand between CREATE and the object type.
_CREATE_MODIFIERS = frozenset(
    {
        "OR",
        "REPLACE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "UNIQUE",
        "RECURSIVE",
        "TRUSTED",
        "PROCEDURAL",
        "CONSTRAINT",
        "DEFAULT",
    }
)

# Commands named by their first word(s) alone.
_SIMPLE = _by_first_word(
    (
        "ABORT",
        "ANALYZE",
        "ANALYSE",
        "BEGIN",
        "CALL",
        "CHECKPOINT",
        "CLOSE",
        "CLUSTER",
        "COMMIT",
        "COMMIT PREPARED",
        "COPY",
        "DEALLOCATE",
        "DECLARE",
        "DELETE",
        "DISCARD",
        "DO",
        "END",
        "EXECUTE",
        "EXPLAIN",
        "FETCH",
        "GRANT",
        "IMPORT FOREIGN SCHEMA",
        "INSERT",
        "LISTEN",
        "LOAD",
        "LOCK",
        "MERGE",
        "MOVE",
        "NOTIFY",
        "PREPARE",
        "PREPARE TRANSACTION",
        "REASSIGN OWNED",
        "REFRESH MATERIALIZED VIEW",
        "REINDEX",
        "RELEASE",
        "RESET",
        "REVOKE",
        "ROLLBACK",
        "ROLLBACK PREPARED",
        "SAVEPOINT",
        "SECURITY LABEL",
        "SELECT",
        "SET",
        "SHOW",
        "START TRANSACTION",
        "TABLE",
        "TRUNCATE",
        "UNLISTEN",
        "UPDATE",
        "VACUUM",
        "VALUES",
        "WITH",
        "PERFORM",
    )
)


def classify(words: Sequence[Word]) -> str | None:
    """The command's name (`ALTER TABLE`, `CREATE POLICY`, `COMMENT`, ...), or None if unknown."""
    if not words or words[0].kind != "word":
        # A parenthesised query is still a SELECT.
        return "SELECT" if words and words[0].text == "(" else None
    head = words[0].upper
    if head in ("CREATE", "ALTER", "DROP"):
        position = 1
        if head == "CREATE":
            while position < len(words) and words[position].upper in _CREATE_MODIFIERS:
                position += 1
        elif position < len(words) and words[position].upper == "PROCEDURAL":
            position += 1  # ALTER / DROP PROCEDURAL LANGUAGE: an old spelling of LANGUAGE
        obj = _match(words, position, _OBJECTS)
        return f"{head} {' '.join(obj)}" if obj else None
    if head == "COMMENT" and len(words) > 1 and words[1].upper == "ON":
        return "COMMENT"
    if head == "WITH":
        # A WITH clause may lead any query, MERGE included (Postgres 15+), and MERGE is judged apart.
        body = with_body(words)
        return "MERGE" if body is not None and words[body].upper == "MERGE" else "WITH"
    simple = _match(words, 0, _SIMPLE)
    return " ".join(simple) if simple else None


def _match(
    words: Sequence[Word], position: int, spellings: Mapping[str, tuple[tuple[str, ...], ...]]
) -> tuple[str, ...] | None:
    if position >= len(words):
        return None
    for spelling in spellings.get(words[position].upper, ()):
        end = position + len(spelling)
        if end <= len(words) and all(words[position + i].upper == part for i, part in enumerate(spelling)):
            return spelling
    return None


def with_body(words: Sequence[Word]) -> int | None:
    """Where the statement that a leading `WITH name AS (query), ...` clause prefixes begins; None
    when the clause cannot be read."""
    cursor = Cursor(words, 1)
    cursor.accept("RECURSIVE")
    while True:
        if cursor.name() is None:
            return None
        if cursor.at_symbol("("):
            cursor.skip_group()  # column names
        if not cursor.accept("AS"):
            return None
        cursor.accept("NOT")
        cursor.accept("MATERIALIZED")
        if not cursor.at_symbol("("):
            return None
        cursor.skip_group()
        # A recursive query's SEARCH ... SET column and CYCLE ... USING column, whose lists hold commas.
        for clause, last in (("SEARCH", "SET"), ("CYCLE", "USING")):
            if cursor.accept(clause):
                while not cursor.done and not cursor.accept(last):
                    cursor.next()
                cursor.name()
        if not cursor.at_symbol(","):
            return None if cursor.done else cursor.position
        cursor.next()
