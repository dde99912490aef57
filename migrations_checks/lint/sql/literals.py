"""String constants as the server reads them, with where each character came from.

The value of a string literal token (plain, E'...' with its escapes, or dollar-quoted), and the SQL
of an ``EXECUTE`` argument made only of literals joined with ``||`` (``formatted`` reads a format()
call). Unescaped text keeps, for each character, the offset of the source text that produced it
(``positions.Offsets``), so statements found in it are placed exactly in the file.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.sql.lexer import STRING_CONTINUATION, read_escape, tokenize
from migrations_checks.lint.sql.positions import Offsets
from migrations_checks.lint.sql.words import Word


def constant_sql(argument: str) -> tuple[str, Offsets] | None:
    """The SQL of an EXECUTE argument made only of string literals and ``||``, with offsets into
    ``argument``; None when any part is only known at run time."""
    words = argument_words(argument)
    return None if words is None else concatenation(argument, words)


def argument_words(argument: str) -> list[Word] | None:
    """The words of an EXECUTE argument, up to its INTO or USING clause and without the
    parentheses around it all; None when it cannot be tokenized."""
    words, ok = tokenize(argument)
    if not ok:
        return None
    depth = 0
    for index, word in enumerate(words):
        if word.is_symbol("("):
            depth += 1
        elif word.is_symbol(")"):
            depth -= 1
        elif not depth and word.upper in ("INTO", "USING"):
            words = words[:index]
            break
    while len(words) > 2 and words[0].is_symbol("("):
        if not words[-1].is_symbol(")"):
            return None
        words = words[1:-1]
    return words


def concatenation(argument: str, words: Sequence[Word]) -> tuple[str, list[int]] | None:
    """The value of string literals joined with ``||`` and where each character sits in ``argument``;
    None for anything else."""
    if len(words) % 2 == 0:
        return None
    texts: list[str] = []
    offsets: list[int] = []
    for index, word in enumerate(words):
        if index % 2:
            if not word.is_symbol("||"):
                return None
            continue
        decoded = string_literal(argument, word)
        if decoded is None:
            return None
        text, inner = decoded
        if offsets:
            offsets.pop()  # the end of the previous literal is not the start of this one
        texts.append(text)
        offsets.extend(range(inner, inner + len(text) + 1) if isinstance(inner, int) else inner)
    return "".join(texts), offsets


def string_literal(text: str, word: Word) -> tuple[str, Offsets] | None:
    """The value of a string literal word of ``text`` and where its characters sit in ``text``;
    None for anything but a plain, ``E`` or dollar-quoted string."""
    if word.kind != "string":
        return None
    raw = text[word.start : word.end]
    if raw[0] == "$":
        delimiter = raw.find("$", 1) + 1
        return raw[delimiter : len(raw) - delimiter], word.start + delimiter
    if raw[0] == "'":
        return _decode(text, word.start + 1, word.end - 1, backslashes=False)
    if raw[0] in "eE":
        return _decode(text, word.start + 2, word.end - 1, backslashes=True)
    return None


def _decode(text: str, start: int, end: int, *, backslashes: bool) -> tuple[str, Offsets]:
    """Unescape ``text[start:end]``, the inside of a quoted literal (``''``; with
    ``backslashes``, also E-string escapes)."""
    inside = text[start:end]
    if "'" not in inside and not (backslashes and "\\" in inside):
        return inside, start
    chars: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        char = text[index]
        joint = STRING_CONTINUATION.match(text, index, end + 1) if char == "'" else None
        if joint:  # an E string continued in a quote on a later line: the joint is no part of it
            index = joint.end()
            continue
        offsets.append(index)
        if char == "'":
            chars.append("'")
            index += 2
        elif char == "\\" and backslashes and index + 1 < end:
            value, length = read_escape(text, index + 1, end)
            # A byte alone: SQL in an EXECUTE string, whose non-ASCII bytes no statement boundary hangs on.
            chars.append(value if isinstance(value, str) else chr(value))
            index += 1 + length
        else:
            chars.append(char)
            index += 1
    offsets.append(end)
    return "".join(chars), offsets


def array_elements(literal: str) -> list[str]:
    """The elements of an array literal as the server reads them, at any depth (`'{a,"b c"}'`, as
    drizzle-kit writes an array default, `'{{a},{b}}'`, `'[1:2]={a,b}'`); [] for any other text."""
    text = literal.partition("=")[2].strip() if literal.startswith("[") else literal
    if not (text.startswith("{") and text.endswith("}")):
        return []
    elements: list[str] = []
    current: list[str] = []
    pending = quoted = was_quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = pending = True
        elif quoted:
            quoted = char != '"'
            if quoted:
                current.append(char)
        elif char == '"':
            quoted = pending = was_quoted = True
        elif char in ",{}":
            element = "".join(current) if was_quoted else "".join(current).rstrip()
            # Spaces around an element are no part of it, unless quoted; an unquoted NULL is no value.
            if pending and (was_quoted or element.upper() != "NULL"):
                elements.append(element)
            current, pending, was_quoted = [], False, False
        elif not char.isspace() or (pending and not was_quoted):
            current.append(char)
            pending = True
    return elements
