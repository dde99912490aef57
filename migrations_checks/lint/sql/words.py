"""A keyword-level view of sqlglot tokens, and a cursor to read statements with it.

sqlglot gives every keyword its own token type and falls back to an opaque `Command` for much of
Postgres DDL (policies, RLS, DO blocks, grants...). The classifier and the action extractors read
those statements from the tokens instead, so they see words the way Postgres does: bare words are
case-insensitive, quoted identifiers are exact, and string literals are never mistaken for names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Token, TokenType

from migrations_checks.lint.sql.tokens import tokenize

WordKind = Literal["word", "quoted", "string", "number", "symbol"]

STRING_TYPES = frozenset(
    {
        TokenType.STRING,
        TokenType.BYTE_STRING,
        TokenType.BIT_STRING,
        TokenType.UNICODE_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.HEX_STRING,
        TokenType.RAW_STRING,
    }
)
COMMAND_TOKENS = Postgres().tokenizer_class.COMMANDS
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


class Word(NamedTuple):
    """One word of a statement. A named tuple because statements are made of tens of thousands of
    them and tuples are the cheapest immutable records Python builds."""

    text: str  # as written, without quotes for quoted identifiers and strings
    kind: WordKind
    start: int  # offset in the file
    # The keyword spelling of a bare word; quoted identifiers and literals never match a keyword.
    # Computed once: keyword comparisons are the linter's innermost loop.
    upper: str

    @property
    def name(self) -> str:
        """The identifier Postgres sees: bare words fold to lower case, quoted ones are exact."""
        return self.text.lower() if self.kind == "word" else self.text


# Tokens whose text is a value or an exact name, never a keyword, by the kind of word they make.
_LITERAL_KINDS: dict[TokenType, WordKind] = {
    TokenType.IDENTIFIER: "quoted",
    TokenType.NUMBER: "number",
    **dict.fromkeys(STRING_TYPES, "string"),
}
# The tuple constructor itself: a named tuple's own __new__ is a Python function, and to_words runs
# once per token of every statement.
_new_tuple = tuple.__new__


def bare_word(token: Token) -> str:
    """A keyword or bare name in upper case; "" for literals, quoted names and punctuation."""
    text = token.text
    if token.token_type in _LITERAL_KINDS or not (text[:1].isalpha() or text[:1] == "_"):
        return ""
    return text.upper()


def starts_with_do(tokens: Sequence[Token]) -> bool:
    return bool(tokens) and tokens[0].token_type is TokenType.COMMAND and tokens[0].text.upper() == "DO"


def to_words(tokens: Iterable[Token], shift: int = 0) -> tuple[Word, ...]:
    words: list[Word] = []
    append = words.append
    for token in tokens:
        text = token.text
        start = token.start + shift
        kind = _LITERAL_KINDS.get(token.token_type)
        if kind is not None:
            append(_new_tuple(Word, (text, kind, start, "")))
        elif " " in text:
            # sqlglot fuses some keyword pairs (PRIMARY KEY, CHARACTER VARYING); Postgres does not.
            words.extend(Word(piece, "word", start, piece.upper()) for piece in text.split())
        elif _BARE_WORD.match(text):
            append(_new_tuple(Word, (text, "word", start, text.upper())))
        else:
            append(_new_tuple(Word, (text, "symbol", start, "")))
    return tuple(words)


def statement_words(text: str, start: int, tokens: Sequence[Token]) -> tuple[Word, ...]:
    """The words of one statement whose source `text` begins at offset `start`.

    After a leading command keyword (VACUUM, REINDEX, DO, CALL...) sqlglot's tokenizer keeps the
    rest of the statement as one raw string; tokenize that rest again to see its words.
    """
    if len(tokens) < 2 or tokens[0].token_type not in COMMAND_TOKENS:
        return to_words(tokens)
    head_end = tokens[0].end - tokens[0].start + 1
    rest, _ = tokenize(text[head_end:])
    return to_words(tokens[:1]) + to_words(rest, start + head_end)


_NAME_PART = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')


def normalize_name(text: str) -> str:
    """A name as written in config or a comment (`public."Users"`), normalised like `Cursor.name`."""
    parts = [quoted.replace('""', '"') if quoted else bare.strip().lower() for quoted, bare in _NAME_PART.findall(text)]
    return unqualified(".".join(parts))


def unqualified(name: str) -> str:
    """`public.users` and `users` are the same table under the default search_path."""
    return name[len("public.") :] if name.startswith("public.") else name


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
        return word is not None and word.kind == "symbol" and word.text == symbol

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
        if depth == 0 and word.kind == "symbol" and word.text == separator:
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
