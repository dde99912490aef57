"""Load `gates.toml`: the environments the gates run against and the migration settings.

The file stays short because every key has a default that fits the Atlaris design. Anything the
loader does not know is an error, never ignored: a typo in a gate's configuration must not quietly
turn a gate off. Every error is one sentence naming the key and the file.
"""

from __future__ import annotations

import importlib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from msgspec import Struct, field

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
MIGRATION_FORMATS = ("drizzle", "plain")
ENVIRONMENT_NAMES = ("local", "staging", "production")
CONFIG_FILE_NAME = "gates.toml"
POSTGRES_VERSIONS = range(12, 19)  # the majors whose behaviour the rules know
DEFAULT_CONNECT_BUDGET_S = 30.0  # how long a connection is retried, for computes that scale to zero

# Checks of values read here that only a package above gates/ can judge (a `[migrations.severity]`
# key must be a lint rule's id), run by `load_config` itself so that every gate and every command
# refuses the same file with the same sentence. Named by dotted path, as the plugin names its
# fixture modules and the CLI its commands, so gates/ imports no other package of ours. Each is
# called with the loaded configuration and raises ConfigError.
PACKAGE_CHECKS: tuple[str, ...] = ("migrations_checks.config_check:check_config",)


class ConfigError(Exception):
    """The configuration cannot be used; the message is one sentence naming the key and file."""


# The settings are msgspec Structs, as the lint's records are (see migrations_checks/lint): every
# `gates lint` loads them, and defining a dataclass takes most of a millisecond of its start-up.
class MigrationSettings(Struct, frozen=True):
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
    connect_budget_s: float = DEFAULT_CONNECT_BUDGET_S
    # Where drizzle-orm records applied migrations: drizzle.config's `migrations.schema` and `.table`.
    migrations_schema: str = "drizzle"
    migrations_table: str = "__drizzle_migrations"


FLY_ROLES = ("worker", "regenerator")  # the two worker apps of every environment
FLY_HEALTH_BUDGET_ENV = "GATES_FLY_HEALTH_BUDGET_S"
_FLY_CONFIG_PREFIX = {"staging": "fly/fly.staging", "production": "fly/fly.prod"}


class FlySettings(Struct, frozen=True):
    """Fly settings shared by every environment (`[fly]`)."""

    graceful_shutdown_s: float = 35.0  # the generator's 30 s drain plus its 5 s pool close (contract §3.4)
    memory_floor_mb: int = 256
    health_budget_s: float = 300.0  # `GATES_FLY_HEALTH_BUDGET_S` overrides it
    required_secrets: tuple[str, ...] = ("DATABASE_URL",)
    per_environment_secrets: tuple[str, ...] = ("DATABASE_URL",)  # must differ between staging and production

    @property
    def secret_names(self) -> tuple[str, ...]:
        """Every name gates.toml calls a secret: none may be baked into the image or a fly.toml."""
        return tuple(dict.fromkeys((*self.required_secrets, *self.per_environment_secrets)))


class FlyEnvironment(Struct, frozen=True):
    """One environment's Fly settings (`[environments.NAME.fly]`); paths are relative to gates.toml."""

    config_files: Mapping[str, Path] = field(default_factory=dict)  # role -> fly.toml
    zero_downtime: bool = False  # two or more machines, rolling deploys, checks and a wait_timeout


class BranchReplaySettings(Struct, frozen=True):
    """`[branch_replay]`: budgets and seeding of the replay on a copy of the target's data."""

    hot_table_lock_budget_s: float = 2.0  # a blocking lock on a `[migrations] hot_tables` table
    lock_budget_s: float = 10.0  # a blocking lock on any other table
    batch_budget_s: float = 120.0  # the whole pending batch; the gate cancels it there
    rows_per_table: int = 0  # local copies only: rows added to every table before migrating
    sample_interval_s: float = 0.01  # how often the second session reads pg_locks
    copy_budget_s: float = 300.0  # creating the copy (a Neon branch and its compute)
    report_dir: Path | None = None  # where the JSON and Markdown reports go (none: not written)


class Environment(Struct, frozen=True):
    """One deploy target: where its database, API and platform resources are."""

    name: str
    database_url_env: str
    api_url: str | None = None
    fly_apps: Mapping[str, str] = field(default_factory=dict)
    neon_branch: str | None = None
    vercel_target: str | None = None
    fly: FlyEnvironment = field(default_factory=lambda: FlyEnvironment())

    @property
    def is_local(self) -> bool:
        return self.name == "local"

    @property
    def is_production(self) -> bool:
        return self.name == "production"


