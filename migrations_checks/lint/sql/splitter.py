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

sqlglot's Postgres tokenizer is the primary scanner: the file is tokenized once per piece and the
tokens are handed on, so later stages need not tokenize again (except the argument sqlglot keeps as
one raw string after a command word such as VACUUM: `words.statement_words` reads it with
`tokenize` below). When it cannot tokenize a piece
(an unterminated string, dollar quote, quoted identifier or comment, an invalid ``X'..'``
literal, ...), or the piece has a nested block comment sqlglot would end elsewhere than the server
(``*/*``, ``/*/``), a small scanner below splits that piece instead, reading it as the server
does; an unterminated construct runs to the end of the piece, exactly as the server reads it, so
the rest becomes one chunk that the linter reports as unparseable.

sqlglot folds everything after a leading command keyword (``DO``, ``CALL``, ``VACUUM``,
``REINDEX``, ``EXECUTE``, ...) up to the ``;`` into one STRING token; its offsets are repaired to
span that text, and a comment just before such a statement's ``;`` therefore stays in its text.

Offsets are character offsets into the ``str`` passed to ``split_sql``. Lines are counted by
``\\n`` (a CRLF file counts as expected) and columns in characters from 1; a byte-order mark at
the start of the file is treated as whitespace and does not count as a column.

``__all__`` is the linter's interface; the other public names are shared with ``do_blocks``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Token, TokenType

__all__ = ["Chunk", "Comment", "inner_comments", "position", "split_sql", "trailing_comments"]

BREAKPOINT = "--> statement-breakpoint"
_BOM = "\ufeff"

_Tokenizer = Postgres().tokenizer_class
_COMMANDS = frozenset(_Tokenizer.COMMANDS)
_COMMAND_PREFIXES = frozenset(_Tokenizer.COMMAND_PREFIX_TOKENS)
_SEMICOLON = TokenType.SEMICOLON
_L_PAREN = TokenType.L_PAREN
_R_PAREN = TokenType.R_PAREN
_BEGIN = TokenType.BEGIN
_CASE = TokenType.CASE
_END = TokenType.END
_STRING = TokenType.STRING
_PARAMETER_TOKEN = TokenType.PARAMETER
_ESCAPE_STRING = TokenType.BYTE_STRING  # what sqlglot's Postgres tokenizer makes of E'...'


@dataclass(frozen=True)
class Comment:
    """A comment between statements: where suppressions and deprecation markers live."""

    text: str
    start: int
    line: int
    starts_line: bool  # nothing but whitespace before it on its line: a comment line


@dataclass(frozen=True)
class Chunk:
    """One statement.

    ``text`` is ``source[start:end]`` (for statements taken out of a quoted string by the DO-block
    unwrapper it is the unescaped SQL instead, see ``do_blocks``). ``tokens`` are sqlglot's tokens
    with ``start``/``end`` moved to offsets in the file; their ``line``/``col`` follow sqlglot's
    convention (position of the token's last character) and are informational: use the chunk's
    ``line``/``column`` or ``position()`` for reporting.
    """

    text: str
    start: int
    end: int
    line: int
    column: int
    leading_comments: tuple[Comment, ...]
    tokens: tuple[Token, ...]
    # False when sqlglot's tokenizer stopped inside the statement (an unterminated string, quoted
    # identifier, dollar quote or comment): Postgres would reject it, so it must not pass as read.
    lexed: bool = True
    # Which piece between breakpoints holds it: drizzle-orm sends each piece as one query, and the
    # transaction model needs to know which statements share one (see transactions.py).
    piece: int = 0


# Where the characters of a text sit in the file. An int is the file offset of the text's first
# character (the text is a slice of the file); a list gives, for each character and one past the
# end, the offset where the source text that produced it starts (the text was unescaped).
Offsets = int | list[int]


def offset_at(offsets: Offsets, index: int) -> int:
    """File offset of ``text[index]`` (``index == len(text)``: just past the text)."""
    return offsets + index if isinstance(offsets, int) else offsets[index]


