"""A Postgres server on which gates create throwaway databases.

`GATES_SCRATCH_DATABASE_URL` names one (a CI service container, a Neon `test` branch); otherwise an
embedded Postgres 16 is started from the `pgserver` wheel, so a machine with only Python can run
every database gate. One server serves a whole test session; each replay gets a fresh database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import psycopg
from psycopg import sql

from gates.config import DEFAULT_CONNECT_BUDGET_S
from gates.connect import ConnectBudget, connect
from gates.dsn import Dsn, database_name, mask, with_database

if TYPE_CHECKING:
    from pgserver import PostgresServer

SCRATCH_URL_ENV = "GATES_SCRATCH_DATABASE_URL"
SCRATCH_PREFIX = "gates_scratch_"


class ScratchError(Exception):
    """The scratch server did not start, or refused to create or drop a database; one sentence, password masked."""


class EmbeddedStartError(ScratchError):
    """The embedded Postgres did not start: `why` in a few words; `may_still_start` when pgserver
    stopped waiting for pg_ctl, so the server may yet come up on its own."""

    def __init__(self, data_dir: Path, why: str, *, may_still_start: bool) -> None:
        after = "it may still be starting" if may_still_start else "pgserver's logged output says why"
        super().__init__(f"the embedded Postgres in {data_dir} did not start ({why}); {after}")
        self.why = why
        self.may_still_start = may_still_start


def start_embedded(data_dir: Path, *, cleanup_mode: Literal["stop"] | None) -> PostgresServer:
    """pgserver's Postgres on `data_dir`, started if it does not run; EmbeddedStartError when it does not start."""
    import pgserver  # imported here: only needed when no external server is given

    try:
        return pgserver.get_server(data_dir, cleanup_mode=cleanup_mode)
    except subprocess.CalledProcessError as error:  # pgserver has logged the command's output and the server's log
        raise EmbeddedStartError(
            data_dir, f"{Path(error.cmd[0]).name} exited with {error.returncode}", may_still_start=False
        ) from None
    except subprocess.TimeoutExpired as error:  # pgserver gives pg_ctl a fixed 10 s, short on a loaded machine
        why = f"{Path(error.cmd[0]).name} not done within {round(error.timeout)} s, pgserver's limit"
        raise EmbeddedStartError(data_dir, why, may_still_start=True) from None
    except OSError as error:  # e.g. pgserver reading the log of a server that could not write one
        raise EmbeddedStartError(data_dir, str(error), may_still_start=False) from None


class ScratchServer:
    """A server where gates may create and drop databases of their own."""

    def __init__(self, admin_url: str, embedded: Any | None = None, data_dir: Path | None = None) -> None:
        self.admin_url = admin_url
        self._embedded = embedded
        self._data_dir = data_dir

    @classmethod
    def start(cls, url: str | None = None) -> ScratchServer:
        """Use `url`, else `GATES_SCRATCH_DATABASE_URL` when set, else start an embedded Postgres
        (EmbeddedStartError when it does not start)."""
        url = url or os.environ.get(SCRATCH_URL_ENV)
        if url:
            return cls(Dsn(url))
        data_dir = Path(tempfile.mkdtemp(prefix="gates-pg-"))
        try:
            server = start_embedded(data_dir, cleanup_mode="stop")
        except EmbeddedStartError:
            shutil.rmtree(data_dir, ignore_errors=True)
            raise
        return cls(Dsn(server.get_uri()), embedded=server, data_dir=data_dir)

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    def create_database(self, *, copy_of: str | None = None, budget: ConnectBudget | None = None) -> str:
        """Create an empty database (or a copy of the idle database `copy_of`) whose name marks it as ours; its URL.

        The server is reached through `gates.connect`, so an unreachable one is a ConnectError
        naming it with the password masked, never a traceback that shows the URL; a server that
        refuses the database (no CREATEDB right) is a ScratchError, just as short. Without a
        `budget` (a gate passes the session's), the connect has the default budget of its own.
        """
        name = SCRATCH_PREFIX + secrets.token_hex(6)
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if copy_of is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(database_name(copy_of) or ""))
        self._administer("create", statement, budget)
        return with_database(self.admin_url, name)

    def drop_database(self, url: str, *, budget: ConnectBudget | None = None) -> None:
        """Drop a database created by `create_database`, and only such a database."""
        name = database_name(url)
        if name is None or not name.startswith(SCRATCH_PREFIX):
            raise ValueError(f"refusing to drop {mask(url)}: it was not created as a scratch database")
        self._administer(
            "drop", sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)), budget
        )

    def _administer(self, action: str, statement: sql.Composed, budget: ConnectBudget | None) -> None:
        budget = budget or ConnectBudget(DEFAULT_CONNECT_BUDGET_S)
        with connect(self.admin_url, budget=budget) as connection:
            try:
                connection.execute(statement)
            except psycopg.Error as error:
                reason = error.diag.message_primary or type(error).__name__
                raise ScratchError(f"cannot {action} a scratch database on {mask(self.admin_url)}: {reason}") from None

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.cleanup()
            self._embedded = None
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)
            self._data_dir = None

    def __enter__(self) -> ScratchServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
