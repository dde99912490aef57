"""`migrations-checks` and `python -m migrations_checks`: the `gates` command line under its older name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from gates import cli

PROG = "migrations-checks"


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, prog=PROG)


def run_and_exit() -> NoReturn:
    cli.run_and_exit(prog=PROG)
