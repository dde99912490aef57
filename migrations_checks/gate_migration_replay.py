"""Gate `pre_deploy and migration_replay`: the history runs on a real Postgres, again, and backwards.

On scratch databases (embedded Postgres, or GATES_SCRATCH_DATABASE_URL), each prepared with the
configured platform prelude and checked by the guard:

1. the whole history applies from empty, exactly as drizzle-orm applies it;
2. applying again does nothing;
3. every migration's SQL runs a second time on the migrated schema (`rerun-failure`, severity
   `[migrations.severity] "rerun-failure"`: a warning by default, configurable to error);
4. every migration pending on the environment's database has a rollback (or says why not), and
   up, down, up gives back exactly the schema fingerprints from before and after.

Which migrations are pending comes from the environment's database (read-only); in `local`
everything is pending, and in staging or production a missing database URL fails the gate.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from gates.config import Environment, GatesConfig, MigrationSettings
from gates.connect import ConnectBudget
from gates.dsn import Dsn
from gates.failclosed import fail
from gates.scratch_db import ScratchServer
from migrations_checks.db.guard import protected_urls
from migrations_checks.db.migrator import ApplyResult, apply_pending, journal_migrations
from migrations_checks.db.pending import pending_tags
from migrations_checks.db.replay import replay_database
from migrations_checks.db.rerun import rerun_findings
from migrations_checks.db.rollback import check_rollbacks
from migrations_checks.failing import failing_clearly
from migrations_checks.lint.reader import MigrationFile, MigrationSet, read_configured

pytestmark = [pytest.mark.pre_deploy, pytest.mark.migration_replay]


class RerunWarning(UserWarning):
    """A statement that fails when its migration runs twice (severity below error)."""


@pytest.fixture(scope="module")
def settings(gates_config: GatesConfig) -> MigrationSettings:
    return gates_config.migrations


@pytest.fixture(scope="module")
def protected(gates_config: GatesConfig) -> dict[str, Dsn]:
    return protected_urls(gates_config)


@pytest.fixture(scope="module")
def migrations(settings: MigrationSettings) -> MigrationSet:
    with failing_clearly("cannot read the migrations"):
        migration_set = read_configured(settings)
        journal_migrations(migration_set)
    return migration_set


@pytest.fixture(scope="module")
def history(migrations: MigrationSet) -> tuple[MigrationFile, ...]:
    return journal_migrations(migrations)


@pytest.fixture(scope="module")
def migrated(
    scratch_server: ScratchServer,
    settings: MigrationSettings,
    migrations: MigrationSet,
    protected: dict[str, Dsn],
    connect_budget: ConnectBudget,
) -> Iterator[tuple[str, ApplyResult | BaseException]]:
    """A scratch database with the whole history applied once, or the error that stopped it."""
    with (
        failing_clearly("cannot prepare a scratch database"),
        replay_database(scratch_server, settings, protected, connect_budget=connect_budget) as url,
    ):
        try:
            result: ApplyResult | BaseException = _apply(url, migrations, settings, connect_budget)
        except Exception as error:  # reported by the first test, and named by the others
            result = error
        yield url, result


def test_history_applies_from_empty(migrated: tuple[str, ApplyResult | BaseException]) -> None:
    _url, result = migrated
    with failing_clearly("the history does not apply to an empty database"):
        if isinstance(result, BaseException):
            raise result


def test_applying_again_does_nothing(
    migrated: tuple[str, ApplyResult | BaseException],
    migrations: MigrationSet,
    settings: MigrationSettings,
    connect_budget: ConnectBudget,
) -> None:
    url = _applied(migrated)
    with failing_clearly("applying the history a second time failed"):
        again = _apply(url, migrations, settings, connect_budget)
    if again.applied:
        fail(
            "applying the migrated database again ran "
            f"{', '.join(m.tag for m in again.applied)}; it should have done nothing"
        )


def test_migrations_survive_a_rerun(
    migrated: tuple[str, ApplyResult | BaseException],
    history: tuple[MigrationFile, ...],
    settings: MigrationSettings,
    connect_budget: ConnectBudget,
) -> None:
    url = _applied(migrated)
    with failing_clearly("cannot re-run the migrations"):
        findings = rerun_findings(url, history, settings, connect_budget=connect_budget)
    if not findings:
        return
    report = "\n".join(
        f"  {f.severity} {f.rule}: {f.file} line {f.line}: {f.message}\n    statement: {f.source_line}"
        for f in findings
    )
    summary = f"{len(findings)} statement(s) fail when their migration runs a second time:\n{report}"
    if any(f.severity == "error" for f in findings):
        fail(summary)
    warnings.warn(RerunWarning(summary), stacklevel=1)


def test_pending_migrations_roll_back(
    scratch_server: ScratchServer,
    gates_config: GatesConfig,
    gates_env: Environment,
    migrations: MigrationSet,
    history: tuple[MigrationFile, ...],
    settings: MigrationSettings,
    protected: dict[str, Dsn],
    connect_budget: ConnectBudget,
) -> None:
    with failing_clearly(f"cannot read which migrations are pending on {gates_env.name}"):
        pending = pending_tags(gates_config, gates_env, migrations, connect_budget=connect_budget)
    if pending is None:
        pending = frozenset(migration.tag for migration in history)
    with (
        failing_clearly("cannot check rollbacks"),
        replay_database(scratch_server, settings, protected, connect_budget=connect_budget) as url,
    ):
        problems = check_rollbacks(url, history, pending, settings, connect_budget=connect_budget)
    if problems:
        listing = "\n".join(f"  {problem}" for problem in problems)
        fail(f"{len(problems)} rollback problem(s) in pending migrations:\n{listing}")


def _apply(url: str, migrations: MigrationSet, settings: MigrationSettings, budget: ConnectBudget) -> ApplyResult:
    return apply_pending(
        url,
        migrations,
        lock_timeout=settings.lock_timeout,
        statement_timeout=settings.statement_timeout,
        connect_budget=budget,
    )


def _applied(migrated: tuple[str, ApplyResult | BaseException]) -> str:
    url, result = migrated
    if isinstance(result, BaseException):
        fail("not checked: the history does not apply to an empty database (see test_history_applies_from_empty)")
    return url
