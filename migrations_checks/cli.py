"""`migrations-checks` and `python -m migrations_checks`: the `gates` command line under its older name."""

from __future__ import annotations

from collections.abc import Sequence

from gates import cli


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, prog="migrations-checks")
