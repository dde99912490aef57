"""`python -m migrations_checks` / `migrations-checks`: lint, apply and inspect migrations.

Each subcommand lives in `migrations_checks/commands/<name>.py` and exposes `configure(parser)` and
`run(args) -> int`; only the chosen one is imported, so `lint` never loads the database driver.
Exit codes are shared: 0 clean, 1 findings, 2 a usage or input error, reported as one line on
stderr without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from gates.config import ConfigError
from migrations_checks.lint.reader import InputError

COMMANDS = {
    "lint": "lint migration files for deploy hazards (no database needed)",
    "migrate": "apply pending Drizzle migrations in one transaction, as drizzle-orm does",
    "status": "show whether each migration is applied, pending, edited or skipped on a database (read-only)",
    "rules": "print the rule catalogue as Markdown",
}
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on usage errors too; keep its one-line message, drop the usage dump.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (given the command on the command line) one that configures only it."""
    parser = _Parser(prog="migrations-checks", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, summary in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        if chosen in (None, name):
            module = importlib.import_module(f"migrations_checks.commands.{name}")
            module.configure(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    chosen = arguments[0] if arguments and arguments[0] in COMMANDS else None
    args = build_parser(chosen).parse_args(arguments)
    try:
        return int(args.run(args))
    except (InputError, ConfigError) as error:
        print(f"migrations-checks: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("migrations-checks: interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # the report could not be written: a full disk, a closed pipe
        print(f"migrations-checks: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
