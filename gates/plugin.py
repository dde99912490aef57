"""The deploy-gates pytest plugin (`pytest11` entry point): gate markers, options and shared fixtures.

Workflows call `pytest -m <group> --gates-env <name>`; every gate carries its group marker
(`pre_deploy`, `post_deploy`, `smoke`, `rollback_drill`) and its own marker, so one gate can run
alone: `pytest -m "pre_deploy and migration_lint" --gates-env production`. Every marker the
architecture names is registered here, including those of gates still to come.

Fixture modules of other packages are listed in `pytest_plugins` below, so one plugin loads them all.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates.config import ConfigError, Environment, GatesConfig, find_config, load_config
from gates.connect import ConnectBudget
from gates.failclosed import fail
from gates.scratch_db import SCRATCH_URL_ENV, ScratchError, ScratchServer

# Fixture modules of the gate packages, and hooks kept in modules of their own, loaded with this plugin.
pytest_plugins: list[str] = [
    "fly.fixtures",
    "drills.fixtures",
    "gates.github.reporting",
    "gates.empty_selection",
    "gates.report_masking",
]


GATE_GROUPS = {
    "pre_deploy": "gates that decide whether a release may be deployed",
    "post_deploy": "gates that prove a deployed release is healthy",
    "smoke": "end-to-end smoke test: a plan created through the API is finished by the worker",
    "rollback_drill": "scheduled rehearsals of getting back to the previous release",
}
GATE_MARKERS = {
    "migration_lint": "static migration lint (sqlglot rules)",
    "migration_replay": "migrations applied, re-applied and rolled back on a scratch database",
    "migration_replay_branch": "pending migrations replayed on a copy of the target's data, statement and lock times",
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


# Our packages that hold gate modules (files named gate_*.py); one word per package.
GATE_PACKAGES = ("gates", "migrations_checks", "smoke", "fly", "drills")
GATE_MODULE_PATTERN = "gate_*.py"
OPTION_GROUP = "deploy-gates"
ENV_VARIABLE = "GATES_ENV"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(OPTION_GROUP, "deploy-gates: which environment the gates decide for, and with what")
    group.addoption(
        "--gates-env",
        default=None,
        help=f"environment to gate: local, staging or production (default: ${ENV_VARIABLE}, else the "
        "gates_env ini key, else local)",
    )
    group.addoption(
        "--gates-config",
        default=None,
        type=Path,
        help="path of gates.toml (default: the gates_config ini key, else the nearest gates.toml above the "
        "current folder); write it as --gates-config=PATH so pytest does not take the file for a test path",
    )
    group.addoption(
        "--gates-scratch-database-url",
        default=None,
        help=f"Postgres server the replay gates create scratch databases on (default: ${SCRATCH_URL_ENV}, "
        "else an embedded Postgres); prefer the variable: a URL here shows its password in the process list",
    )
    # Per-repository defaults, as ini keys next to the options (pytest.ini, pyproject.toml, tox.ini).
    parser.addini("gates_env", "environment to gate when neither --gates-env nor $GATES_ENV is given", default="")
    parser.addini("gates_config", "path of gates.toml, relative to the ini file", default="")


def pytest_configure(config: pytest.Config) -> None:
    for name, description in {**GATE_GROUPS, **GATE_MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    if config.args_source != pytest.Config.ArgsSource.ARGS and config_path(config) is not None:
        # No paths on the command line, in a repository with a gates.toml: collect the installed
        # gates, so an application's repository needs no test files of its own. Named paths
        # (`pytest tests`) are collected as given, without the gates.
        config.args = [str(path) for path in installed_gate_modules()]


def installed_gate_modules() -> list[Path]:
    """The gate modules of our packages, wherever they are installed."""
    modules: list[Path] = []
    for package in GATE_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                modules += sorted(Path(folder).glob(GATE_MODULE_PATTERN))
    return modules


def config_path(config: pytest.Config) -> Path | None:
    """The gates.toml to use: --gates-config, the gates_config ini key, or the nearest one found."""
    given: Path | None = config.getoption("--gates-config")
    if given is not None:
        return given
    ini_value = str(config.getini("gates_config"))
    if ini_value:
        return (config.inipath.parent if config.inipath else config.rootpath) / ini_value
    return find_config(Path.cwd())


def config_or_none(config: pytest.Config) -> GatesConfig | None:
    """The gates.toml of the run, or None when it cannot be read: for reporting around the gates,
    which must not fail over it (the `gates_config` fixture fails every gate with the loader's sentence)."""
    try:
        return load_config(config_path(config))
    except ConfigError:
        return None


_LOADED_CONFIG = pytest.StashKey[GatesConfig]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # An xdist controller collects nothing, so it checks a gates.toml it finds before starting workers.
    config = session.config
    if config.getoption("dist", "no") != "no" and not hasattr(config, "workerinput") and config_path(config):
        _load_once(config)


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput") or _LOADED_CONFIG in config.stash:
        return  # the xdist controller has checked the file
    if any("gates_config" in getattr(item, "fixturenames", ()) for item in items):
        _load_once(config)


def _load_once(config: pytest.Config) -> None:
    """Read gates.toml and the chosen environment once, before any selected gate runs: a bad file or
    an unknown environment stops the run with its one sentence, instead of failing every gate."""
    try:
        loaded = load_config(config_path(config))
        loaded.environment(_environment_name(config))
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[_LOADED_CONFIG] = loaded


@pytest.fixture(scope="session")
def gates_config(pytestconfig: pytest.Config) -> GatesConfig:
    """The parsed gates.toml (read once at collection); a bad file fails with the loader's sentence."""
    if _LOADED_CONFIG in pytestconfig.stash:
        return pytestconfig.stash[_LOADED_CONFIG]
    try:
        return load_config(config_path(pytestconfig))
    except ConfigError as error:
        fail(str(error))


@pytest.fixture(scope="session")
def gates_env(pytestconfig: pytest.Config, gates_config: GatesConfig) -> Environment:
    """The environment chosen with `--gates-env`, `GATES_ENV` or the `gates_env` ini key (default `local`)."""
    try:
        return gates_config.environment(_environment_name(pytestconfig))
    except ConfigError as error:
        fail(str(error))


def _environment_name(config: pytest.Config) -> str:
    return config.getoption("--gates-env") or os.environ.get(ENV_VARIABLE) or str(config.getini("gates_env")) or "local"


@pytest.fixture(scope="session")
def scratch_server(pytestconfig: pytest.Config) -> Iterator[ScratchServer]:
    """One scratch Postgres for the whole session (per xdist worker); databases come and go on it."""
    try:
        server = ScratchServer.start(pytestconfig.getoption("--gates-scratch-database-url"))
    except ScratchError as error:
        fail(str(error))
    with server:
        yield server


@pytest.fixture
def scratch_database(scratch_server: ScratchServer) -> Iterator[str]:
    """A fresh, empty database of our own, dropped after the test."""
    url = scratch_server.create_database()
    try:
        yield url
    finally:
        scratch_server.drop_database(url)


@pytest.fixture(scope="session")
def connect_budget(gates_config: GatesConfig) -> ConnectBudget:
    """The session's connect budget (`[migrations] connect_budget_s` per connect), one per session
    (per xdist worker): every gate connects through it, so a server that stays unreachable is waited
    for once, not once per gate."""
    return ConnectBudget(gates_config.migrations.connect_budget_s)
