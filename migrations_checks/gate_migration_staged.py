"""Gate `pre_deploy and migration_staged`: production only gets migrations staging already ran.

Production deploys only; both databases are opened read-only. It checks that every migration
pending on production is applied on staging with the same hash, that every deprecation a pending
drop relies on is already applied on production, and that neither database has an edited or a
skipped migration. A missing database URL fails the gate, naming the variable.
"""

from __future__ import annotations

import os
from functools import partial

import pytest

from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.dsn import Dsn
from gates.failclosed import fail
from gates.inputs import Inputs, database_url
from migrations_checks.db.migrator import journal_migrations
from migrations_checks.db.staged import deprecation_problems, drift_problems, unstaged_problems
from migrations_checks.db.status import DatabaseStatus, read_status
from migrations_checks.failing import failing_clearly
from migrations_checks.lint.reader import MigrationSet, read_configured

pytestmark = [pytest.mark.pre_deploy, pytest.mark.migration_staged]


@pytest.fixture(scope="module")
def migrations(gates_config: GatesConfig, gates_env: Environment) -> MigrationSet:
    if not gates_env.is_production:
        pytest.skip(f"migration_staged gates production deploys only; this is {gates_env.name}")
    with failing_clearly("cannot read the migrations"):
        migration_set = read_configured(gates_config.migrations)
        journal_migrations(migration_set)
    return migration_set


@pytest.fixture(scope="module")
def database_urls(gates_config: GatesConfig, gates_env: Environment) -> dict[str, Dsn]:
    """Production's and staging's database URLs, both read (and any problem of either named) before
    either is contacted."""
    inputs = Inputs()
    urls: dict[str, Dsn | None] = {}
    for target in (gates_env, gates_config.environment("staging")):
        how = (
            f"migration_staged reads the {target.name} database (read-only) to compare migrations; "
            "set it to that database's URL"
        )
        urls[target.name] = inputs.read(partial(database_url, os.environ, target.database_url_env, how))
    inputs.settle(gates_env)
    return {name: url for name, url in urls.items() if url is not None}


@pytest.fixture(scope="module")
def production(
    connect_budget: ConnectBudget, migrations: MigrationSet, database_urls: dict[str, Dsn]
) -> DatabaseStatus:
    return _status(connect_budget, "production", database_urls, migrations)


@pytest.fixture(scope="module")
def staging(connect_budget: ConnectBudget, migrations: MigrationSet, database_urls: dict[str, Dsn]) -> DatabaseStatus:
    return _status(connect_budget, "staging", database_urls, migrations)


def test_no_edited_or_skipped_migrations(production: DatabaseStatus, staging: DatabaseStatus) -> None:
    _fail_on(
        drift_problems("production", production) + drift_problems("staging", staging),
        "migration drift that drizzle-orm does not report",
    )


def test_pending_migrations_ran_on_staging(production: DatabaseStatus, staging: DatabaseStatus) -> None:
    _fail_on(unstaged_problems(production, staging), "migration(s) would reach production before staging")


def test_pending_drops_follow_applied_deprecations(migrations: MigrationSet, production: DatabaseStatus) -> None:
    _fail_on(
        deprecation_problems(journal_migrations(migrations), production),
        "drop(s) would run before their deprecation is live on production",
    )


def _status(budget: ConnectBudget, name: str, urls: dict[str, Dsn], migrations: MigrationSet) -> DatabaseStatus:
    with failing_clearly(f"cannot read the migrations applied on {name}"):
        status = read_status(urls[name], migrations, connect_budget=budget)
    return status


def _fail_on(problems: list[str], what: str) -> None:
    if problems:
        listing = "\n".join(f"  {problem}" for problem in problems)
        fail(f"{len(problems)} {what}:\n{listing}")
