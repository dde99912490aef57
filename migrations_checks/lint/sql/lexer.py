"""Postgres's lexer, as far as the linter needs it: the words (tokens) of a text, with their offsets.

It reads what decides statement boundaries and words the way the server's scanner does: nested
block comments (``*/*`` closes, then ``*`` is text), ``''`` inside strings and ``""`` inside quoted
identifiers, backslash escapes in ``E'...'`` strings only, a quoted string continued in a quote on
a later line (``'ecst'`` then ``'atic'`` is ``'ecstatic'``), the escapes of ``U&`` strings and
identifiers (with their ``UESCAPE``), dollar quotes with their tags, parameters, and runs of
operator characters cut where the server cuts them. An unterminated string, quoted identifier,
dollar quote or comment runs to the end of the text, as the server reads it, and the text is then
not lexed.

The linter's own lexer rather than sqlglot's: sqlglot folds everything after some keywords (DO,
DECLARE, VACUUM...) into one string, ends nested comments elsewhere than the server, and cannot be
imported without the whole of sqlglot, a fifth of a second that every lint paid before reading a
line. sqlglot still parses the few statements whose tree an extractor reads.
"""

from __future__ import annotations

import re

from migrations_checks.lint.sql.comments import block_comment_end
from migrations_checks.lint.sql.words import Word, WordKind, new_word

WHITESPACE = " \t\n\r\f\v"  # the server's; a no-break space, say, is a letter to it
# What may start a bare word, and what may continue one: letters, `_`, then also digits and `$`,
# and any non-ASCII character (the server counts every byte of one as a letter). Written as the
# ASCII characters they exclude: a class of all non-ASCII characters takes Python a thirtieth of a
# second to compile, at every start.
_START = r"^\x00-\x40\x5b-\x5e\x60\x7b-\x7f"
_CONTINUE = r"^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f"
_TAG = r"^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f"  # a dollar quote's tag: a word without `$`
# Whitespace holding a line break, with any comments: a quote after it continues the string before.
# Every repetition here and below is possessive (`*+`): it never gives back what it took, as the
# server's scanner never does, so a doubled quote cannot end a string, and a long run of blank
# lines cannot send the matcher into exponential backtracking.
_CONTINUATION = r"(?:[ \t\f\v]|--[^\r\n]*+)*+[\r\n](?:[ \t\n\r\f\v]++|--[^\r\n]*+[\r\n])*+"
_ESCAPED_BODY = r"[^'\\]*+(?:(?:\\[\s\S]|'')[^'\\]*+)*+"
_BODY = r"[^']*+(?:''[^']*+)*+"
# A U& string's or identifier's own escape character, when it is not the backslash.
_UESCAPE = r"(?:[ \t\n\r\f\v]*+[uU][eE][sS][cC][aA][pP][eE][ \t\n\r\f\v]*+'[^']')?+"
_OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?"

# Whitespace and line comments before a token are matched with it: half the matches otherwise.
_TOKEN = re.compile(
    rf"""
    (?:[ \t\n\r\f\v]++|--[^\r\n]*+)*+
    (?:
    (?P<escape_string>[eE]'{_ESCAPED_BODY}'(?:{_CONTINUATION}'{_ESCAPED_BODY}')*+)
  | (?P<unicode_string>[uU]&'{_BODY}'(?:{_CONTINUATION}'{_BODY}')*+{_UESCAPE})
  | (?P<prefixed_string>[bBxXnN]'{_BODY}'(?:{_CONTINUATION}'{_BODY}')*+)
  | (?P<unicode_identifier>[uU]&"[^"]*+(?:""[^"]*+)*+"{_UESCAPE})
  | (?P<unterminated_prefixed>[eEbBxXnN]'|[uU]&['"])
  | (?P<word>[{_START}][{_CONTINUE}]*)
  | (?P<number>0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+
      |(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?)
  | (?P<punctuation>::|:=|\.\.|[;()\[\],.:])
  | (?P<identifier>"[^"]*+(?:""[^"]*+)*+")
  | (?P<string>'{_BODY}'(?:{_CONTINUATION}'{_BODY}')*+)
  | (?P<block_comment>/\*)
  | (?P<dollar_string>(?P<delimiter>\$(?:[{_START}][{_TAG}]*)?\$)[\s\S]*?(?P=delimiter))
  | (?P<parameter>\$[0-9]+)
  | (?P<operator>[{re.escape(_OPERATOR_CHARS)}]+)
  | (?P<unterminated>['"]|\$(?:[{_START}][{_TAG}]*)?\$)
  | (?P<other>[\s\S])
  | \Z
    )
    """,
    re.VERBOSE,
)
# The joint of a string continued in a quote on a later line, from the closing quote to the opening one.
STRING_CONTINUATION = re.compile(rf"'{_CONTINUATION}'")
_UESCAPE_CLAUSE = re.compile(r"\s*UESCAPE\s*'(.)'\Z", re.IGNORECASE)


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[list[Word], bool]:
    """The words of ``text[start:end]``, placed in ``text``, and whether it lexed to its end
    (nothing left unterminated)."""
    words: list[Word] = []
    append = words.append
    match = _TOKEN.match
    size = len(text) if end is None else end
    index = start
    while index < size:
        found = match(text, index, size)
        assert found is not None  # `other` takes any character, and the end of the text ends it
        kind = found.lastgroup
        stop = found.end()
        if kind == "word":
            value = found.group(kind)
            append(new_word(Word, (value, "word", stop - len(value), value.upper(), stop)))
        elif kind == "punctuation":
            value = found.group(kind)
            append(new_word(Word, (value, "symbol", stop - len(value), "", stop)))
        elif kind is None:
            break  # only whitespace and comments were left
        else:
            begin = found.start(kind)
            if kind == "block_comment":
                close = block_comment_end(text, begin, size)
                if close is None:
                    append(_unterminated(text, begin, size))
                    return words, False
                stop = close
            elif kind == "operator":
                value = _operator(found.group(kind))
                stop = begin + len(value)
                append(Word(value, "symbol", begin, "", stop))
            elif kind.startswith("unterminated"):
                append(_unterminated(text, begin, size))
                return words, False
            else:
                append(Word(_value(kind, found), _KINDS[kind], begin, "", stop))
        index = stop
    return words, True


