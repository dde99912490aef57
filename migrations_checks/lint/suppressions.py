"""`-- gates:` comments: suppressions, deprecation markers and irreversible markers.

`-- gates: allow <rule-id>[, <rule-id>...] -- <reason>` directly above a statement silences those
rules for it; the reason is required so every exception is explained in the review. A
`-- gates: deprecate column <table>.<column>` (or `table <table>`) records that running code has
stopped using an object, so a later migration may drop it. Anything else after `gates:` is a typo
that would silently change nothing, so it is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from migrations_checks.lint.sql.splitter import Comment
from migrations_checks.lint.sql.words import normalize_name

_DIRECTIVE = re.compile(r"^--\s*gates:\s*(?P<body>.*)$", re.IGNORECASE)
_ALLOW = re.compile(
    r"^allow\s+(?P<rules>[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?:--\s*(?P<reason>.*?))?\s*$", re.IGNORECASE
)
_DEPRECATE = re.compile(r"^deprecate\s+(?P<kind>column|table)\s+(?P<name>\S+)\s*$", re.IGNORECASE)
_IRREVERSIBLE = re.compile(r"^irreversible\b\s*(?:--\s*(?P<reason>.*?))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Allow:
    rules: tuple[str, ...]
    reason: str  # empty when missing: an invalid suppression
    line: int


@dataclass(frozen=True)
class Deprecation:
    table: str
    column: str | None
    line: int


@dataclass(frozen=True)
class Irreversible:
    """`-- gates: irreversible -- <reason>`: the migration has no rollback file, and says why."""

    reason: str  # empty when missing; the replay gate refuses the marker then
    line: int


@dataclass(frozen=True)
class Problem:
    message: str
    line: int


Directive = Allow | Deprecation | Irreversible | Problem


def parse_directive(comment: Comment) -> Directive | None:
    """The `gates:` directive in a comment, None for an ordinary comment."""
    match = _DIRECTIVE.match(comment.text.strip())
    if match is None:
        return None
    body = match["body"].strip()
    if allow := _ALLOW.match(body):
        rules = tuple(rule.strip().lower() for rule in allow["rules"].split(","))
        return Allow(rules=rules, reason=(allow["reason"] or "").strip(), line=comment.line)
    if deprecate := _DEPRECATE.match(body):
        name = normalize_name(deprecate["name"])
        if deprecate["kind"].lower() == "table":
            return Deprecation(name, None, comment.line)
        table, _, column = name.rpartition(".")
        if not table:
            return Problem(f"`{comment.text.strip()}` needs <table>.<column>", comment.line)
        return Deprecation(table, column, comment.line)
    if irreversible := _IRREVERSIBLE.match(body):
        return Irreversible((irreversible["reason"] or "").strip(), comment.line)
    return Problem(
        f"`{comment.text.strip()}` is not a gates directive; expected "
        "`-- gates: allow <rule-id> -- <reason>` or `-- gates: deprecate column <table>.<column>`",
        comment.line,
    )


def deprecations(comments: Iterable[Comment]) -> Iterator[Deprecation]:
    """The deprecation markers among `comments`, in order."""
    for comment in comments:
        directive = parse_directive(comment)
        if isinstance(directive, Deprecation):
            yield directive


def directly_above(comments: tuple[Comment, ...], line: int) -> list[Comment]:
    """The unbroken run of comment lines (`--` comments alone on their lines) that ends on the line
    just above `line`; a comment on `line` itself, before the statement, does not break it."""
    run: list[Comment] = []
    expected = line - 1
    for comment in reversed(comments):
        if comment.line >= line:
            continue
        if comment.line != expected or not comment.text.startswith("--") or not comment.starts_line:
            break
        run.append(comment)
        expected -= 1
    return run[::-1]
