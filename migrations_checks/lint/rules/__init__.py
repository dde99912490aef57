"""The migration rule catalogue: one module per rule, each exporting `RULE`.

A rule module's docstring says why the hazard matters; its `RULE` carries the stable id, default
severity, category, the safe path to suggest, and a bad and a good example that the tests run.
Statement rules implement `check(statement, context)` and name in `verbs` the actions it examines
(tests/rules/test_verbs.py holds them to it); journal rules implement `check_set(migration_set)`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from gates.config import Severity
from migrations_checks.lint.records.actions import Verb

if TYPE_CHECKING:
    from migrations_checks.lint.context import StatementContext
    from migrations_checks.lint.reader import MigrationSet
    from migrations_checks.lint.statements import Statement

Category = Literal["destructive", "locking", "transaction", "security", "journal", "parse", "suppression"]


@dataclass(frozen=True)
class Hit:
    """One offence found by a rule; the engine turns it into a finding."""

    message: str
    # The tables it locks: any hot one raises the finding to error (None, a table it could not name,
    # is never hot).
    tables: tuple[str | None, ...] = ()
    severity: Severity | None = None  # overrides the rule's severity (a deprecated drop is info)


@dataclass(frozen=True)
class JournalHit:
    message: str
    file: str  # display path of the file the problem is in
    line: int = 1


StatementCheck = Callable[["Statement", "StatementContext"], Iterable[Hit]]
SetCheck = Callable[["MigrationSet"], Iterable[JournalHit]]


@dataclass(frozen=True)
class Rule:
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


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule, keyed by id, in alphabetical order of their modules' names."""
    rules: dict[str, Rule] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue  # shared helpers, not rules
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        rule: Rule = module.RULE
        if rule.id.replace("-", "_") != module_info.name:
            raise RuntimeError(f"rule module {module_info.name} defines rule {rule.id}")
        rules[rule.id] = rule
    return rules


@cache
def statement_rules(verbs: frozenset[Verb]) -> tuple[Rule, ...]:
    """The statement rules that can fire on a statement whose actions have these verbs, in
    catalogue order. Cached: a history has few distinct sets of verbs."""
    return tuple(
        rule
        for rule in all_rules().values()
        if rule.check is not None and (rule.verbs is None or not rule.verbs.isdisjoint(verbs))
    )
