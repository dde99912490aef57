"""Postgres connection strings: read one as libpq does, pick a database inside one, show one without its password."""

from __future__ import annotations

import re
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from gates.secret import Secret

# libpq takes a password in `password` and a client key's passphrase in `sslpassword`, in the
# keyword form and as URL query parameters alike; both are secrets.
_SECRET_KEYS = ("password", "sslpassword")
# An unquoted value runs to the first unescaped space: libpq reads `\ ` as a space in it.
_KEYWORD_SECRET = re.compile(r"(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+)", re.IGNORECASE)
# libpq reads a `dbname` value that is itself a URI as the connection string.
_EMBEDDED_URI = re.compile(r"[a-z][a-z0-9+.-]*://[^\s']+", re.IGNORECASE)


def parse(conninfo: str) -> dict[str, object]:
    """libpq's reading of `conninfo`, each password as a `Secret`: a caller may hold the result
    while it resolves host names, and a traceback with `--showlocals` prints it. A string libpq
    cannot read raises `psycopg.ProgrammingError` with the masked string (libpq's own message quotes
    the part it stumbled on, password or not)."""
    try:
        return {
            key: Secret(str(value)) if key in _SECRET_KEYS else value
            for key, value in conninfo_to_dict(conninfo).items()
        }
    except psycopg.ProgrammingError:
        raise psycopg.ProgrammingError(f"{mask(conninfo)} is not a valid Postgres connection string") from None


def with_database(conninfo: str, database: str) -> Dsn:
    """The same server and credentials as `conninfo`, connected to `database`; masked like any `Dsn`.

    psycopg merges the two itself, so the parameters (password included) never sit in a local of
    ours that a traceback with `--showlocals` would print.
    """
    return Dsn(make_conninfo(conninfo, dbname=database))


def database_name(conninfo: str) -> str | None:
    value = parse(conninfo).get("dbname")
    return str(value) if value is not None else None


def ambiguous(conninfo: str) -> bool:
    """Whether libpq reads this URI differently from how it was most likely meant: an `@` after
    the first `/` (`postgresql://u:X/S3cret@host/db`) is, for libpq, part of the database name, so
    a password holding an unencoded `/` turns into host, port and database."""
    _scheme, separator, rest = conninfo.partition("://")
    if not separator or "/" not in rest:
        return False
    head, _slash, tail = rest.partition("/")
    return "@" not in head and "@" in tail


def unusable(conninfo: str) -> str | None:
    """Why libpq cannot take `conninfo` as it was meant (the string shown masked), or None when it can."""
    if ambiguous(conninfo):
        return (
            f"{mask(conninfo)} is read by libpq with the text after the first '/' as the database name, so "
            "an unencoded '/' or '@' in the password turns into host, port and database: percent-encode "
            "them (%2F, %40)"
        )
    try:
        parse(conninfo)
    except psycopg.ProgrammingError as error:
        return str(error)
    return None


def mask(conninfo: str) -> str:
    """`conninfo` with every password (user info, `password`, `sslpassword`) replaced by `***`.

    When libpq would not see the user info where the writer put it (`ambiguous`), the whole
    stretch up to the last `@` is masked: where the password ends cannot be told.
    """
    scheme, separator, rest = conninfo.partition("://")
    if not separator:
        masked = _KEYWORD_SECRET.sub(r"\1***", conninfo)
        return _EMBEDDED_URI.sub(lambda uri: mask(uri.group(0)), masked)
    if ambiguous(conninfo):
        return f"{scheme}://***@{_mask_location(rest[rest.rfind('@') + 1 :])}"
    # libpq takes the user info from before the first `@` ahead of the first `/`, whatever else it
    # holds (`#` and `?` included), so a URL parser is not to be trusted with it; masking up to the
    # last such `@` hides at least that much.
    slash = rest.find("/")
    at = rest.rfind("@", 0, len(rest) if slash == -1 else slash)
    user_info, after = (rest[:at], rest[at + 1 :]) if at != -1 else (None, rest)
    if user_info is not None and ":" in user_info:
        user_info = user_info.split(":", 1)[0] + ":***"
    credentials = "" if user_info is None else f"{user_info}@"
    return f"{scheme}://{credentials}{_mask_location(after)}"


def _mask_location(after: str) -> str:
    location, question, query = after.partition("?")
    return f"{location}{question}{_mask_query(query)}"


def _mask_query(query: str) -> str:
    """The URL query with the value of each secret parameter (however percent-encoded) masked, and
    any part without `=`."""
    pairs = []
    for pair in query.split("&") if query else []:
        key, equals, _value = pair.partition("=")
        if not equals:  # libpq refuses it, quoting it in the error: what it holds cannot be told
            pairs.append("***")
        else:
            pairs.append(f"{key}=***" if unquote(key).lower() in _SECRET_KEYS else pair)
    return "&".join(pairs)


class Dsn(str):
    """A connection string whose repr is masked.

    pytest prints the arguments of a failing test or fixture with their repr; a gate that holds the
    production, staging or scratch URLs must not print a password when something unexpected fails.
    `str()` stays the real value, for the drivers; output goes through `mask` as always.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask(self))
