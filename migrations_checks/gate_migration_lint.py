"""Gate: the environment's pending migrations pass the migration lint.

`pytest -m "pre_deploy and migration_lint" --gates-env ENV`. On `local` every migration counts as
pending; elsewhere the environment's database says which are pending, and only those are reported
(the applied ones still give the linter its schema history and recorded deprecations). Errors
block, and so do warnings that carry no `-- gates: allow` suppression, as the catalogue says.
"""

from __future__ import annotations

import pytest

from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.failclosed import fail
from migrations_checks.db.pending import pending_tags
from migrations_checks.failing import failing_clearly
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_sets
from migrations_checks.lint.reader import read_configured
from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.report import render

pytestmark = [pytest.mark.pre_deploy, pytest.mark.migration_lint]


def test_pending_migrations_pass_the_lint(
    gates_config: GatesConfig, gates_env: Environment, connect_budget: ConnectBudget
) -> None:
    with failing_clearly("cannot lint the migrations"):
        migration_set = read_configured(gates_config.migrations)
        pending = pending_tags(gates_config, gates_env, migration_set, connect_budget=connect_budget)
        options = LintOptions.from_config(gates_config, only=pending)
    result: LintResult = lint_sets([migration_set], options)
    blocking = result.blocking("warning")
    if blocking:
        fail(f"{len(blocking)} migration finding(s) block the deploy to {gates_env.name}:\n\n" + render(result, "text"))
