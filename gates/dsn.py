"""Postgres connection strings: pick a database inside one, and show one without its password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from psycopg.conninfo import conninfo_to_dict, make_conninfo

_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def with_database(conninfo: str, database: str) -> str:
    """The same server and credentials as `conninfo`, connected to `database`."""
    params = conninfo_to_dict(conninfo)
    params["dbname"] = database
    return make_conninfo(**params)  # type: ignore[arg-type]


def database_name(conninfo: str) -> str | None:
    value = conninfo_to_dict(conninfo).get("dbname")
    return str(value) if value is not None else None


def mask(conninfo: str) -> str:
    """`conninfo` with any password replaced by `***`, safe to print."""
    if "://" not in conninfo:
        return _KEYWORD_PASSWORD.sub(r"\1***", conninfo)
    parts = urlsplit(conninfo)
    if parts.password is None:
        return conninfo
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def same_database(left: str, right: str) -> bool:
    """Whether two connection strings point at the same database on the same server."""
    keys = ("host", "port", "dbname")
    try:
        a, b = conninfo_to_dict(left), conninfo_to_dict(right)
    except Exception:  # an unparseable string matches nothing; the caller connects and fails
        return False
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)