def sub_offsets(offsets: Offsets, start: int, length: int) -> Offsets:
    """Offsets of ``text[start:start + length]``."""
    if isinstance(offsets, int):
        return offsets + start
    return offsets[start : start + length + 1]


def position(source: str, offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of ``offset`` in ``source``."""
    offset = min(max(offset, 0), len(source))
    starts = _line_starts(source)
    line = bisect_right(starts, offset)
    column = offset - starts[line - 1] + 1
    if line == 1 and offset > 0 and source.startswith(_BOM):
        column -= 1
    return line, column


@lru_cache(maxsize=16)
def _line_starts(source: str) -> list[int]:
    # Cached so that callers can ask for many positions in one file without rescanning it.
    starts = [0]
    index = source.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = source.find("\n", index + 1)
    return starts


def split_sql(source: str) -> list[Chunk]:
    """Split a whole migration file into statements (see the module docstring). Never raises."""
    text = " " + source[1:] if source.startswith(_BOM) else source
    chunks: list[Chunk] = []
    previous_end = 0
    piece_start = 0
    piece_number = 0
    while True:
        piece_end = text.find(BREAKPOINT, piece_start)
        if piece_end == -1:
            piece_end = len(text)
        piece = text[piece_start:piece_end]
        for start, end, tokens, lexed in statement_spans(piece):
            gap = comment_spans(text, previous_end, piece_start + start, breakpoints=True)
            leading = comments_at(source, text, 0, gap)
            chunk = make_chunk(source, piece, piece_start, start, end, tokens, leading, lexed)
            chunks.append(dataclasses.replace(chunk, piece=piece_number) if piece_number else chunk)
            previous_end = piece_start + end
        if piece_end == len(text):
            return chunks
        piece_start = piece_end + len(BREAKPOINT)
        piece_number += 1


def trailing_comments(source: str, chunks: Sequence[Chunk]) -> tuple[Comment, ...]:
    """Comments after the last statement of ``split_sql(source)`` (or in a file without any)."""
    text = " " + source[1:] if source.startswith(_BOM) else source
    start = chunks[-1].end if chunks else 0
    return comments_at(source, text, 0, comment_spans(text, start, len(text), breakpoints=True))


def inner_comments(source: str, chunk: Chunk) -> tuple[Comment, ...]:
    """Comments between the tokens of a chunk of ``split_sql(source)``, e.g. inside an ALTER TABLE."""
    if "--" not in chunk.text and "/*" not in chunk.text:
        return ()
    text = " " + source[1:] if source.startswith(_BOM) else source
    spans = [
        span
        for before, after in itertools.pairwise(chunk.tokens)
        for span in comment_spans(text, before.end + 1, after.start, breakpoints=False)
    ]
    return comments_at(source, text, 0, spans)


def make_chunk(
    source: str,
    text: str,
    offsets: Offsets,
    start: int,
    end: int,
    tokens: Sequence[Token],
    leading_comments: tuple[Comment, ...],
    lexed: bool = True,
) -> Chunk:
    """Build the chunk for ``text[start:end]``, where ``offsets`` places ``text`` in ``source``.

    ``tokens`` are in ``text`` coordinates and are relocated to the file in place.
    """
    file_start = offset_at(offsets, start)
    line, column = position(source, file_start)
    _relocate(source, tokens, offsets)
    return Chunk(
        text=text[start:end],
        start=file_start,
        end=offset_at(offsets, end),
        line=line,
        column=column,
        leading_comments=leading_comments,
        tokens=tuple(tokens),
        lexed=lexed,
    )


def comments_at(source: str, text: str, offsets: Offsets, spans: Sequence[tuple[int, int]]) -> tuple[Comment, ...]:
    """The comments at ``spans`` of ``text``, placed in ``source`` by ``offsets``."""
    comments = []
    for start, end in spans:
        file_start = offset_at(offsets, start)
        line_start = source.rfind("\n", 0, file_start) + 1
        starts_line = not source[line_start:file_start].replace(_BOM, "").strip()
        comments.append(Comment(text[start:end], file_start, position(source, file_start)[0], starts_line))
    return tuple(comments)


def _relocate(source: str, tokens: Sequence[Token], offsets: Offsets) -> None:
    if not tokens or offsets == 0:
        return
    if isinstance(offsets, int):
        # Shifting sqlglot's own line/column keeps them in its convention at a fraction of the
        # cost of recomputing them.
        line, column = position(source, offsets)
        shift_tokens(tokens, offsets, line, column)
        return
    for token in tokens:
        token.start = offsets[token.start]
        token.end = offsets[token.end + 1] - 1
        token.line, token.col = position(source, token.end)


def shift_tokens(tokens: Sequence[Token], delta: int, line: int, column: int) -> None:
    """Move tokens of a text that starts at ``delta``, on ``line`` and ``column``."""
    for token in tokens:
        if token.line == 1:
            token.col += column - 1
        token.line += line - 1
        token.start += delta
        token.end += delta


# --- tokenizing -------------------------------------------------------------------------------

_local = threading.local()


def tokenize(text: str) -> tuple[list[Token], bool]:
    """sqlglot's Postgres tokens of ``text`` (command arguments repaired) and whether
    tokenizing succeeded.

    On failure the tokens are those sqlglot produced before it stopped: a correct prefix, useful
    for classification but not for splitting.
    """
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        # Reused per thread: building a tokenizer costs about as much as tokenizing a statement.
        tokenizer = _local.tokenizer = _Tokenizer()
    try:
        tokens = tokenizer.tokenize(text)
        ok = True
    except Exception:  # sqlglot wraps its failures in TokenError; any failure means "fall back"
        tokens = list(tokenizer.tokens)
        ok = False
    _repair_command_strings(text, tokens)
    _trim_parameters(tokens)
    return tokens, ok


def _repair_command_strings(text: str, tokens: list[Token]) -> None:
    # sqlglot records the start of the last token it scanned inside the command's argument as the
    # STRING's start; its text is the argument with surrounding whitespace stripped, so the real
    # span is recovered from the command keyword's end.
    for index in range(len(tokens) - 1):
        token = tokens[index]
        if token.token_type not in _COMMANDS or tokens[index + 1].token_type is not _STRING:
            continue
        if index and tokens[index - 1].token_type not in _COMMAND_PREFIXES:
            continue
        argument = tokens[index + 1]
        start = token.end + 1
        while start < len(text) and text[start].isspace():
            start += 1
        # After a failure inside the argument, the next token is a real one, not the argument.
        if argument.text and text.startswith(argument.text, start):
            argument.start = start
            argument.end = start + len(argument.text) - 1


def _trim_parameters(tokens: list[Token]) -> None:
    # A lone `$` becomes a PARAMETER token that takes the whitespace after it; give that back, so
    # no statement ends in whitespace.
    for token in tokens:
        if token.token_type is _PARAMETER_TOKEN and token.text != token.text.rstrip():
            token.end -= len(token.text) - len(token.text.rstrip())
            token.text = token.text.rstrip()


# --- statements -------------------------------------------------------------------------------


# Where sqlglot ends a nested block comment elsewhere than the server does (it reads `*/*` as a
# close and a new open): a statement could hide in, or appear out of, such a comment. Text that has
# one is split by the fallback scanner, which reads comments as the server does.
_NESTED_COMMENT_TRAP = re.compile(r"\*/\*|/\*/")


def statement_spans(text: str) -> list[tuple[int, int, list[Token], bool]]:
    """``(start, end, tokens, lexed)`` of each statement of ``text``, offsets relative to ``text``;
    ``lexed`` is False for a statement sqlglot could not tokenize to its end.

    Breakpoints are not looked at here: ``text`` is one piece of a file, a DO body or the SQL of
    an ``EXECUTE``.
    """
    tokens, ok = tokenize(text)
    if not ok or misread_by_sqlglot(text, tokens):
        return _fallback_spans(text)
    spans = []
    count = len(tokens)
    index = 0
    while index < count:
        if tokens[index].token_type is _SEMICOLON:
            index += 1
            continue
        end = statement_end(tokens, index)
        spans.append((tokens[index].start, tokens[end - 1].end + 1, tokens[index:end], True))
        index = end + 1
    return spans


def misread_by_sqlglot(text: str, tokens: Sequence[Token]) -> bool:
    """Whether sqlglot may have read `text` otherwise than the server: a nested comment it ends
    elsewhere, or an E string continued on a later line."""
    return bool(_NESTED_COMMENT_TRAP.search(text)) or _continues_escape_string(text, tokens)


def _continues_escape_string(text: str, tokens: Sequence[Token]) -> bool:
    """Whether an E'...' string goes on in a quote on a later line: the server reads backslashes
    there as escapes too, sqlglot does not, and a statement could hide in the difference."""
    if "E'" not in text and "e'" not in text:
        return False
    return any(
        token.token_type is _ESCAPE_STRING
        and following.token_type is _STRING
        and _CONTINUATION.match(text, token.end + 1) is not None
        for token, following in itertools.pairwise(tokens)
    )


def statement_end(tokens: Sequence[Token], index: int) -> int:
    """Index of the ``;`` that ends the statement starting at ``tokens[index]`` (or ``len``)."""
    in_routine = _defines_routine([token.text.upper() for token in tokens[index : index + 4]])
    depth = 0
    blocks = 0
    for cursor in range(index, len(tokens)):
        token_type = tokens[cursor].token_type
        if token_type is _SEMICOLON:
            if not depth and not blocks:
                return cursor
        elif token_type is _L_PAREN:
            depth += 1
        elif token_type is _R_PAREN:
            if depth:
                depth -= 1
        elif in_routine and not depth:
            if _opens_body(tokens, cursor) or (token_type is _CASE and blocks):
                blocks += 1
            elif token_type is _END and blocks:
                blocks -= 1
    return len(tokens)


def _opens_body(tokens: Sequence[Token], index: int) -> bool:
    # Only `BEGIN ATOMIC` opens a body the server reads on past semicolons; a function may well be
    # named `begin`.
    return tokens[index].token_type is _BEGIN and index + 1 < len(tokens) and tokens[index + 1].text.upper() == "ATOMIC"


def _defines_routine(words: Sequence[str]) -> bool:
    # Whether the statement creates a routine, whose BEGIN ATOMIC ... END body may hold semicolons.
    if len(words) < 2 or words[0] != "CREATE":
        return False
    if words[1] in ("FUNCTION", "PROCEDURE"):
        return True
    return words[1:3] == ["OR", "REPLACE"] and len(words) == 4 and words[3] in ("FUNCTION", "PROCEDURE")


# --- comments ---------------------------------------------------------------------------------


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
            close = _line_end(text, index, end)
        elif text.startswith("/*", index, end):
            close = _block_comment_end(text, index, end) or end
        else:
            index += 1
            continue
        spans.append((index, close))
        index = close


def _line_end(text: str, index: int, end: int) -> int:
    # Postgres ends a line comment at either kind of line break.
    newline = text.find("\n", index, end)
    carriage_return = text.find("\r", index, newline if newline != -1 else end)
    if carriage_return != -1:
        return carriage_return
    return newline if newline != -1 else end


def _block_comment_end(text: str, index: int, end: int) -> int | None:
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


# --- fallback scanner -------------------------------------------------------------------------

# A quote on a later line, after only whitespace and `--` comments (the server's
# whitespace_with_newline): the same string goes on there.
_CONTINUATION = re.compile(r"(?:[ \t\f\v]|--[^\r\n]*)*[\r\n](?:[ \t\n\r\f\v]+|--[^\r\n]*[\r\n])*'")
_DOLLAR_QUOTE = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_WORD = re.compile(r"[^\W\d][\w$]*")
_PARAMETER = re.compile(r"\$\d+")


def _fallback_spans(text: str) -> list[tuple[int, int, list[Token], bool]]:
    """Split text sqlglot could not tokenize, following the Postgres lexer closely enough to find
    statement boundaries; each statement is then tokenized on its own (the broken one keeps the
    tokens sqlglot produced before it stopped)."""
    spans = []
    line, line_start, previous = 1, 0, 0
    for start, end in _fallback_boundaries(text):
        tokens, lexed = tokenize(text[start:end])
        newlines = text.count("\n", previous, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", previous, start) + 1
        previous = start
        shift_tokens(tokens, start, line, start - line_start + 1)
        spans.append((start, end, tokens, lexed))
    return spans


def _fallback_boundaries(text: str) -> list[tuple[int, int]]:
    spans = []
    size = len(text)
    index = 0
    statement_start = -1
    last_end = 0
    depth = 0
    blocks = 0
    words: list[str] = []
    previous_word = ""
    while index < size:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if text.startswith("--", index):
            index = _line_end(text, index, size)
            continue
        if char == ";" and not depth and not blocks:
            if statement_start != -1:
                spans.append((statement_start, last_end))
                statement_start = -1
                words = []
            index += 1
            continue
        if text.startswith("/*", index):
            end = _block_comment_end(text, index, size)
            if end is not None:
                index = end
                continue
            end = size  # unterminated: the server reads the rest as a comment and rejects it
        else:
            end, word = _element_end(text, index)
            if word:
                if len(words) < 4:
                    words.append(word)
                if _defines_routine(words) and not depth:
                    if (previous_word, word) == ("BEGIN", "ATOMIC") or (word == "CASE" and blocks):
                        blocks += 1
                    elif word == "END" and blocks:
                        blocks -= 1
                previous_word = word
            elif char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
        if statement_start == -1:
            statement_start = index
        last_end = index = end
    if statement_start != -1:
        # An unterminated quote or comment ends at the end of the text; its trailing whitespace
        # is left out like any statement's.
        while text[last_end - 1].isspace():
            last_end -= 1
        spans.append((statement_start, last_end))
    return spans


def _element_end(text: str, index: int) -> tuple[int, str]:
    """End of the string, quoted identifier, dollar quote, word or single character at ``index``,
    and the word in upper case when it is one. Unterminated quotes run to the end of ``text``."""
    char = text[index]
    if char == "'":
        return _quoted_end(text, index + 1, "'"), ""
    if char == '"':
        return _quoted_end(text, index + 1, '"'), ""
    if char in "eE" and text.startswith("'", index + 1):
        return _escape_string_end(text, index + 2), ""
    if char == "$":
        match = _DOLLAR_QUOTE.match(text, index)
        if match:
            close = text.find(match.group(), match.end())
            return (close + len(match.group()) if close != -1 else len(text)), ""
        match = _PARAMETER.match(text, index)
        return (match.end() if match else index + 1), ""
    match = _WORD.match(text, index)
    if match:
        return match.end(), match.group().upper()
    return index + 1, ""


def _quoted_end(text: str, index: int, quote: str) -> int:
    while True:
        close = text.find(quote, index)
        if close == -1:
            return len(text)
        if not text.startswith(quote, close + 1):
            return close + 1
        index = close + 2


def _escape_string_end(text: str, index: int) -> int:
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\\":
            index += 2
        elif char == "'":
            if text.startswith("'", index + 1):
                index += 2
                continue
            continuation = _CONTINUATION.match(text, index + 1)
            if continuation is None:
                return index + 1
            index = continuation.end()  # the string goes on after the next line's quote
        else:
            index += 1
    return size
