"""Load `gates.toml`: the environments the gates run against and the migration settings.

The file stays short because every key has a default that fits the Atlaris design. Anything the
loader does not know is an error, never ignored: a typo in a gate's configuration must not quietly
turn a gate off. Every error is one sentence naming the key and the file.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
MIGRATION_FORMATS = ("drizzle", "plain")
ENVIRONMENT_NAMES = ("local", "staging", "production")
CONFIG_FILE_NAME = "gates.toml"
POSTGRES_VERSIONS = range(12, 19)  # the majors whose behaviour the rules know


class ConfigError(Exception):
    """The configuration cannot be used; the message is one sentence naming the key and file."""


@dataclass(frozen=True)
class MigrationSettings:
    """How migrations are read, linted and replayed."""

    path: Path
    format: str = "drizzle"
    postgres_version: int = 16
    transactional: bool = True
    hot_tables: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    prelude: Path | None = None
    lock_timeout: str = "5s"
    statement_timeout: str = "60s"
    connect_budget_s: float = 30.0


@dataclass(frozen=True)
class Environment:
    """One deploy target: where its database, API and platform resources are."""

    name: str
    database_url_env: str
    api_url: str | None = None
    fly_apps: Mapping[str, str] = field(default_factory=dict)
    neon_branch: str | None = None
    vercel_target: str | None = None

    @property
    def is_local(self) -> bool:
        return self.name == "local"


@dataclass(frozen=True)
class GitHubSettings:
    """Commit-status contexts of the deploys and what production's staging-green check waits for."""

    staging_context: str = "deploy/staging"
    production_context: str = "deploy/production"
    staging_branch: str = "main"
    pending_budget_s: float = 600.0  # how long a pending staging status is waited for
    retry_budget_s: float = 120.0  # per GitHub call: rate-limit waits and 5xx retries

    def context(self, environment: str) -> str | None:
        """The commit-status context a deploy of `environment` reports under (None: it reports none)."""
        return {"staging": self.staging_context, "production": self.production_context}.get(environment)


@dataclass(frozen=True)
class GatesConfig:
    """The whole configuration; `source` is the file it came from (None: built-in defaults)."""

    source: Path | None
    migrations: MigrationSettings
    environments: Mapping[str, Environment]
    github: GitHubSettings = field(default_factory=GitHubSettings)

    def environment(self, name: str) -> Environment:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments))
            raise ConfigError(f"environment {name!r} is not defined in {self._where()}; known: {known}") from None

    def _where(self) -> str:
        return str(self.source) if self.source else "the built-in defaults"


_DEFAULT_DATABASE_URL_ENV = {
    "local": "DATABASE_URL",
    "staging": "DATABASE_URL_STAGING",
    "production": "DATABASE_URL_PROD",
}


# A Postgres time setting: a number of milliseconds, or a number with a unit.
_DURATION = re.compile(r"\d+(\.\d+)?\s*(us|ms|s|min|h|d)?")


def _duration(table: _Table, key: str, default: str) -> str:
    value = table.take(key, str, default)
    if not _DURATION.fullmatch(value.strip()):
        raise table.error(key, 'must be a Postgres duration such as "5s", "500ms" or "1min"')
    return value


