"""Connect to Postgres patiently but within a budget, and never show the password when it fails.

Neon computes scale to zero: the first connection after a quiet spell can be refused or time out
while the compute wakes up. Retrying with backoff rides that out; the budget keeps a database that
is really gone from stalling a deploy. Errors that waiting cannot fix (a refused password, a missing
database, a host name that does not resolve) stop the retries at once. Inside
`shared_connect_budget()` (a whole pytest session) the budget is shared per server: a database that
stays unreachable costs it once, and every later gate tries it once instead of waiting again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from gates.dsn import mask, parse, unusable
from gates.secret import SecretBoundary

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

# Seconds of retrying already spent on each server (host, port) in the current shared budget;
# None outside `shared_connect_budget()`, where every call has a budget of its own.
_spent_s: dict[tuple[str, str], float] | None = None


@contextmanager
def shared_connect_budget() -> Iterator[None]:
    """Within this block, the retries of every `connect` to one server draw on one budget."""
    global _spent_s
    outer, _spent_s = _spent_s, {}
    try:
        yield
    finally:
        _spent_s = outer


class ConnectError(Exception):
    """No connection within the budget; the message names the masked URL and the last error."""


def connect(conninfo: str, *, budget_s: float, read_only: bool = False) -> psycopg.Connection:
    """A connection to `conninfo`, retried with backoff for up to `budget_s` seconds.

    A writer gets an autocommit connection and opens its own transactions, as drizzle-orm does. A
    reader (`read_only`) gets one whose every statement runs in a `BEGIN READ ONLY` transaction, so
    a gate that only inspects a database cannot change it even by mistake; psycopg sends that
    per transaction, which also holds through a transaction-mode pooler.
    """
    problem = unusable(conninfo)
    if problem:
        raise ConnectError(problem)
    server = _server(conninfo)
    spent = _spent_s.get(server, 0.0) if _spent_s is not None and server else 0.0
    started = time.monotonic()
    deadline = started + budget_s - spent
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
                _charge(server, time.monotonic() - started)
                within = (
                    f"the run's connect budget of {budget_s:g} s is spent"
                    if spent >= budget_s
                    else f"within {budget_s:g} s"
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


def _server(conninfo: str) -> tuple[str, str] | None:
    """The (host, port) a budget is shared by; None when the string cannot be read."""
    try:
        params = parse(conninfo)
    except psycopg.ProgrammingError:
        return None
    return str(params.get("host") or params.get("hostaddr") or ""), str(params.get("port") or "")


def _charge(server: tuple[str, str] | None, seconds: float) -> None:
    """Count a failed connect's time against the shared budget of its server."""
    if _spent_s is not None and server is not None:
        _spent_s[server] = _spent_s.get(server, 0.0) + seconds


def _scrub(message: str, conninfo: str) -> str:
    """`message` without the password, in case libpq ever echoes part of the connection string."""
    try:
        password = parse(conninfo).get("password")
    except psycopg.ProgrammingError:
        return message
    return message.replace(str(password), "***") if password else message


def refusal(error: psycopg.Error) -> str:
    """One line for an error the server answered with: its message and SQLSTATE. Server messages
    do not carry the connection string, so nothing here needs masking."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"the database refused: {first_line} [SQLSTATE {error.sqlstate or 'unknown'}]"
