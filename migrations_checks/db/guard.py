"""Replay writes only to databases it created itself; everything else is refused in one sentence.

Replay runs every migration, rollbacks included, so pointed at a real database it would destroy
data. Three independent checks stand in the way: the database must be named like the scratch
databases `gates.scratch_db` creates, it must not be on the server of a configured staging or
production database (servers compared by what they resolve to, see `gates.servers`), and it must
be empty when replay starts. The scratch server itself is refused on the same grounds, and when a
host name does not resolve, since then nobody can tell.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gates.config import GatesConfig
from gates.connect import ConnectBudget, connect
from gates.dsn import Dsn, database_name, mask
from gates.scratch_db import SCRATCH_PREFIX
from gates.servers import UnresolvedHost, same_server

_OBJECTS = """
    SELECT kind || ' ' || name FROM (
        SELECT 'schema' AS kind, quote_ident(nspname) AS name FROM pg_namespace n
        WHERE nspname <> 'public' AND {ours}
        UNION ALL
        SELECT 'relation', quote_ident(nspname) || '.' || quote_ident(relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {ours} AND {not_extension}
        UNION ALL
        SELECT 'type', quote_ident(nspname) || '.' || quote_ident(typname)
        FROM pg_type c JOIN pg_namespace n ON n.oid = c.typnamespace
        WHERE {ours} AND {not_extension} AND c.typrelid = 0 AND c.typcategory <> 'A'
        UNION ALL
        SELECT 'function', quote_ident(nspname) || '.' || quote_ident(proname)
        FROM pg_proc c JOIN pg_namespace n ON n.oid = c.pronamespace WHERE {ours} AND {not_extension}
    ) objects LIMIT 3
""".format(
    ours="n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
    not_extension="NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')",
)


class GuardError(Exception):
    """Replay refused a database; the message says which and why, with the password masked."""


def protected_urls(config: GatesConfig, environ: Mapping[str, str] = os.environ) -> dict[str, Dsn]:
    """The database URL of every configured non-local environment that has one, by variable name."""
    urls = {}
    for environment in config.environments.values():
        url = environ.get(environment.database_url_env)
        if not environment.is_local and url:
            urls[environment.database_url_env] = Dsn(url)
    return urls


def check_scratch_server(admin_url: str, protected: Mapping[str, str]) -> None:
    """Refuse a scratch server URL (`GATES_SCRATCH_DATABASE_URL`) on a configured database's server."""
    _refuse_protected(admin_url, protected, "as the scratch server")


def check_replay_target(url: str, protected: Mapping[str, str], *, connect_budget: ConnectBudget) -> None:
    """Raise GuardError unless `url` is an empty scratch database that no environment uses."""
    name = database_name(url) or ""
    if not name.startswith(SCRATCH_PREFIX):
        raise GuardError(
            f"replay refuses {mask(url)}: database {name!r} was not created by replay "
            f"(its scratch databases are named {SCRATCH_PREFIX}...)"
        )
    _refuse_protected(url, protected, "for replay")
    with connect(url, budget=connect_budget, read_only=True) as connection:
        found = [row[0] for row in connection.execute(_OBJECTS.encode()).fetchall()]
    if found:
        raise GuardError(
            f"replay refuses {mask(url)}: the database is not empty (it already holds {', '.join(found)}); "
            "replay only writes to fresh databases it created itself"
        )


def _refuse_protected(url: str, protected: Mapping[str, str], purpose: str) -> None:
    for variable, protected_url in protected.items():
        try:
            same = same_server(url, protected_url)
        except UnresolvedHost as unresolved:
            raise GuardError(
                f"refusing {mask(url)} {purpose}: cannot tell whether it is the server of {variable} "
                f"({mask(protected_url)}), because {unresolved}"
            ) from None
        if same:
            raise GuardError(
                f"refusing {mask(url)} {purpose}: it is on the server of the database in {variable} "
                f"({mask(protected_url)}), a configured staging or production database: replay never writes near one"
            )
