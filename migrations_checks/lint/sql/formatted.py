"""The SQL that ``EXECUTE format('template', value, ...)`` runs, read from its constant template.

Values given as string constants are filled in exactly as the server's format() fills them:
``%I`` as quote_ident() writes a name (bare when it is a plain lower-case identifier that is no
keyword, or an unreserved one, which the grammar may then read as a keyword), ``%L`` as
quote_literal() writes a literal, ``%s`` as it is; positions (``%2$I``), widths and ``%%`` too.

A ``%I`` whose value is known only at run time (a loop variable, say) is written as the quoted
identifier RUNTIME_NAME, and only where it stands as a token of its own: next to other characters
of a name, or inside a string or a comment of the template, the name it makes is anyone's guess.
A ``%L`` or ``%s`` value known only at run time could be any literal or any SQL at all: the call is
then not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.literals import argument_words, concatenation, string_literal
from migrations_checks.lint.sql.pg_keywords import QUOTED_KEYWORDS
from migrations_checks.lint.sql.words import Cursor, Word, split_top_level

# The identifier that stands, in SQL built by format(), for a %I whose value is known only at run time.
RUNTIME_NAME = "%I"
# A format() specifier: %[position$][-][width]type. A width taken from a value (*) is not read.
_SPECIFIER = re.compile(r"%(?:(\d+)\$)?(-?)(\d*)([sIL])")
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
# Characters that would run into a run-time name and make another name of it.
_NAME_CHARACTERS = re.compile(r'[\w$"]')
# Wider than any migration pads a value: such a width is read as not known.
_WIDEST = 1024


def formatted_sql(argument: str) -> tuple[str, list[int], bool] | None:
    """The SQL of an EXECUTE argument ``format(template, value...)`` whose template is a constant,
    with offsets into ``argument`` (a value at its specifier's) and whether a name in it is left to
    run time (see the module's docstring); None for any other argument."""
    words = argument_words(argument)
    if not words or words[0].upper != "FORMAT" or not words[1:2] or not words[1].is_symbol("("):
        return None
    call = Cursor(words, 1)
    call.skip_group()
    if not (call.done and words[-1].is_symbol(")")):  # unclosed, or more after the call
        return None
    parts = split_top_level(words[2:-1])
    template = concatenation(argument, parts[0])
    if template is None or not all(parts[1:]):
        return None
    return _filled(*template, [_constant(argument, part) for part in parts[1:]])


def _filled(template: str, positions: list[int], values: Sequence[str | None]) -> tuple[str, list[int], bool] | None:
    """The template with its specifiers filled as format() fills them (None: a value known only at
    run time), each character placed where it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    runtime: list[int] = []  # where each name known only at run time starts in the SQL
    following = 0  # the value a specifier without a position takes: the one after the last taken
    index = 0
    while index < len(template):
        if template[index] != "%" or template.startswith("%%", index):
            chars.append(template[index])
            offsets.append(positions[index])
            index += 2 if template[index] == "%" else 1
            continue
        specifier = _SPECIFIER.match(template, index)
        if specifier is None:
            return None  # format() raises on it, or takes a width from a value
        position, left, written_width, kind = specifier.groups()
        width = int(written_width or 0)
        taken = int(position) - 1 if position else following
        following = taken + 1
        if width > _WIDEST or not 0 <= taken < len(values):
            return None
        value = values[taken]
        if value is None and kind != "I":
            return None
        filled = _quoted(value, kind) if value is not None else f'"{RUNTIME_NAME}"'
        if value is None:
            runtime.append(len(offsets) + (0 if left else max(width - len(filled), 0)))
        filled = filled.ljust(width) if left else filled.rjust(width)
        chars.append(filled)
        offsets.extend([positions[index]] * len(filled))
        index = specifier.end()
    offsets.append(positions[len(template)])
    sql = "".join(chars)
    if runtime and not _standalone(sql, runtime):
        return None
    return sql, offsets, bool(runtime)


def _standalone(sql: str, runtime: list[int]) -> bool:
    """Whether each name known only at run time stands as a token of its own: not run into the
    characters of a name around it, nor inside a string or a comment of the template."""
    marker = len(RUNTIME_NAME) + 2
    for start in runtime:
        around = sql[start - 1 : start] + sql[start + marker : start + marker + 1]
        if _NAME_CHARACTERS.search(around):
            return False
    words, _ = tokenize(sql)
    return sum(1 for word in words if is_runtime_name(word)) == len(runtime)


def is_runtime_name(word: Word) -> bool:
    return word.kind == "quoted" and word.text == RUNTIME_NAME


def _quoted(value: str, kind: str) -> str:
    """A value as format() writes it for %I (quote_ident), %L (quote_literal) or %s (as it is)."""
    if kind == "I":
        if _PLAIN_NAME.fullmatch(value) and value not in QUOTED_KEYWORDS:
            return value
        return '"' + value.replace('"', '""') + '"'
    if kind == "L":
        quoted = "'" + value.replace("'", "''").replace("\\", "\\\\") + "'"
        return "E" + quoted if "\\" in value else quoted
    return value


def _constant(argument: str, words: Sequence[Word]) -> str | None:
    """The value of a format() argument that is one string literal; None for anything else."""
    decoded = string_literal(argument, words[0]) if len(words) == 1 else None
    return decoded[0] if decoded else None
