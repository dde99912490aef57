"""Words: the tokens of a statement as the linter reads them, and a cursor to read statements with.

The lexer (``lexer``) makes the words, once per piece of a file; the splitter, the classifier and
the action extractors all read them, so they see words the way Postgres does: bare words are
case-insensitive, quoted identifiers are exact, and string literals are never mistaken for names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, NamedTuple

# `unterminated`: an unclosed quote or comment, from where it opens to the end of the text.
WordKind = Literal["word", "quoted", "string", "number", "symbol", "unterminated"]


class Word(NamedTuple):
    """One word (token) of a statement. A named tuple because a history holds millions of them and
    tuples are the cheapest immutable records Python builds."""

    text: str  # as written; a quoted identifier's or a string's value, without its quotes
    kind: WordKind
    start: int  # offset of its first character in the text it was read from (the file, once placed)
    # The keyword spelling of a bare word; quoted identifiers, literals and symbols never match one.
    # Computed once: keyword comparisons are the linter's innermost loop.
    upper: str
    end: int  # offset just past its last character: ``text[start:end]`` is the word as written

    @property
    def name(self) -> str:
        """The identifier Postgres sees: bare words fold to lower case, quoted ones are exact, and
        either is cut to NAME_BYTES."""
        name = self.text.lower() if self.kind == "word" else self.text
        return name if len(name) <= NAME_BYTES and name.isascii() else truncated(name)

    def is_symbol(self, symbol: str) -> bool:
        return self.kind == "symbol" and self.text == symbol


# The longest name Postgres keeps, in bytes (NAMEDATALEN - 1): it cuts longer ones.
NAME_BYTES = 63


def truncated(name: str) -> str:
    """The name cut to NAME_BYTES, between characters, as Postgres cuts an identifier."""
    return name.encode()[:NAME_BYTES].decode(errors="ignore")


# Makes a Word from a tuple without the named tuple's own __new__, a Python function: the lexer
# makes a word for every token of every file, and placing words moves them by the hundred thousand.
new_word = tuple.__new__


def starts_with_do(words: Sequence[Word]) -> bool:
    return bool(words) and words[0].upper == "DO"


_NAME_PART = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')


def normalize_name(text: str) -> str:
    """A name as written in config or a comment (`public."Users"`), normalised like `Cursor.name`."""
    parts = [quoted.replace('""', '"') if quoted else bare.strip().lower() for quoted, bare in _NAME_PART.findall(text)]
    return unqualified(".".join(parts))


_BARE_NAME = re.compile(r"[a-z_][a-z0-9_$]*\Z")


def written_name(name: str) -> str:
    """A normalised name written back so that `normalize_name` reads it again: parts that are not
    lower-case bare words are quoted (`"Users".id`)."""
    return ".".join(part if _BARE_NAME.match(part) else '"' + part.replace('"', '""') + '"' for part in name.split("."))


def unqualified(name: str) -> str:
    """`public.users` and `users` are the same table under the default search_path."""
    return name[len("public.") :] if name.startswith("public.") else name


def in_schema_of(old: str, new: str) -> str:
    """The name a RENAME TO gives: `new`, in the schema of the `old` one."""
    schema, dot, _ = old.rpartition(".")
    return f"{schema}.{new}" if dot else new


class Cursor:
    """Reads a statement's words left to right; every read is bounds-safe."""

    def __init__(self, words: Sequence[Word], position: int = 0) -> None:
        self.words = words
        self.position = position

    @property
    def done(self) -> bool:
        return self.position >= len(self.words)

    def peek(self, ahead: int = 0) -> Word | None:
        index = self.position + ahead
        return self.words[index] if index < len(self.words) else None

    def at(self, *keywords: str) -> bool:
        """Whether the next words are exactly `keywords` (bare, case-insensitive)."""
        # The extractors' innermost call, made for nearly every word: one slice, not a peek per keyword.
        words, position = self.words, self.position
        end = position + len(keywords)
        return end <= len(words) and tuple([word.upper for word in words[position:end]]) == keywords

    def accept(self, *keywords: str) -> bool:
        if self.at(*keywords):
            self.position += len(keywords)
            return True
        return False

    def at_symbol(self, symbol: str) -> bool:
        word = self.peek()
        return word is not None and word.is_symbol(symbol)

    def next(self) -> Word | None:
        word = self.peek()
        if word is not None:
            self.position += 1
        return word

    def name(self) -> str | None:
        """A possibly qualified name (`a`, `"A".b`), normalised; None if no name is here."""
        parts = []
        while True:
            word = self.peek()
            if word is None or word.kind not in ("word", "quoted"):
                break
            parts.append(word.name)
            self.position += 1
            if not self.at_symbol("."):
                break
            self.position += 1
        return ".".join(parts) if parts else None

    def table_name(self) -> str | None:
        """A table's (or another relation's) name, as `unqualified` normalises it; None if no name is here."""
        name = self.name()
        return unqualified(name) if name else None

    def skip_group(self) -> None:
        """Skip a parenthesised group starting at the cursor (or one word if none starts here)."""
        depth = 0
        while not self.done:
            word = self.next()
            assert word is not None
            if word.kind == "symbol" and word.text in ("(", "["):
                depth += 1
            elif word.kind == "symbol" and word.text in (")", "]"):
                depth -= 1
            if depth <= 0:
                return

    def rest(self) -> tuple[Word, ...]:
        return tuple(self.words[self.position :])


def split_top_level(words: Sequence[Word], separator: str = ",") -> list[tuple[Word, ...]]:
    """Split on `separator` outside parentheses and brackets."""
    parts: list[tuple[Word, ...]] = []
    depth = 0
    current: list[Word] = []
    for word in words:
        if word.kind == "symbol" and word.text in ("(", "["):
            depth += 1
        elif word.kind == "symbol" and word.text in (")", "]"):
            depth -= 1
        if depth == 0 and word.is_symbol(separator):
            parts.append(tuple(current))
            current = []
        else:
            current.append(word)
    parts.append(tuple(current))
    return [part for part in parts if part]


def has_keyword(words: Sequence[Word], *keywords: str) -> bool:
    """Whether the consecutive bare words `keywords` occur anywhere in `words`."""
    first, rest = keywords[0], keywords[1:]
    last_start = len(words) - len(keywords)
    for index, word in enumerate(words):
        if index > last_start:
            return False
        if word.upper == first and all(words[index + 1 + k].upper == part for k, part in enumerate(rest)):
            return True
    return False


def top_level(words: Sequence[Word]) -> list[Word]:
    """The words outside any parentheses."""
    kept = []
    depth = 0
    for word in words:
        if word.kind == "symbol" and word.text in ("(", "["):
            depth += 1
        elif word.kind == "symbol" and word.text in (")", "]"):
            depth -= 1
        elif depth == 0:
            kept.append(word)
    return kept
