"""The splitter and the lexer against the real server: texts of tricky but harmless statements are
sent whole to Postgres, which says how many statements it ran and what each string was."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gates.scratch_db import ScratchServer
from migrations_checks.lint.sql.formatted import formatted_sql
from migrations_checks.lint.sql.literals import string_literal
from migrations_checks.lint.sql.splitter import split_sql

# Statements that each return one string, with quoting, comments and semicolons that a splitter
# or a lexer could misread.
STATEMENTS = [
    "SELECT 'a;b'",
    "SELECT 'it''s; fine'",
    "SELECT E'back\\\\slash\\'; quote'",
    "SELECT E'first'\n  'second;'",
    "SELECT E'first' -- a comment; with a semicolon\n'second'",
    "SELECT 'plain'\n'continued'",
    "SELECT $$dollar; 'quoted'$$",
    "SELECT $tag$ $$ ; $tag$",
    "SELECT $_1$it's$_1$",
    "SELECT 'c:\\path;'",  # a backslash is only a character in a plain string
    "SELECT 'x' AS \"a;b\"",
    "SELECT /* one ; /* nested ; */ still ; */ 'after nested comment'",
    "SELECT 'k' /* a /* b */*/",
    "SELECT /* c */* FROM (SELECT 'star;') AS s",  # `*/*`: the comment ends, the star is SQL
    "SELECT 'y' -- ; a comment to the end of the line\n",
    "SELECT U&'d\\0061ta;'",
    "SELECT 'op'||'s' WHERE 1 <> 2 AND 3 >= 2",
]
SEPARATORS = [";", ";\n", " ; -- c ;\n", ";/* ; */", ";\r\n\n"]


@pytest.fixture(scope="module")
def server_url(scratch_server: ScratchServer) -> Iterator[str]:
    # One database for the module: the statements change nothing.
    url = scratch_server.create_database()
    yield url
    scratch_server.drop_database(url)


def server_strings(url: str, text: str) -> list[str]:
    """The first column of each statement's one row, as the server ran the text in one query."""
    values = []
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(text.encode())  # bytes and no parameters: the simple protocol, as drizzle-orm
        while True:
            row = cursor.fetchone()
            values.append("" if row is None else str(row[0]))
            if not cursor.nextset():
                return values


def our_strings(text: str) -> list[str]:
    """The value of each statement's first string, or "" where it has none, as the linter reads it."""
    values = []
    for chunk in split_sql(text):
        strings = [word for word in chunk.words if word.kind == "string"]
        decoded = string_literal(text, strings[0]) if strings else None
        values.append(decoded[0] if decoded else "")
    return values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(STATEMENTS), st.sampled_from(SEPARATORS)), min_size=1, max_size=6))
def test_the_server_runs_the_statements_the_splitter_finds(server_url: str, parts: list[tuple[str, str]]) -> None:
    text = "".join(statement + separator for statement, separator in parts)
    ours = our_strings(text)
    theirs = server_strings(server_url, text)
    assert len(ours) == len(theirs) == len(parts), text
    # Where the first string is continued (`'a'` then `'b'` on a later line), both read one string.
    for statement, our_value, their_value in zip((s for s, _ in parts), ours, theirs, strict=True):
        if "U&" in statement or "||" in statement:
            continue  # a U& string's escapes and an expression's result are not a literal's value
        else:
            assert our_value == their_value, statement


def test_the_server_reads_a_byte_order_mark_as_part_of_the_first_word(server_url: str) -> None:
    # Why the reader refuses a file that starts with one (tests/lint/test_edges.py).
    with pytest.raises(psycopg.errors.SyntaxError, match="syntax error at or near"):
        server_strings(server_url, "\ufeffSELECT 'bom'")


@pytest.mark.parametrize(
    "call",
    [
        "format('UPDATE t SET a = %L, b = %s -- 100%%', 'it''s', '1')",
        "format('%2$s %s %1$L', 'a', 'b', 'c')",
        "format('|%-5s|%5L|%-3L|', 'x', 'y', 'z')",
        "format($f$SELECT %L$f$ || ' AND %s', E'back\\\\slash', 'more')",
    ],
)
def test_format_is_filled_in_as_the_server_fills_it(server_url: str, call: str) -> None:
    filled = formatted_sql(call)
    assert filled is not None
    assert [filled[0]] == server_strings(server_url, f"SELECT {call}")