class DrillSettings(Struct, frozen=True):
    """`[drills]`: what the rollback drills restore to, what they check, and how long they may take."""

    history_window_hours: float = 6.0  # the Neon plan's history window; 6 h (Free) fits every plan
    point_age_minutes: float = 60.0  # the point in time the Neon drill branches at, before now
    tables_with_rows: tuple[str, ...] = ("users",)
    neon_database: str = "neondb"
    neon_role: str = "neondb_owner"
    branch_prefix: str = "gates-drill-"
    operations_budget_s: float = 300.0
    allow_production_drill: bool = False  # the Vercel drill moves the production alias
    vercel_timeout_s: float = 180.0
    health_path: str = "/"
    health_budget_s: float = 60.0
    fly_smoke: bool = True  # drill_fly smokes each release it deploys; false only where no smoke inputs exist


class GitHubSettings(Struct, frozen=True):
    """Commit-status contexts of the deploys and what production's staging-green check waits for."""

    staging_context: str = "deploy/staging"
    production_context: str = "deploy/production"
    staging_branch: str = "main"
    pending_budget_s: float = 600.0  # how long a pending staging status is waited for
    retry_budget_s: float = 120.0  # per GitHub call: rate-limit waits and 5xx retries
    # Whose pull-request comment `gates review` edits: the login of the token it runs with (the
    # Actions token's app). A comment carrying the same marker from anyone else is left alone.
    review_author: str = "github-actions[bot]"

    def context(self, environment: str) -> str | None:
        """The commit-status context a deploy of `environment` reports under (None: it reports none)."""
        return {"staging": self.staging_context, "production": self.production_context}.get(environment)


class GatesConfig(Struct, frozen=True):
    """The whole configuration; `source` is the file it came from (None: built-in defaults)."""

    source: Path | None
    migrations: MigrationSettings
    environments: Mapping[str, Environment]
    fly: FlySettings = field(default_factory=lambda: FlySettings())
    drills: DrillSettings = DrillSettings()
    branch_replay: BranchReplaySettings = BranchReplaySettings()
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
    """Read `path` (or return the defaults when it is None), validate every key and run the
    packages' checks (PACKAGE_CHECKS) on the result."""
    config = _build(_read(path), path, path.parent) if path is not None else _build({}, None, Path.cwd())
    for name in PACKAGE_CHECKS:
        module, _, function = name.partition(":")
        check: Callable[[GatesConfig], None] = getattr(importlib.import_module(module), function)
        check(config)
    return config


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None


class _Table:
    """A TOML table being validated: every key must be read once, leftovers are unknown keys."""

    def __init__(self, data: Mapping[str, Any], name: str, source: Path | None) -> None:
        self._data = dict(data)
        self._name = name
        self._source = source

    @property
    def source(self) -> Path | None:
        return self._source

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
    fly = _fly(top.take_table("fly"))
    environments_table = top.take_table("environments")
    drills = _drills(top.take_table("drills"))
    branch_replay = _branch_replay(top.take_table("branch_replay"), base)
    github = _github(top.take_table("github"))
    top.finish()

    declared = dict(environments_table.items())
    environments: dict[str, Environment] = {}
    for name in sorted({*ENVIRONMENT_NAMES, *declared}):
        value = declared.get(name, {})
        if not isinstance(value, dict):
            raise environments_table.error(name, f"must be a table, not {value!r}")
        environments[name] = _environment(name, _Table(value, f"environments.{name}", source), base)
    return GatesConfig(
        source=source,
        migrations=migrations,
        environments=environments,
        fly=fly,
        drills=drills,
        branch_replay=branch_replay,
        github=github,
    )


def _drills(table: _Table) -> DrillSettings:
    defaults = DrillSettings()

    def positive(key: str) -> float:
        value = table.take(key, (int, float), getattr(defaults, key))
        if not 0 < value < math.inf:
            raise table.error(key, "must be a positive, finite number")
        return float(value)

    def name(key: str) -> str:
        value = table.take(key, str, getattr(defaults, key))
        if not value.strip():
            raise table.error(key, "must not be empty")
        return str(value)

    tables = table.take("tables_with_rows", list, list(defaults.tables_with_rows))
    if not all(isinstance(item, str) and item.strip() for item in tables):
        raise table.error("tables_with_rows", "must be a list of table names")
    point_age = table.take("point_age_minutes", (int, float), defaults.point_age_minutes)
    if not 0 <= point_age < math.inf:
        raise table.error("point_age_minutes", "must be zero or a positive, finite number of minutes")
    health_path = table.take("health_path", str, defaults.health_path)
    if not health_path.startswith("/"):
        raise table.error("health_path", "must start with /")
    settings = DrillSettings(
        history_window_hours=positive("history_window_hours"),
        point_age_minutes=float(point_age),
        tables_with_rows=tuple(tables),
        neon_database=name("neon_database"),
        neon_role=name("neon_role"),
        branch_prefix=name("branch_prefix"),
        operations_budget_s=positive("operations_budget_s"),
        allow_production_drill=table.take("allow_production_drill", bool, defaults.allow_production_drill),
        fly_smoke=table.take("fly_smoke", bool, defaults.fly_smoke),
        vercel_timeout_s=positive("vercel_timeout_s"),
        health_path=health_path,
        health_budget_s=positive("health_budget_s"),
    )
    if settings.point_age_minutes >= settings.history_window_hours * 60:
        raise table.error("point_age_minutes", "must lie inside history_window_hours")
    table.finish()
    return settings


