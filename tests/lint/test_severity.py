"""The one severity resolver: a hit's own severity, then hot tables, then the project's override."""

from __future__ import annotations

from migrations_checks.lint.rules import Hit, all_rules
from migrations_checks.lint.severity import severity_of

LOCKING = all_rules()["create-index-non-concurrently"]
HOT = frozenset({"users"})


def test_the_rule_default_stands_without_an_override() -> None:
    assert severity_of(LOCKING, {}) == LOCKING.severity


def test_the_project_override_replaces_the_default() -> None:
    assert severity_of(LOCKING, {LOCKING.id: "info"}, Hit("m", tables=("orders",)), HOT) == "info"


def test_a_locking_rule_on_a_hot_table_is_an_error_whatever_the_override() -> None:
    assert severity_of(LOCKING, {LOCKING.id: "info"}, Hit("m", tables=("users",)), HOT) == "error"


def test_an_unnamed_table_is_never_hot() -> None:
    assert severity_of(LOCKING, {}, Hit("m", tables=(None,)), HOT) == LOCKING.severity


def test_the_hit_severity_wins_over_everything() -> None:
    assert severity_of(LOCKING, {LOCKING.id: "error"}, Hit("m", tables=("users",), severity="info"), HOT) == "info"
