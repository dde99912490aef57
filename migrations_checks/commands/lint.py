"""`migrations-checks lint`: check migration files for deploy hazards, without a database.

Settings come from the nearest `gates.toml` (or `--config`), so a developer's terminal, the
pre-commit hook and CI judge a migration by the same rules; the command-line options override the
few settings that differ between runners. The exit code is the gate: 1 when a finding at or above
`--fail-on` remains. The deploy gate passes `--fail-on warning`, because the catalogue lets a
warning through only once it is acknowledged with a suppression.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gates.config import POSTGRES_VERSIONS, find_config, load_config
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_sets
from migrations_checks.lint.reader import read_configured, read_migrations
from migrations_checks.lint.report import FORMATS, render


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="migration files or folders (default: the migrations folder named in gates.toml)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--no-transaction",
        action="store_true",
        help="the runner does not wrap migrations in a transaction (Drizzle does)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="gates.toml to use (default: the nearest one above the current folder, else built-in defaults)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity that fails the run (default: error; the deploy gate uses warning)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file afresh, neither using nor updating .gates_cache/ beside gates.toml",
    )
    parser.add_argument(
        "--postgres-version",
        type=_postgres_version,
        metavar="N",
        help="major version of the target server (default: from gates.toml, else 16)",
    )


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config if args.config is not None else find_config(Path.cwd()))
    settings = config.migrations
    overrides: dict[str, object] = {}
    if args.no_transaction:
        overrides["transactional"] = False
    if args.postgres_version is not None:
        overrides["postgres_version"] = args.postgres_version
    if args.no_cache:
        overrides["cache"] = None
    options = LintOptions.from_config(config, **overrides)
    # Without a gates.toml the default settings name no folder of the project's own.
    configured = settings if config.source is not None else None
    sets = read_migrations(args.paths, configured) if args.paths else [read_configured(settings)]
    result = lint_sets(sets, options)
    sys.stdout.write(render(result, args.format))
    return 1 if result.blocking(args.fail_on) else 0


def _postgres_version(text: str) -> int:
    try:
        version = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Postgres major version") from None
    if version not in POSTGRES_VERSIONS:
        raise argparse.ArgumentTypeError(
            f"{version} is not a supported Postgres major version "
            f"({POSTGRES_VERSIONS.start} to {POSTGRES_VERSIONS.stop - 1})"
        )
    return version
