"""`-- gates:` comments: suppressions, deprecation markers and irreversible markers.

`-- gates: allow <rule-id>[, <rule-id>...] -- <reason>` directly above a statement silences those
rules for it; the reason is required so every exception is explained in the review. A
`-- gates: deprecate column <table>.<column>` (or `table <table>`) records that running code has
stopped using an object, so a later migration may drop it. Anything else after `gates:` is a typo
that would silently change nothing, so it is reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping

from msgspec import Struct

from migrations_checks.lint.records.findings import code
from migrations_checks.lint.sql.comments import Comment
from migrations_checks.lint.sql.words import normalize_name
from migrations_checks.lint.statements import Statement

# A directive, or (no `body`) what one with a typo in its prefix or written as a block comment looks
# like: reported, since the suppression it was meant to be would silently do nothing. One pattern,
# as every comment of every file is tried.
_DIRECTIVE = re.compile(
    r"^(?:--\s*gates:\s*(?P<body>.*)$|(?:--|/\*)[\s*-]*gates?\s*:?\s*(?:allow|deprecate|irreversible)\b)",
    re.IGNORECASE,
)
_ALLOW = re.compile(
    # A rule id's words are joined by single hyphens, so `--` always starts the reason.
    r"^allow\s+(?P<rules>[a-z0-9]+(?:-[a-z0-9]+)*(?:\s*,\s*[a-z0-9]+(?:-[a-z0-9]+)*)*)\s*(?:--\s*(?P<reason>.*?))?\s*$",
    re.IGNORECASE,
)
# A name as in SQL: bare or quoted parts, and a quoted part may hold spaces. A reason may follow.
_DEPRECATE = re.compile(
    r'^deprecate\s+(?P<kind>column|table)\s+(?P<name>(?:"(?:[^"]|"")*"|[^\s"])+)\s*(?:--.*)?$', re.IGNORECASE
)
# Rules an `allow` cannot silence: what they report is the suppression itself.
_NOT_ALLOWED = frozenset({"invalid-suppression"})
_IRREVERSIBLE = re.compile(r"^irreversible\b\s*(?:--\s*(?P<reason>.*?))?\s*$", re.IGNORECASE)


class Allow(Struct, frozen=True):
    """`-- gates: allow <rule-id>[, ...] -- <reason>`: those rules are silenced on the next statement."""

    rules: tuple[str, ...]
    reason: str  # empty when missing: an invalid suppression
    line: int


class Deprecation(Struct, frozen=True):
    """`-- gates: deprecate column <table>.<column>` (or `table <table>`): running code no longer uses it."""

    table: str
    column: str | None
    line: int


def deprecated_in(marks: Mapping[tuple[str, str | None], str], table: str, column: str | None) -> str | None:
    """The migration whose marker in `marks` ((table, column or None) -> migration) deprecated the
    column, or its whole table: code that stopped using a table uses none of its columns."""
    found = marks.get((table, column))
    return found if found is not None or column is None else marks.get((table, None))


class Irreversible(Struct, frozen=True):
    """`-- gates: irreversible -- <reason>`: the migration has no rollback file, and says why."""

    reason: str  # empty when missing; the replay gate refuses the marker then
    line: int


class Problem(Struct, frozen=True):
    """A `-- gates:` comment that is no directive, reported rather than ignored."""

    message: str
    line: int


Directive = Allow | Deprecation | Irreversible | Problem


def parse_directive(comment: Comment) -> Directive | None:
    """The `gates:` directive in a comment, None for an ordinary comment."""
    match = _DIRECTIVE.match(comment.text.strip())
    if match is None:
        return None
    if match["body"] is None:
        return Problem(
            f"{code(comment.text.strip())} looks like a gates directive but is not one: write it as a line "
            "comment starting `-- gates:`",
            comment.line,
        )
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
            return Problem(f"{code(comment.text.strip())} needs <table>.<column>", comment.line)
        return Deprecation(table, column, comment.line)
    if irreversible := _IRREVERSIBLE.match(body):
        return Irreversible((irreversible["reason"] or "").strip(), comment.line)
    if body.lower().startswith("deprecate"):
        return Problem(
            f"{code(comment.text.strip())} is not a deprecation; write `-- gates: deprecate table <table>` or "
            "`-- gates: deprecate column <table>.<column>`, names as in SQL",
            comment.line,
        )
    return Problem(
        f"{code(comment.text.strip())} is not a gates directive; expected "
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


class FileSuppressions:
    """Which `allow` directives of one file stand above which statements, and which of them
    silenced nothing, checked against the rule ids in `known_rules`."""

    def __init__(self, known_rules: Collection[str]) -> None:
        self._known_rules = known_rules
        self._allows: dict[int, Allow] = {}  # by comment line: a DO block's allow serves all its statements
        self._used: set[tuple[int, str]] = set()

    def above(self, statement: Statement) -> tuple[list[Allow], list[Problem]]:
        """The allows standing above the statement, and the problems of those not seen before."""
        allows: list[Allow] = []
        problems: list[Problem] = []
        for comment in _suppression_comments(statement):
            if comment.line not in self._allows:
                directive = parse_directive(comment)
                if isinstance(directive, Allow):
                    self._allows[comment.line] = directive
                    problems.extend(self._problems(directive))
            if comment.line in self._allows:
                allows.append(self._allows[comment.line])
        return allows, problems

    def silencer(self, allows: Iterable[Allow], rule_id: str) -> Allow | None:
        """The allow among `allows` that silences `rule_id`, recorded as used; None: it fires."""
        allow = next((a for a in allows if rule_id in a.rules and a.reason), None)
        if allow is not None:
            self._used.add((allow.line, rule_id))
        return allow

    def unused(self) -> Iterator[Problem]:
        """The rules allowed that did not fire on their statement, once the file is read."""
        for allow in self._allows.values():
            if not allow.reason:
                continue  # already an invalid suppression, and it suppressed nothing
            for rule_id in allow.rules:
                if (
                    (allow.line, rule_id) not in self._used
                    and rule_id in self._known_rules
                    and rule_id not in _NOT_ALLOWED
                ):
                    yield Problem(f"`{rule_id}` is allowed here but does not fire on this statement", allow.line)

    def stray(self, comments: Iterable[Comment]) -> Iterator[Problem]:
        """`gates:` comments that do nothing: typos, and suppressions standing above no statement."""
        for comment in comments:
            directive = parse_directive(comment)
            if isinstance(directive, Problem):
                yield directive
            elif isinstance(directive, Allow) and comment.line not in self._allows:
                yield Problem(
                    "suppression is not on the line directly above a statement, so it suppresses nothing", comment.line
                )

    def _problems(self, allow: Allow) -> Iterator[Problem]:
        if not allow.reason:
            yield Problem(
                f"suppression has no reason; write `-- gates: allow {', '.join(allow.rules)} -- <why this is safe>`",
                allow.line,
            )
        for rule_id in allow.rules:
            if rule_id in _NOT_ALLOWED:
                yield Problem(f"`{rule_id}` cannot be allowed: correct the directive it reports instead", allow.line)
            elif rule_id not in self._known_rules:
                yield Problem(f"suppression names unknown rule `{rule_id}`", allow.line)


def _suppression_comments(statement: Statement) -> list[Comment]:
    """Comment lines directly above the statement, or above the DO block that contains it."""
    comments = directly_above(statement.comments_above, statement.line)
    if statement.do_block is not None:
        block = statement.do_block
        comments = directly_above(block.comments_above, block.line) + comments
    return comments
