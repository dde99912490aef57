"""The catalogue as shipped: every rule id and default severity of migration-rules.md, and every
statement rule's own bad example fires while its good example stays silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint import rules as rules_package
from migrations_checks.lint.engine import lint_text
from migrations_checks.lint.rules import Rule, all_rules

# The ids and default severities in design/migration-rules.md; ids never change meaning.
CATALOGUE = {
    "drop-table": "error",
    "drop-column": "error",
    "rename-table": "error",
    "rename-column": "error",
    "change-column-type": "error",
    "add-not-null-column-without-default": "error",
    "set-not-null": "warning",
    "drop-default": "warning",
    "rename-enum-value": "error",
    "drop-type": "error",
    "drop-schema": "error",
    "drop-database": "error",
    "drop-object": "warning",
    "truncate-table": "error",
    "delete-without-where": "error",
    "update-without-where": "error",
    "create-index-non-concurrently": "warning",
    "drop-index-non-concurrently": "warning",
    "add-foreign-key-without-not-valid": "warning",
    "add-check-without-not-valid": "warning",
    "add-unique-constraint": "warning",
    "volatile-default": "warning",
    "validate-in-same-transaction": "warning",
    "reindex-non-concurrently": "warning",
    "detach-partition-non-concurrently": "warning",
    "table-rewrite": "warning",
    "data-backfill": "warning",
    "concurrently-in-transaction": "error",
    "non-transactional-statement": "error",
    "enum-value-used-in-same-transaction": "error",
    "disable-row-level-security": "error",
    "drop-policy": "warning",
    "grant-to-public": "warning",
    "journal-out-of-order": "error",
    "journal-missing-entry": "error",
    "journal-missing-file": "error",
    "applied-migration-edited": "error",
    "unparseable-statement": "error",
}
# Added by this suite: suppression hygiene, the replay gate's re-run check, the target version, a
# CONCURRENTLY form Postgres refuses, a partition's scan.
EXTRA = {
    "invalid-suppression": "error",
    "unused-suppression": "info",
    "rerun-failure": "warning",
    "transaction-control": "error",
    "concurrently-unsupported": "error",
    "partition-scan": "warning",
    "requires-newer-postgres": "error",
}

STATEMENT_RULES = [rule for rule in all_rules().values() if rule.check is not None]


def test_every_catalogue_rule_exists_with_its_default_severity() -> None:
    shipped = {rule.id: rule.severity for rule in all_rules().values()}
    assert shipped == {**CATALOGUE, **EXTRA}


@pytest.mark.parametrize("rule", STATEMENT_RULES, ids=lambda rule: rule.id)
def test_bad_example_fires(rule: Rule) -> None:
    result = lint_text(rule.bad)
    fired = [f for f in result.findings if f.rule == rule.id]
    assert len(fired) == 1, f"{rule.id} should fire once on its bad example: {result.findings}"


@pytest.mark.parametrize("rule", STATEMENT_RULES, ids=lambda rule: rule.id)
def test_good_example_is_silent(rule: Rule) -> None:
    result = lint_text(rule.good)
    assert [f for f in result.findings if f.rule == rule.id] == []


@pytest.mark.parametrize("rule", list(all_rules().values()), ids=lambda rule: rule.id)
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.doc.startswith(f"{rule.id}:"), "the module docstring starts with the id"
    assert rule.summary and rule.hint and rule.bad and rule.good


def test_every_rule_module_is_registered() -> None:
    folder = Path(rules_package.__file__).parent
    modules = {path.stem for path in folder.glob("*.py") if not path.stem.startswith("_") and path.stem != "rule"}
    registered = {rule.id for rule in all_rules().values()}
    assert {module.replace("_", "-") for module in modules} == registered, "each rule module is listed in the registry"
