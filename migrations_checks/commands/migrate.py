"""`migrate`: apply pending migrations exactly as drizzle-orm's migrator (and `pnpm db:migrate`) does.

In the `local` environment (`GATES_ENV` unset or `local`) each migrate also records the database's
point in time on its server (`gates.local_neon`), which the local drill_neon branches from.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

import psycopg

from gates.config import find_config, load_config
from gates.connect import ConnectBudget, ConnectError
from gates.dsn import Dsn, mask
from gates.local_neon import LocalNeon
from gates.servers import on_this_machine
from migrations_checks.commands import database_options
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.prelude import missing_platform_role_hint, run_prelude
from migrations_checks.db.run_sql import StatementError
from migrations_checks.lint.reader import InputError


def configure(parser: argparse.ArgumentParser) -> None:
    database_options.add_arguments(parser)
    parser.add_argument(
        "--lock-timeout",
        default=None,
        metavar="DURATION",
        help="give up on a lock after this long, e.g. 5s (default: lock_timeout, 5s)",
    )
    parser.add_argument(
        "--statement-timeout",
        default=None,
        metavar="DURATION",
        help="give up on a statement after this long (default: statement_timeout, 60s)",
    )
    parser.add_argument(
        "--prelude",
        action="store_true",
        help="run [migrations] prelude first (a plain Postgres lacks the roles hosted Postgres creates)",
    )


def run(args: argparse.Namespace) -> int:
    settings = database_options.settings(args, lock_timeout=args.lock_timeout, statement_timeout=args.statement_timeout)
    url = database_options.database_url(args)
    migrations = database_options.migration_set(args, settings)
    if args.prelude and settings.prelude is None:
        raise InputError("--prelude needs [migrations] prelude in gates.toml: the SQL file to run first")
    budget = ConnectBudget(settings.connect_budget_s)  # this command's own: one run, one budget per server
    try:
        if args.prelude:
            run_prelude(url, settings, connect_budget=budget)
        result = apply_pending(
            url,
            migrations,
            lock_timeout=settings.lock_timeout,
            statement_timeout=settings.statement_timeout,
            connect_budget=budget,
        )
    except StatementError as error:
        print(
            f"{args.prog}: migrate failed and applied nothing (pending migrations share one "
            f"transaction): {error}{missing_platform_role_hint(error, settings)}",
            file=sys.stderr,
        )
        return 1
    except (ConnectError, psycopg.Error) as error:
        return database_options.database_failed(args, error)
    where = mask(url)
    if result.applied:
        tags = ", ".join(migration.tag for migration in result.applied)
        print(f"applied {len(result.applied)} migration(s) to {where}: {tags}")
    else:
        print(
            f"nothing to apply on {where}: no journal entry is newer than the newest applied migration "
            f"(created_at {result.newest_before}); `status` shows edited or skipped ones"
        )
    # Points are template copies: made only on a server of this machine, never near staging or production.
    if os.environ.get("GATES_ENV", "local") == "local" and on_this_machine(url):
        print(_record_point(args, url, budget), file=sys.stderr)
    return 0


def _record_point(args: argparse.Namespace, url: Dsn, budget: ConnectBudget) -> str:
    window = load_config(args.config or find_config(Path.cwd())).drills.history_window_hours
    local = LocalNeon(url, connect_budget=budget)
    return local.record_after_migrate(url, history_window=timedelta(hours=window))
