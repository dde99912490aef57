"""Gate: the environment's pending migrations pass the migration lint.

`pytest -m "pre_deploy and migration_lint" --gates-env ENV`. On `local` every migration counts as
pending; elsewhere the environment's database says which are pending, and only those are reported
(the applied ones still give the linter its schema history and recorded deprecations). Errors
block, and so do warnings that carry no `-- gates: allow` suppression, as the catalogue says.
"""

from __future__ import annotations

import os

import pytest

from gates.config import ConfigError, Environment, GatesConfig
from gates.failclosed import cannot_decide
from migrations_checks.connect import ConnectError
from migrations_checks.context import LintOptions
from migrations_checks.engine import lint_sets
from migrations_checks.findings import LintResult
from migrations_checks.reader import InputError, MigrationSet, read_migrations
from migrations_checks.report import render
from migrations_checks.status import read_status

pytestmark = [pytest.mark.pre_deploy, pytest.mark.migration_lint]


def pending_tags(config: GatesConfig, environment: Environment, migrations: MigrationSet) -> frozenset[str] | None:
    """Tags pending on the environment's database; None on `local` (everything is pending)."""
    if environment.is_local:
        return None
    url = os.environ.get(environment.database_url_env)
    if not url:
        cannot_decide(environment, f"{environment.database_url_env} is not set: the lint gate needs the "
                      f"{environment.name} database to know which migrations are pending")
    status = read_status(url, migrations, connect_budget_s=config.migrations.connect_budget_s)
    return frozenset(s.tag for s in status.with_state("pending"))


def test_pending_migrations_pass_the_lint(gates_config: GatesConfig, gates_env: Environment) -> None:
    try:
        sets = read_migrations([gates_config.migrations.path])
        pending = pending_tags(gates_config, gates_env, sets[0])
        # Drizzle applies the whole pending batch in one transaction.
        options = LintOptions.from_config(gates_config, only=pending, one_batch=True)
    except (InputError, ConnectError, ConfigError) as error:
        pytest.fail(str(error), pytrace=False)
    result: LintResult = lint_sets(sets, options)
    blocking = result.blocking("warning")
    if blocking:
        pytest.fail(
            f"{len(blocking)} migration finding(s) block the deploy to {gates_env.name}:\n\n"
            + render(result, "text"),
            pytrace=False,
        )
