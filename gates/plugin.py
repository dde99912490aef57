"""The deploy-gates pytest plugin (`pytest11` entry point): gate markers, options and shared fixtures.

Workflows call `pytest -m <group> --gates-env <name>`; every gate carries its group marker
(`pre_deploy`, `post_deploy`, `smoke`, `rollback_drill`) and its own marker, so one gate can run
alone: `pytest -m "pre_deploy and migration_lint" --gates-env production`. Every marker the
architecture names is registered here, including those of gates still to come.

Fixture modules of other packages are listed in `pytest_plugins` below, so one plugin loads them all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates.config import ConfigError, Environment, GatesConfig, find_config, load_config
from gates.scratch_db import ScratchServer

# Fixture modules of the gate packages, loaded with this plugin.
pytest_plugins: list[str] = ["gates.github.reporting"]

GATE_GROUPS = {
    "pre_deploy": "gates that decide whether a release may be deployed",
    "post_deploy": "gates that prove a deployed release is healthy",
    "smoke": "end-to-end smoke test: a plan created through the API is finished by the worker",
    "rollback_drill": "scheduled rehearsals of getting back to the previous release",
}
GATE_MARKERS = {
    "migration_lint": "static migration lint (sqlglot rules)",
    "migration_replay": "migrations applied, re-applied and rolled back on a scratch database",
    "migration_staged": "production's pending migrations were applied on staging first",
    "staging_green": "the commit being deployed to production is green on staging",
    "fly_config": "Fly app configuration checks",
    "fly_secrets": "Fly secrets are set and deployed",
    "fly_health": "Fly machines healthy on the new image",
    "queue_health": "the job queue is drained and has no stuck jobs",
    "host_checks": "testinfra checks on the deployed hosts",
    "drill_fly": "Fly image rollback drill",
    "drill_vercel": "Vercel rollback drill",
    "drill_neon": "Neon point-in-time branch drill",
    "workflow_lint": "GitHub workflow checks",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gates")
    group.addoption(
        "--gates-env",
        default=None,
        help="environment to gate: local, staging or production (default: $GATES_ENV, else local)",
    )
    group.addoption(
        "--gates-config",
        default=None,
        type=Path,
        help="path of gates.toml (default: the nearest gates.toml above the current folder); "
        "write it as --gates-config=PATH so pytest does not take the file for a test path",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, description in {**GATE_GROUPS, **GATE_MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {description}")


@pytest.fixture(scope="session")
def gates_config(pytestconfig: pytest.Config) -> GatesConfig:
    """The parsed gates.toml; a bad file fails every gate with the loader's sentence."""
    path = pytestconfig.getoption("--gates-config") or find_config(Path.cwd())
    try:
        return load_config(path)
    except ConfigError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def gates_env(pytestconfig: pytest.Config, gates_config: GatesConfig) -> Environment:
    """The environment chosen with `--gates-env` or `GATES_ENV` (default `local`)."""
    name = pytestconfig.getoption("--gates-env") or os.environ.get("GATES_ENV") or "local"
    try:
        return gates_config.environment(name)
    except ConfigError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def scratch_server() -> Iterator[ScratchServer]:
    """One scratch Postgres for the whole session (per xdist worker); databases come and go on it."""
    with ScratchServer.start() as server:
        yield server


@pytest.fixture
def scratch_database(scratch_server: ScratchServer) -> Iterator[str]:
    """A fresh, empty database of our own, dropped after the test."""
    url = scratch_server.create_database()
    try:
        yield url
    finally:
        scratch_server.drop_database(url)