_KINDS: dict[str, WordKind] = {
    "string": "string",
    "escape_string": "string",
    "prefixed_string": "string",
    "unicode_string": "string",
    "dollar_string": "string",
    "identifier": "quoted",
    "unicode_identifier": "quoted",
    "number": "number",
    "parameter": "symbol",
    "other": "symbol",  # a character no token starts with, such as `\\`
}


def _unterminated(text: str, start: int, end: int) -> Word:
    # It runs to the end of the text; like any statement's, its trailing whitespace is no part of it.
    value = text[start:end].rstrip(WHITESPACE)
    return Word(value, "unterminated", start, "", start + len(value))


def _value(kind: str, found: re.Match[str]) -> str:
    """A literal's value, or a quoted name's: without quotes, a doubled quote read as one."""
    raw = found.group(kind)
    if kind == "string":
        return _joined(raw[1:-1])
    if kind == "identifier":
        return raw[1:-1].replace('""', '"')
    if kind == "dollar_string":
        delimiter = len(found.group("delimiter"))
        return raw[delimiter:-delimiter]
    if kind == "escape_string":
        value = _joined(raw[2:-1])
        return _backslash_escapes(value) if "\\" in value else value
    if kind == "prefixed_string":
        return _joined(raw[raw.index("'") + 1 : -1])
    if kind in ("unicode_string", "unicode_identifier"):
        clause = _UESCAPE_CLAUSE.search(raw)
        escape = clause.group(1) if clause else "\\"
        inside = raw[3 : clause.start() if clause else len(raw)][:-1]
        value = _joined(inside) if kind == "unicode_string" else inside.replace('""', '"')
        return _unicode_escapes(value, escape)
    return raw


def _backslash_escapes(value: str) -> str:
    """An E string's value with its backslash escapes read (`\\x41` is `A`, `\\'` a quote); the bytes
    that octal and hex escapes give read together as UTF-8, as the server reads them."""
    chars: list[str] = []
    pending = bytearray()
    index = 0
    while index < len(value):
        if value[index] == "\\" and index + 1 < len(value):
            decoded, length = read_escape(value, index + 1, len(value))
            index += 1 + length
            if isinstance(decoded, int):
                pending.append(decoded)
                continue
        else:
            decoded = value[index]
            index += 1
        if pending:
            chars.append(pending.decode(errors="replace"))
            pending.clear()
        chars.append(decoded)
    chars.append(pending.decode(errors="replace"))
    return "".join(chars)


_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BYTE_ESCAPES = ((re.compile(r"[0-7]{1,3}"), 8), (re.compile(r"x([0-9A-Fa-f]{1,2})"), 16))
_CHARACTER_ESCAPES = ((re.compile(r"u([0-9A-Fa-f]{4})"), 16), (re.compile(r"U([0-9A-Fa-f]{8})"), 16))


def read_escape(text: str, index: int, end: int) -> tuple[str | int, int]:
    """What the E-string escape whose backslash precedes ``index`` stands for, and its length: a
    character, or the byte (an int) of an octal or hex escape."""
    char = text[index]
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], 1
    for pattern, base in _BYTE_ESCAPES:
        match = pattern.match(text, index, end)
        if match:
            return int(match.group(match.lastindex or 0), base) & 0xFF, match.end() - index
    for pattern, base in _CHARACTER_ESCAPES:
        match = pattern.match(text, index, end)
        if match:
            value = int(match.group(1), base)
            if value <= 0x10FFFF:
                return chr(value), match.end() - index
    return char, 1


def _unicode_escapes(value: str, escape: str) -> str:
    """A U& value with its escapes read: the escape character then four hex digits, or `+` and six,
    or the escape character doubled for itself; surrogate pairs make one character."""
    if escape not in value:
        return value
    marker = re.escape(escape)
    decoded = re.sub(
        rf"{marker}(?:([0-9A-Fa-f]{{4}})|\+([0-9A-Fa-f]{{6}})|({marker}))",
        lambda found: found.group(3) or chr(int(found.group(1) or found.group(2), 16)),
        value,
    )
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _joined(inside: str) -> str:
    """A string's value from the text between its outer quotes: a string continued on a later line
    is one string, its parts without what joins them."""
    if "'" not in inside:
        return inside
    return "".join(STRING_CONTINUATION.split(inside)).replace("''", "'")


def _operator(run: str) -> str:
    """The operator at the start of a run of operator characters, as the server cuts it: before a
    comment, and without a trailing ``+`` or ``-`` unless it holds one of ``~!@#%^&|`?``."""
    # Comments were matched before operators, so a comment inside the run never starts it.
    for comment in ("--", "/*"):
        cut = run.find(comment)
        if cut != -1:
            run = run[:cut]
    if len(run) > 1 and not any(char in "~!@#%^&|`?" for char in run):
        while len(run) > 1 and run[-1] in "+-":
            run = run[:-1]
    return run
