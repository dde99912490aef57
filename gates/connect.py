"""Connect to Postgres patiently but within a budget, and never show the password when it fails.

Neon computes scale to zero: the first connection after a quiet spell can be refused or time out
while the compute wakes up. Retrying with backoff rides that out; the budget keeps a database that
is really gone from stalling a deploy. Errors that waiting cannot fix (a refused password, a missing
database, a host name that does not resolve) stop the retries at once. A `ConnectBudget` keeps
what was spent on each server: the plugin's session fixture hands one to every gate, so a database
that stays unreachable costs the budget once and every later gate tries it once instead of waiting
again; a command makes its own.
"""

from __future__ import annotations

import time

import psycopg

from gates.dsn import mask, parse, unusable
from gates.secret import Secret, SecretBoundary

FIRST_DELAY_S = 0.25
MAX_DELAY_S = 4.0
ATTEMPT_TIMEOUT_S = 10
# Server answers that no amount of waiting changes; matched in libpq's message (no SQLSTATE there).
# "invalid" is libpq refusing a malformed option value (`port=x`, `sslmode=bogus`).
# A name that does not resolve: psycopg resolves it itself ("failed to resolve host"), libpq says
# "could not translate host name".
_PERMANENT = (
    "authentication failed",
    "does not exist",
    "no pg_hba.conf entry",
    "invalid",
    "failed to resolve host",
    "could not translate host name",
)

Server = tuple[str, str]  # (host, port), as the connection string names them


class ConnectBudget:
    """Seconds each connect may keep retrying, and what failed connects have spent on each server.

    Connects that share one object share what was spent: a server that stayed unreachable for the
    whole budget is tried once more, not waited for again.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent: dict[Server, float] = {}

    def with_seconds(self, seconds: float) -> ConnectBudget:
        """`seconds` for each connect, drawing on the same record of what each server has cost."""
        budget = ConnectBudget(seconds)
        budget._spent = self._spent
        return budget

    def spent(self, server: Server | None) -> float:
        return self._spent.get(server, 0.0) if server is not None else 0.0

    def charge(self, server: Server | None, seconds: float) -> None:
        """Count a failed connect's time against `server`."""
        if server is not None:
            self._spent[server] = self._spent.get(server, 0.0) + seconds

    def __repr__(self) -> str:
        return f"ConnectBudget({self.seconds:g} s)"


class ConnectError(Exception):
    """No connection within the budget; the message names the masked URL and the last error."""


def connect(conninfo: str, *, budget: ConnectBudget, read_only: bool = False) -> psycopg.Connection:
    """A connection to `conninfo`, retried with backoff for what is left of `budget` for its server.

    A writer gets an autocommit connection and opens its own transactions, as drizzle-orm does. A
    reader (`read_only`) gets one whose every statement runs in a `BEGIN READ ONLY` transaction, so
    a gate that only inspects a database cannot change it even by mistake; psycopg sends that
    per transaction, which also holds through a transaction-mode pooler.
    """
    problem = unusable(conninfo)
    if problem:
        raise ConnectError(problem)
    server = _server(conninfo)
    spent = budget.spent(server)
    started = time.monotonic()
    deadline = started + budget.seconds - spent
    delay = FIRST_DELAY_S
    attempts = 0
    while True:
        attempts += 1
        remaining = deadline - time.monotonic()
        timeout = max(1, min(ATTEMPT_TIMEOUT_S, int(remaining)))
        try:
            with SecretBoundary():
                connection = psycopg.connect(conninfo, autocommit=not read_only, connect_timeout=timeout)
        except psycopg.ProgrammingError:
            raise ConnectError(f"{mask(conninfo)} is not a valid Postgres connection string") from None
        except psycopg.OperationalError as error:
            reason = _scrub(" ".join(str(error).split()), conninfo)
            remaining = deadline - time.monotonic()
            if any(text in reason for text in _PERMANENT) or remaining <= 0:
                budget.charge(server, time.monotonic() - started)
                within = (
                    f"the run's connect budget of {budget.seconds:g} s is spent"
                    if spent >= budget.seconds
                    else f"within {budget.seconds:g} s"
                )
                raise ConnectError(
                    f"cannot connect to {mask(conninfo)} ({attempts} attempt(s) {within}): {reason}"
                ) from None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_DELAY_S)
            continue
        if read_only:
            connection.read_only = True
        return connection


def _server(conninfo: str) -> Server | None:
    """The (host, port) a budget is shared by; None when the string cannot be read."""
    try:
        params = parse(conninfo)
    except psycopg.ProgrammingError:
        return None
    return str(params.get("host") or params.get("hostaddr") or ""), str(params.get("port") or "")


def _scrub(message: str, conninfo: str) -> str:
    """`message` without the password, in case libpq ever echoes part of the connection string."""
    try:
        password = parse(conninfo).get("password")
    except psycopg.ProgrammingError:
        return message
    return message.replace(password.reveal(), "***") if isinstance(password, Secret) and password else message


def refusal(error: psycopg.Error) -> str:
    """One line for an error the server answered with: its message and SQLSTATE. Server messages
    do not carry the connection string, so nothing here needs masking."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"the database refused: {first_line} [SQLSTATE {error.sqlstate or 'unknown'}]"
