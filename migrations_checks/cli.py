"""`python -m migrations_checks` / `migrations-checks`: lint, apply and inspect migrations.

Each subcommand lives in `migrations_checks/commands/<name>.py` and exposes `HELP`,
`configure(parser)` and `run(args) -> int`. Exit codes are shared: 0 clean, 1 findings, 2 a usage
or input error, reported as one line on stderr without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from gates.config import ConfigError
from migrations_checks.reader import InputError

COMMANDS = ("lint", "migrate", "status", "rules")
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on usage errors too; keep its one-line message, drop the usage dump.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="migrations-checks", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"migrations_checks.commands.{name}")
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (InputError, ConfigError) as error:
        print(f"migrations-checks: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("migrations-checks: interrupted", file=sys.stderr)
        return 130