def find_config(start: Path) -> Path | None:
    """The nearest `gates.toml` in `start` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None) -> GatesConfig:
    """Read `path` (or return the defaults when it is None) and validate every key."""
    if path is None:
        return _build({}, None, Path.cwd())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    return _build(raw, path, path.parent)


class _Table:
    """A TOML table being validated: every key must be read once, leftovers are unknown keys."""

    def __init__(self, data: Mapping[str, Any], name: str, source: Path | None) -> None:
        self._data = dict(data)
        self._name = name
        self._source = source

    def _key(self, key: str) -> str:
        return f"{self._name}.{key}" if self._name else key

    def error(self, key: str, problem: str) -> ConfigError:
        where = self._source or "the built-in defaults"
        return ConfigError(f"{self._key(key)} in {where} {problem}")

    def take(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self._data:
            return default
        value = self._data.pop(key)
        # bool is an int in Python; a number where a flag is expected is a mistake.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(key, f"must be {_describe(kind)}, not {value!r}")
        if not isinstance(value, kind):
            raise self.error(key, f"must be {_describe(kind)}, not {value!r}")
        return value

    def take_choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.take(key, str, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def take_table(self, key: str) -> _Table:
        return _Table(self.take(key, dict, {}), self._key(key), self._source)

    def items(self) -> list[tuple[str, Any]]:
        taken = list(self._data.items())
        self._data.clear()
        return taken

    def finish(self) -> None:
        if self._data:
            key = sorted(self._data)[0]
            raise self.error(key, "is not a known setting; check its spelling")


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _build(raw: Mapping[str, Any], source: Path | None, base: Path) -> GatesConfig:
    top = _Table(raw, "", source)
    migrations = _migrations(top.take_table("migrations"), base)
    environments_table = top.take_table("environments")
    github = _github(top.take_table("github"))
    top.finish()

    declared = dict(environments_table.items())
    environments: dict[str, Environment] = {}
    for name in sorted({*ENVIRONMENT_NAMES, *declared}):
        value = declared.get(name, {})
        if not isinstance(value, dict):
            raise environments_table.error(name, f"must be a table, not {value!r}")
        environments[name] = _environment(name, _Table(value, f"environments.{name}", source))
    return GatesConfig(source=source, migrations=migrations, environments=environments, github=github)


_GITHUB_NAMES = ("staging_context", "production_context", "staging_branch")
_GITHUB_BUDGETS = ("pending_budget_s", "retry_budget_s")


def _github(table: _Table) -> GitHubSettings:
    defaults = GitHubSettings()
    values: dict[str, Any] = {}
    for key in _GITHUB_NAMES:
        values[key] = table.take(key, str, getattr(defaults, key))
        if not values[key].strip():
            raise table.error(key, "must not be empty")
    for key in _GITHUB_BUDGETS:
        values[key] = float(table.take(key, (int, float), getattr(defaults, key)))
        if not 0 < values[key] < math.inf:  # also refuses nan
            raise table.error(key, "must be a positive, finite number of seconds")
    table.finish()
    return GitHubSettings(**values)


def _migrations(table: _Table, base: Path) -> MigrationSettings:
    path = base / table.take("path", str, "migrations")
    prelude = table.take("prelude", str, None)
    hot_tables = table.take("hot_tables", list, [])
    if not all(isinstance(name, str) and name.strip() for name in hot_tables):
        raise table.error("hot_tables", "must be a list of table names")
    severity_table = table.take_table("severity")
    severity: dict[str, Severity] = {}
    for rule_id, value in severity_table.items():
        if value not in SEVERITIES:
            raise severity_table.error(rule_id, f"must be one of {', '.join(SEVERITIES)}")
        severity[rule_id] = value
    postgres_version = table.take("postgres_version", int, 16)
    if postgres_version not in POSTGRES_VERSIONS:
        raise table.error(
            "postgres_version",
            f"must be a major version from {POSTGRES_VERSIONS.start} to {POSTGRES_VERSIONS.stop - 1}, "
            f"not {postgres_version}",
        )
    connect_budget = table.take("connect_budget_s", (int, float), 30.0)
    if not 0 < connect_budget < math.inf:  # also refuses nan, which compares false to everything
        raise table.error("connect_budget_s", "must be a positive, finite number of seconds")
    settings = MigrationSettings(
        path=path,
        format=table.take_choice("format", MIGRATION_FORMATS, "drizzle"),
        postgres_version=postgres_version,
        transactional=table.take("transactional", bool, True),
        hot_tables=frozenset(hot_tables),  # parsed as SQL names by the linter
        severity=severity,
        prelude=base / prelude if prelude else None,
        lock_timeout=_duration(table, "lock_timeout", "5s"),
        statement_timeout=_duration(table, "statement_timeout", "60s"),
        connect_budget_s=float(connect_budget),
    )
    table.finish()
    return settings


def _environment(name: str, table: _Table) -> Environment:
    fly_apps = table.take("fly_apps", dict, {})
    if not all(isinstance(value, str) for value in fly_apps.values()):
        raise table.error("fly_apps", "must map process names to Fly app names")
    environment = Environment(
        name=name,
        database_url_env=table.take("database_url_env", str, _DEFAULT_DATABASE_URL_ENV.get(name, "DATABASE_URL")),
        api_url=table.take("api_url", str, None),
        fly_apps=fly_apps,
        neon_branch=table.take("neon_branch", str, None),
        vercel_target=table.take("vercel_target", str, None),
    )
    table.finish()
    return environment
