"""`gates init`: write a starter `gates.toml` into the current folder, built from the defaults.

Every setting is written commented out with its default value, so the file loads as the defaults
do and a team uncomments only what differs. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from gates.config import CONFIG_FILE_NAME, ENVIRONMENT_NAMES, GatesConfig, load_config
from gates.usage import UsageError

# Why each setting exists, in the words a starter file should carry.
_MIGRATION_NOTES = {
    "path": "the migrations folder, relative to this file",
    "format": 'needs meta/_journal.json; "plain": .sql files in name order',
    "postgres_version": "the server's major version: syntax a newer one introduced is an error",
    "transactional": "the runner wraps migrations in one transaction (drizzle-orm does)",
    "hot_tables": "busy tables: every locking rule is an error on them",
    "prelude": "SQL run on a scratch database before the migrations (roles, extensions)",
    "lock_timeout": "how long a migration may wait for a lock",
    "statement_timeout": "how long one statement may run",
    "connect_budget_s": "seconds to keep retrying a database that is waking up",
}
_ENVIRONMENT_NOTES = {
    "database_url_env": "the variable holding this environment's database URL",
    "api_url": "the app's API, for the smoke gate",
    "fly_apps": "process name -> Fly app name",
    "neon_branch": "the Neon branch of this environment",
    "vercel_target": "the Vercel target of this environment",
}
_ENVIRONMENT_FLY_NOTES = {
    "config_files": "worker role -> its fly.toml, for fly_config and host_checks",
    "zero_downtime": "two or more machines, rolling deploys, checks, a wait_timeout",
}
_FLY_NOTES = {
    "graceful_shutdown_s": "a worker's drain on SIGTERM; kill_timeout must cover it",
    "memory_floor_mb": "the least memory a worker's [[vm]] may have",
    "health_budget_s": "fly_health's wait; GATES_FLY_HEALTH_BUDGET_S overrides it",
    "required_secrets": "set on each worker app; never in the image or a fly.toml",
    "per_environment_secrets": "hashes must differ between staging and production machines",
}
_HEADER = """\
# deploy-gates configuration, written by `gates init`. Every setting below is commented out and
# shows its default; uncomment and change only what differs for your app. Unknown keys are errors.
# Run the gates with: pytest -m pre_deploy --gates-env local   (or staging, production)
"""


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: it writes into the current folder


def run(args: argparse.Namespace) -> int:
    del args
    target = Path.cwd() / CONFIG_FILE_NAME
    try:
        with target.open("x", encoding="utf-8") as file:  # "x": never overwrite
            file.write(starter_text(load_config(None)))
    except FileExistsError:
        print(f"{target} already exists; nothing was changed")
        return 0
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    print(f"wrote {target}: the default settings, commented; edit it to fit your app")
    return 0


def starter_text(defaults: GatesConfig) -> str:
    """The starter file for the built-in defaults (`load_config(None)`, read in the target folder)."""
    settings = defaults.migrations
    base = Path.cwd()
    values: dict[str, object] = {
        "path": os.path.relpath(settings.path, base),
        "format": settings.format,
        "postgres_version": settings.postgres_version,
        "transactional": settings.transactional,
        "hot_tables": sorted(settings.hot_tables),
        "prelude": None,
        "lock_timeout": settings.lock_timeout,
        "statement_timeout": settings.statement_timeout,
        "connect_budget_s": settings.connect_budget_s,
    }
    lines = [_HEADER, "[migrations]", *_commented(values, _MIGRATION_NOTES)]
    lines += ["", "# [migrations.severity]", '# drop-column = "warning"   # a rule id and the severity you want for it']
    fly = defaults.fly
    fly_values: dict[str, object] = {
        "graceful_shutdown_s": fly.graceful_shutdown_s,
        "memory_floor_mb": fly.memory_floor_mb,
        "health_budget_s": fly.health_budget_s,
        "required_secrets": list(fly.required_secrets),
        "per_environment_secrets": list(fly.per_environment_secrets),
    }
    lines += ["", "[fly]", *_commented(fly_values, _FLY_NOTES)]
    for name in ENVIRONMENT_NAMES:
        environment = defaults.environment(name)
        lines += ["", f"[environments.{name}]"]
        lines += _commented(
            {
                "database_url_env": environment.database_url_env,
                "api_url": environment.api_url,
                "fly_apps": dict(environment.fly_apps),
                "neon_branch": environment.neon_branch,
                "vercel_target": environment.vercel_target,
            },
            _ENVIRONMENT_NOTES,
        )
        files = {role: os.path.relpath(path, base) for role, path in environment.fly.config_files.items()}
        lines += [f"# [environments.{name}.fly]"]
        lines += _commented(
            {"config_files": files, "zero_downtime": environment.fly.zero_downtime}, _ENVIRONMENT_FLY_NOTES
        )
    return "\n".join(lines) + "\n"


def _commented(values: Mapping[str, object], notes: Mapping[str, str]) -> list[str]:
    lines = []
    for key, value in values.items():
        shown = f"# {key} = {_toml(value)}" if value is not None else f"# {key} =   (not set)"
        lines.append(f"{shown.ljust(40)}  # {notes[key]}")
    return lines


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }" if value else "{}"
    return str(value)
