"""Split a migration file into the statements the database will run, with exact positions.

Every rule works on these chunks, so they must neither lose nor duplicate SQL: a statement the
splitter misses is a statement no rule checks. The file is cut the way it is executed:

- drizzle-orm cuts the raw file text on the exact string ``--> statement-breakpoint`` (wherever it
  is, even inside a string or a comment) and sends each piece as one query, so the pieces are
  split independently;
- inside a piece, statements end at a ``;`` that is outside strings, quoted identifiers, dollar
  quotes, comments and parentheses, and outside the ``BEGIN ATOMIC ... END`` body of a
  ``CREATE [OR REPLACE] FUNCTION|PROCEDURE`` (SQL-standard bodies). This is what the server's
  grammar accepts, and the server is what drizzle-orm sends each piece to (psql also counts a
  bare ``BEGIN``, which a function named ``begin`` would fool).

The linter's lexer (``lexer``) reads each piece as the server does; an unterminated quote or
comment runs to the end of the piece, so the rest is one statement, not lexed, that the linter
reports. Positions are as ``positions`` counts them.

``__all__`` is the linter's interface; the other public names are shared with ``do_blocks``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from msgspec import Struct

from migrations_checks.lint.sql.comments import BREAKPOINT, Comment, comment_spans, comments_at
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.positions import Offsets, offset_at, position
from migrations_checks.lint.sql.tokens import placed, statement_end
from migrations_checks.lint.sql.version_guards import Guard
from migrations_checks.lint.sql.words import Word

__all__ = ["Chunk", "inner_comments", "split_sql", "trailing_comments"]


class Chunk(Struct, frozen=True):
    """One statement.

    ``text`` is ``source[start:end]`` (for statements taken out of a quoted string by the DO-block
    unwrapper it is the unescaped SQL instead, see ``do_blocks``). ``words`` are its tokens, placed
    at offsets in the file.
    """

    text: str
    start: int
    end: int
    line: int
    column: int
    leading_comments: tuple[Comment, ...]
    words: tuple[Word, ...]
    # False when the statement holds an unterminated string, quoted identifier, dollar quote or
    # comment: Postgres would reject it, so it must not pass as read.
    lexed: bool = True
    # Which piece between breakpoints holds it: drizzle-orm sends each piece as one query, and the
    # transaction model needs to know which statements share one (see transactions.py).
    piece: int = 0
    # A statement of a PL/pgSQL body, not plain SQL: there `SELECT ... INTO x` assigns variables.
    plpgsql: bool = False
    # Built by format() with a name known only at run time, written as literals.RUNTIME_NAME.
    runtime_names: bool = False
    # What version guards of the DO blocks it stands in say of it (see version_guards).
    guard: Guard = Guard()


def split_sql(source: str) -> list[Chunk]:
    """Split a whole migration file into statements (see the module docstring). Never raises."""
    chunks: list[Chunk] = []
    previous_end = 0
    piece_start = 0
    piece_number = 0
    while True:
        piece_end = source.find(BREAKPOINT, piece_start)
        if piece_end == -1:
            piece_end = len(source)
        for start, end, words, lexed in statement_spans(source, piece_start, piece_end):
            gap = comment_spans(source, previous_end, start, breakpoints=True)
            leading = comments_at(source, source, 0, gap)
            chunks.append(make_chunk(source, source, 0, start, end, words, leading, lexed, piece_number))
            previous_end = end
        if piece_end == len(source):
            return chunks
        piece_start = piece_end + len(BREAKPOINT)
        piece_number += 1


def trailing_comments(source: str, chunks: Sequence[Chunk]) -> tuple[Comment, ...]:
    """Comments after the last statement of ``split_sql(source)`` (or in a file without any)."""
    start = chunks[-1].end if chunks else 0
    return comments_at(source, source, 0, comment_spans(source, start, len(source), breakpoints=True))


def inner_comments(source: str, chunk: Chunk) -> tuple[Comment, ...]:
    """Comments between the tokens of a chunk of ``split_sql(source)``, e.g. inside an ALTER TABLE."""
    if "--" not in chunk.text and "/*" not in chunk.text:
        return ()
    spans = [
        span
        for before, after in itertools.pairwise(chunk.words)
        for span in comment_spans(source, before.end, after.start, breakpoints=False)
    ]
    return comments_at(source, source, 0, spans)


def make_chunk(
    source: str,
    text: str,
    offsets: Offsets,
    start: int,
    end: int,
    words: Sequence[Word],
    leading_comments: tuple[Comment, ...],
    lexed: bool = True,
    piece: int = 0,
    plpgsql: bool = False,
) -> Chunk:
    """Build the chunk for ``text[start:end]``, where ``offsets`` places ``text`` in ``source``;
    ``words`` are placed in ``text``."""
    file_start = offset_at(offsets, start)
    line, column = position(source, file_start)
    return Chunk(
        text=text[start:end],
        start=file_start,
        end=offset_at(offsets, end),
        line=line,
        column=column,
        leading_comments=leading_comments,
        words=placed(words, offsets),
        lexed=lexed,
        piece=piece,
        plpgsql=plpgsql,
    )


def statement_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, list[Word], bool]]:
    """``(start, end, words, lexed)`` of each statement of ``text[start:end]``, offsets in ``text``;
    ``lexed`` is False for the last statement when it holds an unterminated quote or comment.

    Breakpoints are not looked at here: ``text[start:end]`` is one piece of a file, a DO body or the
    SQL of an ``EXECUTE``.
    """
    words, lexed = tokenize(text, start, end)
    spans = []
    count = len(words)
    index = 0
    while index < count:
        if words[index].is_symbol(";"):
            index += 1
            continue
        stop = statement_end(words, index)
        spans.append((words[index].start, words[stop - 1].end, words[index:stop], lexed or stop < count))
        index = stop + 1
    return spans