_GITHUB_NAMES = ("staging_context", "production_context", "staging_branch", "review_author")
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
    connect_budget = table.take("connect_budget_s", (int, float), DEFAULT_CONNECT_BUDGET_S)
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
        migrations_schema=_identifier(table, "migrations_schema", "drizzle"),
        migrations_table=_identifier(table, "migrations_table", "__drizzle_migrations"),
    )
    table.finish()
    return settings


def _identifier(table: _Table, key: str, default: str) -> str:
    name = table.take(key, str, default)
    if not name or "\x00" in name:
        raise table.error(key, "must be a schema or table name as drizzle.config gives it")
    return name


def _branch_replay(table: _Table, base: Path) -> BranchReplaySettings:
    defaults = BranchReplaySettings()

    def seconds(key: str) -> float:
        value = table.take(key, (int, float), getattr(defaults, key))
        if not 0 < value < math.inf:
            raise table.error(key, "must be a positive, finite number of seconds")
        return float(value)

    rows = table.take("rows_per_table", int, defaults.rows_per_table)
    if rows < 0:
        raise table.error("rows_per_table", "must be 0 or more")
    report_dir = table.take("report_dir", str, None)
    settings = BranchReplaySettings(
        hot_table_lock_budget_s=seconds("hot_table_lock_budget_s"),
        lock_budget_s=seconds("lock_budget_s"),
        batch_budget_s=seconds("batch_budget_s"),
        rows_per_table=rows,
        sample_interval_s=seconds("sample_interval_s"),
        copy_budget_s=seconds("copy_budget_s"),
        report_dir=base / report_dir if report_dir else None,
    )
    table.finish()
    return settings


def _environment(name: str, table: _Table, base: Path) -> Environment:
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
        fly=_fly_environment(name, table.take_table("fly"), base),
    )
    table.finish()
    return environment


def _fly(table: _Table) -> FlySettings:
    defaults = FlySettings()
    settings = FlySettings(
        graceful_shutdown_s=_positive(table, "graceful_shutdown_s", defaults.graceful_shutdown_s),
        memory_floor_mb=int(_positive(table, "memory_floor_mb", defaults.memory_floor_mb)),
        health_budget_s=_positive(table, "health_budget_s", defaults.health_budget_s),
        required_secrets=_names(table, "required_secrets", defaults.required_secrets),
        per_environment_secrets=_names(table, "per_environment_secrets", defaults.per_environment_secrets),
    )
    table.finish()
    return settings


def _fly_environment(name: str, table: _Table, base: Path) -> FlyEnvironment:
    prefix = _FLY_CONFIG_PREFIX.get(name)
    default_files = {role: f"{prefix}.{role}.toml" for role in FLY_ROLES} if prefix else {}
    files = table.take("config_files", dict, default_files)
    if not all(role in FLY_ROLES and isinstance(path, str) for role, path in files.items()):
        raise table.error("config_files", f"must map {' and '.join(FLY_ROLES)} to fly.toml paths")
    settings = FlyEnvironment(
        config_files={role: base / path for role, path in files.items()},
        zero_downtime=table.take("zero_downtime", bool, False),
    )
    table.finish()
    return settings


def _positive(table: _Table, key: str, default: float) -> float:
    value = table.take(key, (int, float), default)
    if not 0 < value < math.inf:
        raise table.error(key, "must be a positive, finite number")
    return float(value)


# An environment variable's name; the host checks put these names into shell and awk code.
_SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _names(table: _Table, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    names = table.take(key, list, list(default))
    if not all(isinstance(name, str) and _SECRET_NAME.fullmatch(name) for name in names):
        raise table.error(key, "must be a list of secret names (letters, digits and _, not starting with a digit)")
    return tuple(names)
