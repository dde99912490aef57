"""The fallback scanner: statement boundaries where sqlglot's tokenizer cannot be trusted.

When sqlglot cannot tokenize a piece (an unterminated string, dollar quote, quoted identifier or
comment, an invalid ``X'..'`` literal, ...), or the piece holds something sqlglot reads otherwise
than the server (``misread_by_sqlglot``: a nested block comment it would end elsewhere, ``*/*``,
``/*/``, or an E string continued on a later line), this scanner splits that piece instead, reading
it as the server does. An unterminated construct runs to the end of the piece, exactly as the
server reads it, so the rest becomes one chunk that the linter reports as unparseable.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from migrations_checks.lint.sql.comments import block_comment_end, line_comment_end
from migrations_checks.lint.sql.tokens import defines_routine, shift_tokens, tokenize

_STRING = TokenType.STRING
_ESCAPE_STRING = TokenType.BYTE_STRING  # what sqlglot's Postgres tokenizer makes of E'...'


# Where sqlglot ends a nested block comment elsewhere than the server does (it reads `*/*` as a
# close and a new open): a statement could hide in, or appear out of, such a comment. Text that has
# one is split by the fallback scanner, which reads comments as the server does.
_NESTED_COMMENT_TRAP = re.compile(r"\*/\*|/\*/")

# A quote on a later line, after only whitespace and `--` comments (the server's
# whitespace_with_newline): the same string goes on there.
_CONTINUATION = re.compile(r"(?:[ \t\f\v]|--[^\r\n]*)*[\r\n](?:[ \t\n\r\f\v]+|--[^\r\n]*[\r\n])*'")
_DOLLAR_QUOTE = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_WORD = re.compile(r"[^\W\d][\w$]*")
_PARAMETER = re.compile(r"\$\d+")


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


def fallback_spans(text: str) -> list[tuple[int, int, list[Token], bool]]:
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
            index = line_comment_end(text, index, size)
            continue
        if char == ";" and not depth and not blocks:
            if statement_start != -1:
                spans.append((statement_start, last_end))
                statement_start = -1
                words = []
            index += 1
            continue
        if text.startswith("/*", index):
            end = block_comment_end(text, index, size)
            if end is not None:
                index = end
                continue
            end = size  # unterminated: the server reads the rest as a comment and rejects it
        else:
            end, word = _element_end(text, index)
            if word:
                if len(words) < 4:
                    words.append(word)
                if defines_routine(words) and not depth:
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
