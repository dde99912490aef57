"""The migration rule catalogue: one module per rule, each exporting `RULE`, listed here by hand.

A rule module's docstring starts with the rule id and says why the hazard matters; its `RULE`
carries the stable id, default severity, category, the safe path to suggest, and a bad and a good
example that the tests run. The registry below holds each rule with its docstring.
"""

from __future__ import annotations

import inspect
from functools import cache
from types import ModuleType

from msgspec.structs import replace

from migrations_checks.lint.records.actions import Verb
from migrations_checks.lint.rules import (
    add_check_without_not_valid,
    add_foreign_key_without_not_valid,
    add_not_null_column_without_default,
    add_unique_constraint,
    applied_migration_edited,
    change_column_type,
    concurrently_in_transaction,
    concurrently_unsupported,
    create_index_non_concurrently,
    data_backfill,
    delete_without_where,
    detach_partition_non_concurrently,
    disable_row_level_security,
    drop_column,
    drop_database,
    drop_default,
    drop_index_non_concurrently,
    drop_object,
    drop_policy,
    drop_schema,
    drop_table,
    drop_type,
    enum_value_used_in_same_transaction,
    grant_to_public,
    invalid_suppression,
    journal_missing_entry,
    journal_missing_file,
    journal_out_of_order,
    non_transactional_statement,
    partition_scan,
    reindex_non_concurrently,
    rename_column,
    rename_enum_value,
    rename_table,
    requires_newer_postgres,
    rerun_failure,
    set_not_null,
    table_rewrite,
    transaction_control,
    truncate_table,
    unparseable_statement,
    unused_suppression,
    update_without_where,
    validate_in_same_transaction,
    volatile_default,
)
from migrations_checks.lint.rules.rule import Category, Hit, JournalHit, Rule

__all__ = ["Category", "Hit", "JournalHit", "Rule", "all_rules", "statement_rules"]

# In alphabetical order: the catalogue, the SARIF rule list and docs/rules.md keep this order.
_MODULES: tuple[ModuleType, ...] = (
    add_check_without_not_valid,
    add_foreign_key_without_not_valid,
    add_not_null_column_without_default,
    add_unique_constraint,
    applied_migration_edited,
    change_column_type,
    concurrently_in_transaction,
    concurrently_unsupported,
    create_index_non_concurrently,
    data_backfill,
    delete_without_where,
    detach_partition_non_concurrently,
    disable_row_level_security,
    drop_column,
    drop_database,
    drop_default,
    drop_index_non_concurrently,
    drop_object,
    drop_policy,
    drop_schema,
    drop_table,
    drop_type,
    enum_value_used_in_same_transaction,
    grant_to_public,
    invalid_suppression,
    journal_missing_entry,
    journal_missing_file,
    journal_out_of_order,
    non_transactional_statement,
    partition_scan,
    reindex_non_concurrently,
    rename_column,
    rename_enum_value,
    rename_table,
    requires_newer_postgres,
    rerun_failure,
    set_not_null,
    table_rewrite,
    transaction_control,
    truncate_table,
    unparseable_statement,
    unused_suppression,
    update_without_where,
    validate_in_same_transaction,
    volatile_default,
)


def _registered(module: ModuleType) -> Rule:
    rule: Rule = module.RULE
    return replace(rule, doc=inspect.cleandoc(module.__doc__ or ""))


_RULES: dict[str, Rule] = {rule.id: rule for rule in map(_registered, _MODULES)}


def all_rules() -> dict[str, Rule]:
    """Every rule, keyed by id, in catalogue order."""
    return _RULES


@cache
def statement_rules(verbs: frozenset[Verb]) -> tuple[Rule, ...]:
    """The statement rules that can fire on a statement whose actions have these verbs, in
    catalogue order. Cached: a history has few distinct sets of verbs."""
    return tuple(
        rule
        for rule in all_rules().values()
        if rule.check is not None and (rule.verbs is None or not rule.verbs.isdisjoint(verbs))
    )
