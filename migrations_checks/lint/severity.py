"""The one place that decides a finding's severity, for the linter and the replay gate alike."""

from __future__ import annotations

from collections.abc import Mapping

from gates.config import Severity
from migrations_checks.lint.rules.rule import Hit, Rule


def severity_of(
    rule: Rule, overrides: Mapping[str, Severity], hit: Hit | None = None, hot_tables: frozenset[str] = frozenset()
) -> Severity:
    """The hit's own severity (a deprecated drop is info), else error for a locking rule on a hot
    table, else the project's `[migrations.severity]` override, else the rule's default."""
    if hit is not None and hit.severity is not None:
        return hit.severity
    if hit is not None and rule.category == "locking" and hot_tables.intersection(hit.tables):
        return "error"
    return overrides.get(rule.id, rule.severity)
