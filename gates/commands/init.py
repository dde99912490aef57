"""`gates init`: write a starter `gates.toml` into the current folder, built from the defaults.

Every setting is written commented out with its default value, so the file loads as the defaults
do and a team uncomments only what differs. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Set
from pathlib import Path

from msgspec import Struct

from gates.config import CONFIG_FILE_NAME, ENVIRONMENT_NAMES, GatesConfig, load_config
from gates.usage import UsageError

# Why each setting exists, in the words a starter file should carry; every field of a section has
# one, so a setting added to gates.config without a note here fails `gates init` and its tests.
_MIGRATION_NOTES = {
    "path": "the migrations folder, relative to this file",
    "format": '"drizzle" needs meta/_journal.json; "plain": .sql files in name order',
    "postgres_version": "the server's major version: syntax a newer one introduced is an error",
    "transactional": "the runner wraps migrations in one transaction (drizzle-orm does)",
    "hot_tables": "busy tables: every locking rule is an error on them",
    "prelude": "SQL run on a scratch database before the migrations (roles, extensions)",
    "lock_timeout": "how long a migration may wait for a lock",
    "statement_timeout": "how long one statement may run",
    "connect_budget_s": "seconds to keep retrying a database that is waking up",
    "migrations_schema": "drizzle.config's migrations.schema: where applied migrations are recorded",
    "migrations_table": "drizzle.config's migrations.table",
}
_BRANCH_REPLAY_NOTES = {
    "hot_table_lock_budget_s": "longest blocking lock on a hot table, in seconds",
    "lock_budget_s": "longest blocking lock on any other table, in seconds",
    "batch_budget_s": "the whole pending batch; the gate cancels it there",
    "rows_per_table": "local copies only: rows added to every table first",
    "sample_interval_s": "how often pg_locks is read while migrating",
    "copy_budget_s": "creating the copy (a Neon branch and its compute)",
    "report_dir": "where the JSON and Markdown reports go",
}
_FLY_NOTES = {
    "graceful_shutdown_s": "a worker's drain on SIGTERM; kill_timeout must cover it",
    "memory_floor_mb": "the least memory a worker's [[vm]] may have",
    "health_budget_s": "fly_health's wait; GATES_FLY_HEALTH_BUDGET_S overrides it",
    "required_secrets": "set on each worker app; never in the image or a fly.toml",
    "per_environment_secrets": "hashes must differ between staging and production machines",
}
_DRILL_NOTES = {
    "history_window_hours": "the Neon plan's history window",
    "point_age_minutes": "drill_neon branches at this point before now",
    "tables_with_rows": "tables the restored branch must hold rows in",
    "neon_database": "the database drill_neon connects to",
    "neon_role": "the role drill_neon connects as",
    "branch_prefix": "the names of the branches the drill creates",
    "operations_budget_s": "how long Neon operations may take",
    "allow_production_drill": "drill_vercel may move the production alias",
    "vercel_timeout_s": "how long one vercel command may take",
    "health_path": "the app's path drill_vercel checks after each move",
    "health_budget_s": "how long that check may wait",
    "fly_smoke": "drill_fly smokes each release it deploys",
}
_GITHUB_NOTES = {
    "staging_context": "the commit status a staging deploy reports",
    "production_context": "the commit status a production deploy reports",
    "staging_branch": "the branch staging deploys from",
    "pending_budget_s": "how long staging_green waits on a pending status",
    "retry_budget_s": "per GitHub call: rate-limit waits and retries",
    "review_author": "whose pull-request comment `gates review` edits",
}
_ENVIRONMENT_NOTES = {
    "database_url_env": "the variable holding this environment's database URL",
    "api_url": "the app's API, for the smoke gate",
    "fly_apps": "process name -> Fly app name",
    "neon_branch": "the Neon branch of this environment",
    "vercel_target": "the Vercel target of this environment",
}
_FLY_ENVIRONMENT_NOTES = {
    "config_files": "worker and regenerator fly.toml files",
    "zero_downtime": "two or more machines, rolling deploys, checks",
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
    lines = [_HEADER]
    lines += _section("migrations", defaults.migrations, _MIGRATION_NOTES, skip={"severity"})
    lines += ["# [migrations.severity]", '# drop-column = "warning"   # a rule id and the severity you want for it', ""]
    lines += _section("branch_replay", defaults.branch_replay, _BRANCH_REPLAY_NOTES)
    lines += _section("fly", defaults.fly, _FLY_NOTES)
    lines += _section("drills", defaults.drills, _DRILL_NOTES)
    lines += _section("github", defaults.github, _GITHUB_NOTES)
    for name in ENVIRONMENT_NAMES:
        environment = defaults.environment(name)
        lines += _section(f"environments.{name}", environment, _ENVIRONMENT_NOTES, skip={"name", "fly"})
        lines += _section(f"environments.{name}.fly", environment.fly, _FLY_ENVIRONMENT_NOTES)
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(name: str, settings: Struct, notes: Mapping[str, str], skip: Set[str] = frozenset()) -> list[str]:
    """`[name]` and each field of the settings record, commented out at its default value."""
    lines = [f"[{name}]"]
    for setting in settings.__struct_fields__:
        if setting not in skip:
            value = _plain(getattr(settings, setting))
            shown = f"# {setting} = {_toml(value)}" if value is not None else f"# {setting} =   (not set)"
            lines.append(f"{shown.ljust(40)}  # {notes[setting]}")
    return [*lines, ""]


def _plain(value: object) -> object:
    """A setting's value as gates.toml writes it: paths relative to the file, lists for sets and tuples."""
    if isinstance(value, Path):
        return Path(os.path.relpath(value, Path.cwd())).as_posix()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


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
