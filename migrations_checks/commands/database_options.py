"""Options shared by the subcommands that talk to a database (`migrate`, `status`).

Defaults come from gates.toml (`[migrations] path`, `lock_timeout`, `statement_timeout`,
`connect_budget_s`) so the command line and the gates behave the same; flags override them.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import psycopg
from msgspec.structs import replace

from gates.config import MigrationSettings, find_config, load_config
from gates.connect import ConnectError, refusal
from gates.dsn import Dsn
from gates.usage import EXIT_USAGE
from migrations_checks.lint.reader import InputError, MigrationSet, read_configured, read_folder, tracked_as


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="Drizzle migrations folder (default: [migrations] path in gates.toml)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=os.environ.get("DATABASE_URL"),
        help="Postgres connection string of the database (default: $DATABASE_URL, which keeps "
        "the password out of the process list)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="gates.toml with the defaults (default: the nearest above the current folder)",
    )
    parser.add_argument(
        "--connect-budget",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="keep retrying the connection this long, for computes that scale to zero (default: connect_budget_s, 30)",
    )


def settings(args: argparse.Namespace, **overrides: object) -> MigrationSettings:
    """The `[migrations]` settings with the flags given on the command line applied on top."""
    config = load_config(args.config or find_config(Path.cwd()))
    given = {"connect_budget_s": args.connect_budget, **overrides}
    return replace(config.migrations, **{k: v for k, v in given.items() if v is not None})


def migration_set(args: argparse.Namespace, migration_settings: MigrationSettings) -> MigrationSet:
    """The Drizzle folder named on the command line, or the configured one."""
    if args.path is None:
        return read_configured(migration_settings)
    if not args.path.is_dir():
        raise InputError(f"{args.path} is not a folder of migrations")
    return tracked_as(read_folder(args.path), migration_settings)


def database_failed(args: argparse.Namespace, error: ConnectError | psycopg.Error) -> int:
    """Report a database that could not be reached, or refused what was asked (a lock wait that
    timed out, a missing privilege), in one line; ConnectError messages are already masked."""
    message = str(error) if isinstance(error, ConnectError) else refusal(error)
    print(f"{args.prog}: {message}", file=sys.stderr)
    return EXIT_USAGE


def database_url(args: argparse.Namespace) -> Dsn:
    """The database to work on; with neither flag nor variable there is nothing to guess."""
    if not args.database_url:
        raise InputError("no database: pass --database-url URL or set DATABASE_URL")
    return Dsn(args.database_url)


def _seconds(text: str) -> float:
    """A positive, finite number of seconds, for argparse."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value
