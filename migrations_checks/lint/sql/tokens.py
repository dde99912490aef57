"""sqlglot's Postgres tokens, as the rest of the linter needs them.

The file is tokenized once per piece and the tokens are handed on, so later stages need not
tokenize again. sqlglot folds everything after a leading command keyword (``DO``, ``CALL``,
``VACUUM``, ``REINDEX``, ``EXECUTE``, ...) up to the ``;`` into one STRING token; ``tokenize``
repairs its offsets to span that text (a comment just before such a statement's ``;`` therefore
stays in its text). Tokens are moved into file coordinates here, and ``statement_end`` finds where a
statement's tokens end, as the server's grammar does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Token, TokenType

from migrations_checks.lint.sql.positions import Offsets, position

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


def relocate(source: str, tokens: Sequence[Token], offsets: Offsets) -> None:
    """Move tokens of a text that ``offsets`` places in ``source`` to file offsets, in place."""
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


def statement_end(tokens: Sequence[Token], index: int) -> int:
    """Index of the ``;`` that ends the statement starting at ``tokens[index]`` (or ``len``)."""
    in_routine = defines_routine([token.text.upper() for token in tokens[index : index + 4]])
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


def defines_routine(words: Sequence[str]) -> bool:
    # Whether the statement creates a routine, whose BEGIN ATOMIC ... END body may hold semicolons.
    if len(words) < 2 or words[0] != "CREATE":
        return False
    if words[1] in ("FUNCTION", "PROCEDURE"):
        return True
    return words[1:3] == ["OR", "REPLACE"] and len(words) == 4 and words[3] in ("FUNCTION", "PROCEDURE")
