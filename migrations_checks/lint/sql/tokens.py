"""Where a statement's words end, and words moved from the text they were read in to the file.

The file is lexed once per piece and its words are handed on, so later stages need not lex again.
``statement_end`` finds where a statement's words end, as the server's grammar does.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.sql.positions import Offsets
from migrations_checks.lint.sql.words import Word, new_word


def placed(words: Sequence[Word], offsets: Offsets) -> tuple[Word, ...]:
    """``words`` of a text that ``offsets`` places in the file, with file offsets."""
    if not offsets:
        return tuple(words)
    if isinstance(offsets, int):
        return tuple([new_word(Word, (w.text, w.kind, w.start + offsets, w.upper, w.end + offsets)) for w in words])
    return tuple([new_word(Word, (w.text, w.kind, offsets[w.start], w.upper, offsets[w.end])) for w in words])


def statement_end(words: Sequence[Word], index: int) -> int:
    """Index of the ``;`` that ends the statement starting at ``words[index]`` (or ``len``)."""
    in_routine = defines_routine([word.upper for word in words[index : index + 4]])
    depth = 0
    blocks = 0
    for cursor in range(index, len(words)):
        word = words[cursor]
        if word.kind == "symbol":
            text = word.text
            if text == ";":
                if not depth and not blocks:
                    return cursor
            elif text == "(":
                depth += 1
            elif text == ")" and depth:
                depth -= 1
        elif in_routine and not depth:
            if _opens_body(words, cursor) or (word.upper == "CASE" and blocks):
                blocks += 1
            elif word.upper == "END" and blocks:
                blocks -= 1
    return len(words)


def _opens_body(words: Sequence[Word], index: int) -> bool:
    # Only `BEGIN ATOMIC` opens a body the server reads on past semicolons; a function may well be
    # named `begin`.
    return words[index].upper == "BEGIN" and index + 1 < len(words) and words[index + 1].upper == "ATOMIC"


def defines_routine(words: Sequence[str]) -> bool:
    # Whether the statement creates a routine, whose BEGIN ATOMIC ... END body may hold semicolons.
    if len(words) < 2 or words[0] != "CREATE":
        return False
    if words[1] in ("FUNCTION", "PROCEDURE"):
        return True
    return words[1:3] == ["OR", "REPLACE"] and len(words) == 4 and words[3] in ("FUNCTION", "PROCEDURE")
