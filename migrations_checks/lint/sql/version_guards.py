"""Version guards: a PL/pgSQL `IF` that compares the server's version, so that its branches run
only on some versions.

Migrations that must apply on several Postgres majors guard what a newer one has:
`IF current_setting('server_version_num')::int >= 170000 THEN ... END IF;`. What the THEN branch
runs needs no more than Postgres 17, and an older server never runs it; `< 170000` guards the ELSE
branch so. Only a comparison of `current_setting('server_version_num')` with a constant is read,
alone or joined by AND to other conditions (which only narrow the THEN branch); any other
condition guards nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from migrations_checks.lint.sql.words import Word, split_top_level, top_level


class Guard(NamedTuple):
    """The Postgres majors version guards let a statement run on, and be parsed on, at least (0:
    any). A guarded branch's own statements run only where the guard holds, but Postgres parses them
    with the whole block, wherever it runs; what a guarded EXECUTE or nested DO runs is parsed there
    too, only where the guard holds."""

    runs: int = 0
    parsed: int = 0

    def within(self, major: int) -> Guard:
        """Run, and parsed, by an EXECUTE or a nested DO in a branch guarded by `major`."""
        return Guard(max(self.runs, major), max(self.parsed, major))


UNGUARDED = Guard()


# Each comparison: whether the version must hold for the THEN branch (not for the ELSE branch), and
# what to add to the constant for the first version the guarded branch runs on.
_COMPARISONS = {">=": (True, 0), ">": (True, 1), "<": (False, 0), "<=": (False, 1)}
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "^"})


def guarded_majors(condition: Sequence[Word]) -> tuple[int, int]:
    """The major version the THEN branch of `IF condition` runs on at least, and its ELSE branch's;
    0 where the condition does not tell."""
    if not any(_names_the_version(word) for word in condition):
        return 0, 0
    if any(word.upper == "OR" for word in condition):
        return 0, 0
    parts = _split_on_and(condition)
    for part in parts:
        guard = _compared_version(part)
        if guard is None:
            continue
        for_then, first = guard
        major = first // 10000  # 170000 is 17.0; versions before 10 count for nothing here
        if for_then:
            return major, 0
        # `v < n AND x` is false on newer servers too, when x is: then the ELSE branch runs on any.
        return 0, (major if len(parts) == 1 else 0)
    return 0, 0


def _split_on_and(condition: Sequence[Word]) -> list[tuple[Word, ...]]:
    """The condition's parts joined by AND outside parentheses."""
    parts: list[list[Word]] = [[]]
    depth = 0
    for word in condition:
        depth += word.is_symbol("(") - word.is_symbol(")")
        if not depth and word.upper == "AND":
            parts.append([])
        else:
            parts[-1].append(word)
    return [tuple(part) for part in parts]


def _compared_version(part: Sequence[Word]) -> tuple[bool, int] | None:
    """`current_setting('server_version_num')[::type] OP constant`: whether it guards the THEN
    branch, and the first version the guarded branch runs on; None for any other condition."""
    sides = [index for index, word in enumerate(part) if word.kind == "symbol" and word.text in _COMPARISONS]
    if len(sides) != 1 or len(split_top_level(part, part[sides[0]].text)) != 2:
        return None  # no comparison outside parentheses, or more than one
    at = sides[0]
    left, right = part[:at], part[at + 1 :]
    reads_version = any(word.upper == "CURRENT_SETTING" for word in left) and any(map(_names_the_version, left))
    # `NOT v >= n` is `NOT (v >= n)`; `v + 1 >= n` compares something else.
    altered = left[0].upper == "NOT" or any(
        word.kind == "symbol" and word.text in _ARITHMETIC for word in top_level(left)
    )
    if not reads_version or altered or len(right) != 1 or right[0].kind != "number" or not right[0].text.isdigit():
        return None
    for_then, past = _COMPARISONS[part[at].text]
    return for_then, int(right[0].text) + past


def _names_the_version(word: Word) -> bool:
    return word.kind == "string" and word.text.lower() == "server_version_num"  # settings' names fold case
