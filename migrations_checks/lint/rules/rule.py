"""What a rule is: its record (`Rule`) and what its checks return (`Hit`, `JournalHit`).

Statement rules implement `check(statement, context)` and name in `verbs` the actions it examines
(tests/rules/test_verbs.py holds them to it); journal rules implement `check_set(migration_set)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from msgspec import Struct

from gates.config import Severity
from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.reader import MigrationSet
from migrations_checks.lint.records.actions import Verb
from migrations_checks.lint.statements import Statement

Category = Literal["destructive", "locking", "transaction", "security", "journal", "parse", "suppression"]


class Hit(Struct, frozen=True):
    """One offence found by a rule; the engine turns it into a finding."""

    message: str
    # The tables it locks: any hot one raises the finding to error (None, a table it could not name,
    # is never hot).
    tables: tuple[str | None, ...] = ()
    severity: Severity | None = None  # overrides the rule's severity (a deprecated drop is info)
    hint: str | None = None  # overrides the rule's hint, e.g. to name the object it is about


def one_hit(hits: Iterable[Hit]) -> Iterator[Hit]:
    """The hits a check found in one statement, as one finding (the catalogue's rule: one finding
    per statement and rule): several are joined, and keep the rule's own hint."""
    found = list(hits)
    if len(found) > 1:
        yield Hit("; ".join(hit.message for hit in found), tables=tuple(t for hit in found for t in hit.tables))
    else:
        yield from found


class JournalHit(Struct, frozen=True):
    """One problem found by a rule on a Drizzle journal, and where it is."""

    message: str
    file: str  # display path of the file the problem is in
    line: int = 1


StatementCheck = Callable[[Statement, StatementContext], Iterable[Hit]]
SetCheck = Callable[[MigrationSet], Iterable[JournalHit]]


class Rule(Struct, frozen=True):
    """A rule of the catalogue: its id, default severity, examples and check."""

    id: str
    severity: Severity
    category: Category
    summary: str  # what it catches, one line
    hint: str  # the safe path
    bad: str  # an example that must fire (SQL, or a description for journal rules)
    good: str  # an example that must not fire
    check: StatementCheck | None = None
    # The action verbs `check` looks at: it is only called for statements with one of them (a
    # long history has hundreds of thousands of statements). None: every statement.
    verbs: frozenset[Verb] | None = None
    check_set: SetCheck | None = None
    needs_database: bool = False  # checked by `status` and the replay gates, not by lint
    # The rule module's docstring: the id, then why the hazard matters (the registry fills it in).
    doc: str = ""
