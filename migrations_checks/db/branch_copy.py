"""Copies of a target database to replay migrations on: the provider interface and the local one.

A copy holds the target's schema and data at the moment it is made; the branch replay migrates it
and deletes it. Copies are named `gates_copy_<unix seconds>_<run id>`, so a sweep at the start of
every run finds this suite's copies by prefix alone, tells their age from the name, and deletes
those older than an hour that a killed run left behind, never a copy of a run still going.

`LocalTemplateCopies` copies a database of a local server with `CREATE DATABASE ... TEMPLATE`;
the Neon provider (a branch with its own compute) lives in `branch_copy_neon`. Neither writes to the
target: a template copy only reads it, and a Neon branch is made by Neon from the parent's history.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import psycopg
from psycopg import sql

from gates.connect import ConnectBudget, connect
from gates.dsn import Dsn, database_name, mask, with_database
from gates.servers import same_database

COPY_PREFIX = "gates_copy_"
STALE_AFTER_S = 3600.0
_NAME = re.compile(rf"{COPY_PREFIX}(\d+)_([a-z0-9]+)")
_BUSY_SOURCE = "55006"  # object_in_use: the template database has other sessions
_BUSY_RETRY_S = 0.2


class CopyError(Exception):
    """A copy could not be made, deleted or listed; one sentence, passwords masked."""


@dataclass(frozen=True)
class DatabaseCopy:
    """A copy of the target: its provider's id (a Neon branch id, a database name), name and URL."""

    id: str
    name: str
    url: Dsn
    created_at: float  # unix seconds


class CopyProvider(Protocol):
    """Makes and removes copies of one target database."""

    @property
    def description(self) -> str:
        """What is copied, for messages and the report (`the Neon branch staging (br-...)`)."""

    def create(self, name: str) -> DatabaseCopy: ...

    def delete(self, copy: DatabaseCopy) -> None: ...

    def sweep(self, *, now: float, older_than_s: float = STALE_AFTER_S) -> list[str]:
        """Delete this suite's copies (named by `copy_name`) older than `older_than_s`; their names."""


def new_run_id(environ: Mapping[str, str]) -> str:
    """The workflow run (`GITHUB_RUN_ID`, attempt appended) when there is one, else random hex."""
    run = re.sub(r"[^a-z0-9]", "", environ.get("GITHUB_RUN_ID", "").lower())
    attempt = re.sub(r"[^0-9]", "", environ.get("GITHUB_RUN_ATTEMPT", ""))
    return f"{run}a{attempt or 1}" if run else secrets.token_hex(4)


def copy_name(run_id: str, now: float) -> str:
    return f"{COPY_PREFIX}{int(now)}_{run_id}"


def copy_created_at(name: str) -> float | None:
    """The creation time a copy's name records; None for a name this suite did not give."""
    match = _NAME.fullmatch(name)
    return float(match.group(1)) if match else None


def is_stale(name: str, *, now: float, older_than_s: float) -> bool:
    created = copy_created_at(name)
    return created is not None and now - created > older_than_s


class LocalTemplateCopies:
    """Copies of a database on a local Postgres, made with `CREATE DATABASE ... TEMPLATE` on its server."""

    def __init__(self, target_url: str, *, connect_budget: ConnectBudget, maintenance_db: str = "postgres") -> None:
        source = database_name(target_url)
        if not source:
            raise CopyError(f"{mask(target_url)} names no database to copy")
        self._target = Dsn(target_url)
        self._source = source
        self._admin = with_database(target_url, maintenance_db)
        self._budget = connect_budget

    @property
    def description(self) -> str:
        return f"the local database {self._source} ({mask(self._target)})"

    def create(self, name: str) -> DatabaseCopy:
        """Copy the target; a template needs it to have no other sessions, so wait for them a while."""
        if not name.startswith(COPY_PREFIX):
            raise CopyError(f"refusing to create {name!r}: copies are named {COPY_PREFIX}...")
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(self._source))
        deadline = time.monotonic() + self._budget.seconds
        with connect(self._admin, budget=self._budget) as connection:
            while True:
                try:
                    connection.execute(statement)
                    break
                except psycopg.Error as error:
                    if error.sqlstate != _BUSY_SOURCE or time.monotonic() > deadline:
                        raise CopyError(self._refused("copy", error)) from None
                    time.sleep(_BUSY_RETRY_S)
        url = with_database(self._target, name)
        if same_database(url, self._target):
            raise CopyError(f"the copy {mask(url)} resolves to the target itself; refusing to migrate it")
        return DatabaseCopy(id=name, name=name, url=url, created_at=time.time())

    def delete(self, copy: DatabaseCopy) -> None:
        self._drop(copy.name)

    def sweep(self, *, now: float, older_than_s: float = STALE_AFTER_S) -> list[str]:
        with connect(self._admin, budget=self._budget) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY datname", (COPY_PREFIX,)
                )
            ]
        stale = [name for name in names if is_stale(name, now=now, older_than_s=older_than_s)]
        for name in stale:
            self._drop(name)
        return stale

    def _drop(self, name: str) -> None:
        if copy_created_at(name) is None or name == self._source:
            raise CopyError(f"refusing to drop {name!r}: it is not a copy this suite made")
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with connect(self._admin, budget=self._budget) as connection:
            try:
                connection.execute(statement)
            except psycopg.Error as error:
                raise CopyError(self._refused(f"delete the copy {name}", error)) from None

    def _refused(self, action: str, error: psycopg.Error) -> str:
        reason = error.diag.message_primary or type(error).__name__
        hint = (
            "; close the other sessions on it (stop the local app) and run again"
            if error.sqlstate == _BUSY_SOURCE
            else ""
        )
        return f"cannot {action} {self.description}: {reason} [SQLSTATE {error.sqlstate}]{hint}"
