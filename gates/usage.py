"""What every `gates` subcommand shares about usage errors: one line on stderr and exit code 2."""

from __future__ import annotations

EXIT_USAGE = 2


class UsageError(Exception):
    """Input the user can correct (a path that cannot be read, a file in the way); the command line
    reports the message as one line, without a traceback, and exits with EXIT_USAGE."""
