"""String constants as the server reads them, with where each character came from.

The value of a string literal token (plain, E'...' with its escapes, or dollar-quoted), and the SQL
of an ``EXECUTE`` argument made only of literals joined with ``||``. Unescaped text keeps, for each
character, the offset of the source text that produced it (``positions.Offsets``), so statements
found in it are placed exactly in the file.
"""

from __future__ import annotations

import re

from sqlglot.tokens import Token, TokenType

from migrations_checks.lint.sql.positions import Offsets
from migrations_checks.lint.sql.tokens import tokenize
from migrations_checks.lint.sql.words import bare_word


def constant_sql(argument: str) -> tuple[str, Offsets] | None:
    """The SQL of an EXECUTE argument made only of string literals and ``||``, with offsets into
    ``argument``; None when any part is only known at run time."""
    tokens, ok = tokenize(argument)
    if not ok:
        return None
    depth = 0
    for index, token in enumerate(tokens):
        if token.token_type is TokenType.L_PAREN:
            depth += 1
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        elif not depth and bare_word(token) in ("INTO", "USING"):
            tokens = tokens[:index]
            break
    while len(tokens) > 2 and tokens[0].token_type is TokenType.L_PAREN:
        if tokens[-1].token_type is not TokenType.R_PAREN:
            return None
        tokens = tokens[1:-1]
    if len(tokens) % 2 == 0:
        return None
    texts: list[str] = []
    offsets: list[int] = []
    for index, token in enumerate(tokens):
        if index % 2:
            if token.token_type is not TokenType.DPIPE:
                return None
            continue
        decoded = string_literal(argument, token)
        if decoded is None:
            return None
        text, inner = decoded
        if offsets:
            offsets.pop()  # the end of the previous literal is not the start of this one
        texts.append(text)
        offsets.extend(range(inner, inner + len(text) + 1) if isinstance(inner, int) else inner)
    return "".join(texts), offsets


def string_literal(text: str, token: Token) -> tuple[str, Offsets] | None:
    """The value of a string literal token of ``text`` and where its characters sit in ``text``."""
    raw = text[token.start : token.end + 1]
    if token.token_type is TokenType.HEREDOC_STRING:
        delimiter = raw.find("$", 1) + 1
        if not delimiter or len(raw) < 2 * delimiter:
            return None
        return raw[delimiter : len(raw) - delimiter], token.start + delimiter
    if token.token_type is TokenType.STRING and len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return _decode(text, token.start + 1, token.end, backslashes=False)
    if token.token_type is TokenType.BYTE_STRING and raw[:2] in ("E'", "e'") and raw[-1] == "'":
        return _decode(text, token.start + 2, token.end, backslashes=True)
    return None


_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_NUMERIC_ESCAPES = (
    (re.compile(r"[0-7]{1,3}"), 8),
    (re.compile(r"x([0-9A-Fa-f]{1,2})"), 16),
    (re.compile(r"u([0-9A-Fa-f]{4})"), 16),
    (re.compile(r"U([0-9A-Fa-f]{8})"), 16),
)


def _decode(text: str, start: int, end: int, *, backslashes: bool) -> tuple[str, Offsets]:
    """Unescape ``text[start:end]``, the inside of a quoted literal (``''``; with
    ``backslashes``, also E-string escapes)."""
    inside = text[start:end]
    if "''" not in inside and not (backslashes and "\\" in inside):
        return inside, start
    chars: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        offsets.append(index)
        char = text[index]
        if char == "'":
            chars.append("'")
            index += 2
        elif char == "\\" and backslashes and index + 1 < end:
            value, length = _escape(text, index + 1, end)
            chars.append(value)
            index += 1 + length
        else:
            chars.append(char)
            index += 1
    offsets.append(end)
    return "".join(chars), offsets


def _escape(text: str, index: int, end: int) -> tuple[str, int]:
    """The character of the E-string escape whose backslash precedes ``index``, and its length."""
    char = text[index]
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], 1
    for pattern, base in _NUMERIC_ESCAPES:
        match = pattern.match(text, index, end)
        if match:
            value = int(match.group(match.lastindex or 0), base)
            if value <= 0x10FFFF:
                return chr(value), match.end() - index
    return char, 1
