"""`status`: each migration's state on a database (applied, pending, edited, skipped), read-only.

Exit 1 when any migration is `edited` (changed after it was applied) or `skipped` (drizzle-orm
will never apply it), else 0; 2 on usage or connection errors.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import psycopg

from gates.connect import ConnectBudget, ConnectError
from gates.dsn import mask
from migrations_checks.commands import database_options
from migrations_checks.db.status import EDITED_RULE, STATES, DatabaseStatus, describe, read_status


def configure(parser: argparse.ArgumentParser) -> None:
    database_options.add_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    settings = database_options.settings(args)
    url = database_options.database_url(args)
    migrations = database_options.migration_set(args, settings)
    try:
        status = read_status(url, migrations, connect_budget=ConnectBudget(settings.connect_budget_s))
    except (ConnectError, psycopg.Error) as error:
        return database_options.database_failed(args, error)
    where = mask(url)
    print(_json(status, where) if args.format == "json" else _text(status, where))
    return 1 if status.has_drift else 0


def _text(status: DatabaseStatus, where: str) -> str:
    width = max((len(item.tag) for item in status.migrations), default=0)
    lines = []
    for item in status.migrations:
        line = f"{item.state:<8} {item.tag:<{width}}  {item.hash[:12]}"
        if item.state in ("edited", "skipped"):
            line += f"  {describe(item, status.newest_applied)}"
        lines.append(line)
    counts = Counter(item.state for item in status.migrations)
    summary = ", ".join(f"{counts[state]} {state}" for state in STATES)
    lines.append(f"{where}: {len(status.migrations)} migration(s): {summary}")
    return "\n".join(lines)


def _json(status: DatabaseStatus, where: str) -> str:
    migrations = []
    for item in status.migrations:
        entry: dict[str, object] = {
            "tag": item.tag,
            "state": item.state,
            "hash": item.hash,
            "recorded_hash": item.recorded_hash,
            "when": item.migration.when,
        }
        if item.state == "edited":
            entry["rule"] = EDITED_RULE
        migrations.append(entry)
    return json.dumps({"database": where, "newest_applied": status.newest_applied, "migrations": migrations}, indent=2)
