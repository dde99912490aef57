"""String constants as the server reads them, with where each character came from.

The value of a string literal token (plain, E'...' with its escapes, or dollar-quoted), and the SQL
of an ``EXECUTE`` argument made only of literals joined with ``||``, or of ``format()`` with such a
template. Unescaped text keeps, for each character, the offset of the source text that produced it
(``positions.Offsets``), so statements found in it are placed exactly in the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from migrations_checks.lint.sql.lexer import STRING_CONTINUATION, read_escape, tokenize
from migrations_checks.lint.sql.positions import Offsets
from migrations_checks.lint.sql.words import Cursor, Word, split_top_level

# The identifier that stands, in SQL built by format(), for a %I whose value is known only at run time.
RUNTIME_NAME = "%I"
# A format() specifier: %[position$][-][width]type. A width taken from an argument (*) is not read.
_SPECIFIER = re.compile(r"%(?:(\d+)\$)?(-?)(\d*)([sIL%])")


def constant_sql(argument: str) -> tuple[str, Offsets] | None:
    """The SQL of an EXECUTE argument made only of string literals and ``||``, with offsets into
    ``argument``; None when any part is only known at run time."""
    words = _argument_words(argument)
    return None if words is None else _concatenation(argument, words)


def formatted_sql(argument: str) -> tuple[str, Offsets, bool] | None:
    """The SQL of an EXECUTE argument ``format(template, value...)`` whose template is a constant:
    each specifier filled with its value where that is a string constant, and a ``%I`` of a value
    known only at run time written as the quoted identifier RUNTIME_NAME. With offsets into
    ``argument`` (a value at its specifier's) and whether any name is left to run time; None for
    any other argument, and when a ``%L`` or ``%s`` value is known only at run time: that could
    be any literal or any SQL."""
    words = _argument_words(argument)
    if not words or words[0].upper != "FORMAT" or not words[1:2] or not words[1].is_symbol("("):
        return None
    call = Cursor(words, 1)
    call.skip_group()
    if not (call.done and words[-1].is_symbol(")")):  # unclosed, or more after the call
        return None
    parts = split_top_level(words[2:-1])
    template = _concatenation(argument, parts[0])
    if template is None or not all(parts[1:]):
        return None
    return _filled(*template, [_constant(argument, part) for part in parts[1:]])


def _filled(template: str, positions: list[int], values: Sequence[str | None]) -> tuple[str, Offsets, bool] | None:
    """The template with its specifiers filled as format() fills them (None: a value known only at
    run time), each character placed where it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    runtime = False
    following = 0  # the value a specifier without a position takes: the one after the last taken
    index = 0
    while index < len(template):
        if template[index] != "%":
            chars.append(template[index])
            offsets.append(positions[index])
            index += 1
            continue
        specifier = _SPECIFIER.match(template, index)
        if specifier is None:
            return None  # format() raises on it, or takes a width from a value
        position, left, width, kind = specifier.groups()
        filled = "%"
        if kind != "%":
            taken = int(position) - 1 if position else following
            following = taken + 1
            if not 0 <= taken < len(values):
                return None
            value = values[taken]
            if value is None and kind != "I":
                return None
            runtime = runtime or value is None
            filled = _quoted(value if value is not None else RUNTIME_NAME, kind)
            padded = filled.ljust if left else filled.rjust
            filled = padded(int(width or 0))
        chars.append(filled)
        offsets.extend([positions[index]] * len(filled))
        index = specifier.end()
    offsets.append(positions[len(template)])
    return "".join(chars), offsets, runtime


def _quoted(value: str, kind: str) -> str:
    """A value as format() writes it for %I (an identifier; always quoted here, which names the
    same one), %L (a literal) or %s (as it is)."""
    if kind == "I":
        return '"' + value.replace('"', '""') + '"'
    if kind == "L":  # as quote_literal writes it
        quoted = "'" + value.replace("'", "''").replace("\\", "\\\\") + "'"
        return "E" + quoted if "\\" in value else quoted
    return value


def _constant(argument: str, words: Sequence[Word]) -> str | None:
    """The value of a format() argument that is one string literal; None for anything else."""
    decoded = string_literal(argument, words[0]) if len(words) == 1 else None
    return decoded[0] if decoded else None


def _argument_words(argument: str) -> list[Word] | None:
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


def _concatenation(argument: str, words: Sequence[Word]) -> tuple[str, list[int]] | None:
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
