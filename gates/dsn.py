"""Postgres connection strings: pick a database inside one, show one without its password, compare two."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote

from psycopg.conninfo import conninfo_to_dict, make_conninfo

# libpq takes a password in `password` and a client key's passphrase in `sslpassword`, in the
# keyword form and as URL query parameters alike; both are secrets.
_SECRET_KEYS = ("password", "sslpassword")
# An unquoted value runs to the first unescaped space: libpq reads `\ ` as a space in it.
_KEYWORD_SECRET = re.compile(r"(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+)", re.IGNORECASE)
_DEFAULT_PORT = "5432"


def with_database(conninfo: str, database: str) -> str:
    """The same server and credentials as `conninfo`, connected to `database`."""
    params = conninfo_to_dict(conninfo)
    params["dbname"] = database
    return make_conninfo(**params)  # type: ignore[arg-type]


def database_name(conninfo: str) -> str | None:
    value = conninfo_to_dict(conninfo).get("dbname")
    return str(value) if value is not None else None


def mask(conninfo: str) -> str:
    """`conninfo` with every password (user info, `password`, `sslpassword`) replaced by `***`."""
    scheme, separator, rest = conninfo.partition("://")
    if not separator:
        return _KEYWORD_SECRET.sub(r"\1***", conninfo)
    # libpq takes the user info from before the first `@` ahead of the first `/`, whatever else it
    # holds (`#` and `?` included), so a URL parser is not to be trusted with it; masking up to the
    # last such `@` hides at least that much.
    slash = rest.find("/")
    at = rest.rfind("@", 0, len(rest) if slash == -1 else slash)
    user_info, after = (rest[:at], rest[at + 1 :]) if at != -1 else (None, rest)
    if user_info is not None and ":" in user_info:
        user_info = user_info.split(":", 1)[0] + ":***"
    location, question, query = after.partition("?")
    credentials = "" if user_info is None else f"{user_info}@"
    return f"{scheme}://{credentials}{location}{question}{_mask_query(query)}"


def _mask_query(query: str) -> str:
    """The URL query with the value of each secret parameter (however percent-encoded) masked."""
    pairs = []
    for pair in query.split("&") if query else []:
        key, equals, _value = pair.partition("=")
        pairs.append(f"{key}=***" if equals and unquote(key).lower() in _SECRET_KEYS else pair)
    return "&".join(pairs)


def same_database(left: str, right: str) -> bool:
    """Whether two connection strings can reach the same database on the same server.

    Written for the guard, where a false "different" could let replay write to production: the
    port defaults to 5432, host names compare case-insensitively, a `hostaddr` counts as a name
    of its host, and a missing database name is the user name, as libpq takes it.
    """
    try:
        a, b = conninfo_to_dict(left), conninfo_to_dict(right)
    except Exception:  # an unparseable string matches nothing; the caller connects and fails
        return False
    hosts_a, hosts_b = _hosts(a), _hosts(b)
    same_host = hosts_a == hosts_b or bool(hosts_a & hosts_b)
    return same_host and _port(a) == _port(b) and _database(a) == _database(b)


def _hosts(params: Mapping[str, object]) -> frozenset[str]:
    return frozenset(str(params[key]).lower() for key in ("host", "hostaddr") if params.get(key))


def _port(params: Mapping[str, object]) -> str:
    return str(params.get("port") or _DEFAULT_PORT)


def _database(params: Mapping[str, object]) -> str:
    return str(params.get("dbname") or params.get("user") or "")


class Dsn(str):
    """A connection string whose repr is masked.

    pytest prints the arguments of a failing test or fixture with their repr; a gate that holds the
    production, staging or scratch URLs must not print a password when something unexpected fails.
    `str()` stays the real value, for the drivers; output goes through `mask` as always.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask(self))
