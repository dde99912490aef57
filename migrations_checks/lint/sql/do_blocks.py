"""Find the SQL that runs inside ``DO`` blocks, so the rules check it like any other statement.

Drizzle wraps foreign keys and enum types in ``DO $$ BEGIN ... EXCEPTION WHEN duplicate_object
THEN null; END $$;``, and hand-written migrations guard DDL with ``IF NOT EXISTS (...) THEN``. The
block body is read as PL/pgSQL by ``plpgsql``; the SQL given to ``EXECUTE`` is split here, and a
``DO`` inside a block or string is unwrapped in turn.

Positions always point into the file. SQL that came out of a quoted string (``DO '...'`` bodies,
``EXECUTE '...'``) is unescaped first; its chunks' ``text`` is the SQL as the server runs it, and
each character's offset is that of the source text that produced it, so ``start``, ``line`` and
``column`` are exact but ``source[start:end]`` shows the quoted form. ``--> statement-breakpoint``
has no meaning inside a block (Drizzle has already cut the file there).

Every comment in a body is returned too, so `gates:` directives there are read wherever they stand.
A block in another language, or a body this parser cannot follow, goes whole to ``dynamic``:
the gate never passes SQL it has not read.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

from migrations_checks.lint.sql.comments import Comment, comment_spans, comments_at
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.literals import string_literal
from migrations_checks.lint.sql.plpgsql import MAX_NESTING, BodyReader, Found, Unreadable
from migrations_checks.lint.sql.positions import Offsets, compose, sub_offsets
from migrations_checks.lint.sql.splitter import Chunk, make_chunk, statement_spans
from migrations_checks.lint.sql.version_guards import Guard
from migrations_checks.lint.sql.words import Word, starts_with_do

__all__ = ["DoBlock", "is_do_block", "plpgsql_statements", "unwrap_do_block"]


class DoBlock(Struct, frozen=True):
    """What a DO block runs: SQL statements, and SQL that can only be known at run time; and every
    comment in its body, where `gates:` directives may stand."""

    statements: tuple[Chunk, ...]
    dynamic: tuple[Chunk, ...]
    comments: tuple[Comment, ...]
    # String constants the body uses outside its SQL statements: in conditions, declarations,
    # assignments. A label just added to an enum cannot be used there either.
    literals: frozenset[str]
    # The words of the PL/pgSQL statements around its SQL, each with what version guards say of it
    # (see plpgsql.Found.expressions).
    expressions: tuple[tuple[list[Word], Guard], ...]


def is_do_block(chunk: Chunk) -> bool:
    return starts_with_do(chunk.words)


def unwrap_do_block(source: str, chunk: Chunk) -> DoBlock:
    """The statements a DO chunk of ``split_sql(source)`` runs. Never raises."""
    found = _unwrap_do(source, chunk.text, chunk.start, 0)
    return DoBlock(
        tuple(found.statements),
        tuple(found.dynamic),
        tuple(found.comments),
        frozenset(found.literals),
        tuple(found.expressions),
    )


def plpgsql_statements(body: str) -> list[Sequence[Word]]:
    """The words of the statements written in a PL/pgSQL routine's body, its SQL and its own (not
    what an EXECUTE runs), which Postgres parses when it creates the routine; [] for a body this
    parser cannot follow."""
    try:
        reader = BodyReader(body, body, 0, 0, unwrap_do=_unwrap_do, unwrap_sql=_unwrap_sql)
        reader.parse()
    except Unreadable:
        return []
    # Its version guards do not matter: Postgres parses every branch when it creates the routine.
    return [*(chunk.words for chunk in reader.own_statements), *(words for words, _ in reader.own_expressions)]


def _unwrap_do(source: str, text: str, offsets: Offsets, depth: int) -> Found:
    """``text`` is a whole ``DO ...`` statement placed in ``source`` by ``offsets``."""
    whole = make_chunk(source, text, offsets, 0, len(text), (), ())
    if depth > MAX_NESTING:
        return Found(dynamic=[whole])
    words, ok = tokenize(text, len("DO"))
    found = _body_literal(words) if ok else None
    if found is None:
        return Found(dynamic=[whole])
    literal, language = found
    # Only a plain, E or dollar-quoted body is read; any other goes whole to `dynamic`, reported.
    decoded = string_literal(text, literal)
    if decoded is None:
        return Found(dynamic=[whole])
    content, inner = decoded
    body_offsets = compose(offsets, 0, inner, len(content))
    if language == "plpgsql":
        try:
            return BodyReader(
                source, content, body_offsets, depth, unwrap_do=_unwrap_do, unwrap_sql=_unwrap_sql
            ).parse()
        except Unreadable:
            pass
    return Found(dynamic=[make_chunk(source, content, body_offsets, 0, len(content), (), ())])


def _body_literal(words: Sequence[Word]) -> tuple[Word, str] | None:
    """The body literal and language of ``DO [LANGUAGE name] body [LANGUAGE name]``."""
    literal = None
    language = "plpgsql"
    named = False  # a second LANGUAGE clause is an error to Postgres
    index = 0
    while index < len(words):
        word = words[index]
        if word.upper == "LANGUAGE" and index + 1 < len(words) and not named:
            named = True
            language = words[index + 1].name
            index += 2
        elif word.kind == "string" and literal is None:
            literal = word
            index += 1
        else:
            return None
    return (literal, language) if literal is not None else None


def _unwrap_sql(source: str, text: str, offsets: Offsets, depth: int) -> Found:
    """Statements of plain SQL text (the string given to EXECUTE)."""
    found = Found()
    previous = 0
    for start, end, words, lexed in statement_spans(text):
        gap = comment_spans(text, previous, start, breakpoints=False)
        previous = end
        leading = comments_at(source, text, offsets, gap)
        found.comments.extend(leading)
        if starts_with_do(words):
            found.add(_unwrap_do(source, text[start:end], sub_offsets(offsets, start, end - start), depth + 1))
            continue
        found.statements.append(make_chunk(source, text, offsets, start, end, words, leading, lexed))
    return found
