"""`gates`: the deploy-gates command line; `gates --help` lists the subcommands.

Each subcommand is a module with `configure(parser)` and `run(args) -> int`, registered with one
line in COMMANDS. Exit codes are shared: 0 clean, 1 findings, 2 a usage or input error, reported
as one line on stderr without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NamedTuple, NoReturn

from gates.config import ConfigError
from gates.usage import EXIT_USAGE, UsageError


class Command(NamedTuple):
    module: str  # dotted path of the module with configure(parser) and run(args)
    summary: str
    # Leaves nothing to clean up when it returns (no temporary files, servers or threads), so the
    # process may end without freeing what the command built; see `run_and_exit`.
    quick_exit: bool = False


# Only the chosen command's module is imported, for speed: `gates lint` then never loads the
# database driver or another command's dependencies (see the README's lint figures).
COMMANDS: dict[str, Command] = {
    "init": Command("gates.commands.init", "write a starter, commented gates.toml into the current folder"),
    "lint": Command(
        "migrations_checks.commands.lint",
        "lint migration files for deploy hazards (no database needed)",
        quick_exit=True,
    ),
    "migrate": Command(
        "migrations_checks.commands.migrate", "apply pending Drizzle migrations in one transaction, as drizzle-orm does"
    ),
    "status": Command(
        "migrations_checks.commands.status",
        "show whether each migration is applied, pending, edited or skipped on a database (read-only)",
    ),
    "review": Command(
        "migrations_checks.commands.review",
        "lint the migrations a pull request changes and report them on it (comment, annotations, SARIF)",
    ),
    "rules": Command("migrations_checks.commands.rules", "print the rule catalogue as Markdown"),
    "drill": Command("drills.cli", "run the rollback drills of an environment and report recovery times"),
    "rehearse": Command("rehearse.cli", "run the whole deploy pipeline end to end on this machine, with no account"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 on usage errors too; keep its one-line message, drop the usage dump.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(prog: str = "gates", chosen: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (given the command on the command line) one that configures only it."""
    parser = _Parser(prog=prog, description=__doc__.splitlines()[0])
    parser.set_defaults(prog=prog)  # commands' own messages name the command the user typed
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.summary, description=command.summary)
        if chosen in (None, name):
            module = importlib.import_module(command.module)
            module.configure(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "gates") -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(prog, _chosen(arguments)).parse_args(arguments)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a report that cannot be written fails here, with the message below
        return code
    except (UsageError, ConfigError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # the report could not be written: a full disk, a closed pipe
        print(f"{prog}: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE


def run_and_exit(prog: str = "gates") -> NoReturn:
    """The console script: `main`, then exit with its code. After a `quick_exit` command the
    interpreter is not torn down (as mypy does): freeing every object a lint built took about a
    tenth of a warm `gates lint` of 1,000 migrations."""
    code = main(prog=prog)
    try:
        sys.stdout.flush()
    except OSError:
        # `main` has said the report could not be written. Drop what is left of it: exiting would
        # try to write it again, and end with Python's own message and exit code.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    chosen = _chosen(sys.argv[1:])
    if chosen is not None and COMMANDS[chosen].quick_exit:
        with contextlib.suppress(OSError):
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _chosen(arguments: Sequence[str]) -> str | None:
    """The command named on the command line, if any."""
    return arguments[0] if arguments and arguments[0] in COMMANDS else None
