"""Comments between statements, read as the server's lexer reads them.

Suppressions and deprecation markers live in comments, and the lexer skips comments the
same way, so both read ``--`` and nested ``/* */`` comments here.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

from migrations_checks.lint.sql.positions import Offsets, offset_at, position

# drizzle-orm cuts the raw file text on this exact string, wherever it is: to anything reading the
# text it is a comment of its own.
BREAKPOINT = "--> statement-breakpoint"


class Comment(Struct, frozen=True):
    """A comment between statements: where suppressions and deprecation markers live."""

    text: str
    start: int
    line: int
    starts_line: bool  # nothing but whitespace before it on its line: a comment line


def comments_at(source: str, text: str, offsets: Offsets, spans: Sequence[tuple[int, int]]) -> tuple[Comment, ...]:
    """The comments at ``spans`` of ``text``, placed in ``source`` by ``offsets``."""
    comments = []
    for start, end in spans:
        file_start = offset_at(offsets, start)
        line_start = source.rfind("\n", 0, file_start) + 1
        starts_line = not source[line_start:file_start].strip()
        comments.append(Comment(text[start:end], file_start, position(source, file_start)[0], starts_line))
    return tuple(comments)


def comment_spans(text: str, start: int, end: int, *, breakpoints: bool) -> list[tuple[int, int]]:
    """The comments in ``text[start:end]``, a stretch holding only whitespace, ``;`` and comments.

    With ``breakpoints``, a Drizzle breakpoint is a comment of its own and ends any line comment it
    sits in, because the file is cut there before anything reads it.
    """
    spans: list[tuple[int, int]] = []
    if breakpoints:
        marker = text.find(BREAKPOINT, start, end)
        while marker != -1:
            _scan_comments(text, start, marker, spans)
            spans.append((marker, marker + len(BREAKPOINT)))
            start = marker + len(BREAKPOINT)
            marker = text.find(BREAKPOINT, start, end)
    _scan_comments(text, start, end, spans)
    return spans


def _scan_comments(text: str, index: int, end: int, spans: list[tuple[int, int]]) -> None:
    while index < end:
        if text.startswith("--", index, end):
            close = line_comment_end(text, index, end)
        elif text.startswith("/*", index, end):
            close = block_comment_end(text, index, end) or end
        else:
            index += 1
            continue
        spans.append((index, close))
        index = close


def line_comment_end(text: str, index: int, end: int) -> int:
    """Offset of the line break ending the ``--`` comment at ``index`` (``end`` if none): Postgres
    ends a line comment at either kind of line break."""
    newline = text.find("\n", index, end)
    carriage_return = text.find("\r", index, newline if newline != -1 else end)
    if carriage_return != -1:
        return carriage_return
    return newline if newline != -1 else end


def block_comment_end(text: str, index: int, end: int) -> int | None:
    """Offset just past the block comment opening at ``index``; None if it is not closed.

    Follows the server's lexer: ``/*`` opens a nested comment and ``*/`` closes one, each taking
    both its characters, so ``*/*`` closes and the ``*`` after it is text, and ``/*/`` opens.
    """
    depth = 1
    position = index + 2
    while True:
        opener = text.find("/*", position, end)
        closer = text.find("*/", position, end)
        if closer == -1:
            return None
        if opener != -1 and opener < closer:
            depth += 1
            position = opener + 2
        else:
            depth -= 1
            position = closer + 2
            if not depth:
                return position
