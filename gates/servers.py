"""Which Postgres server a connection string reaches, as libpq would find it, to tell two apart.

Host names compared as text say `127.0.0.1` and `localhost` are different servers; they are not.
A server is known by its endpoints: each TCP address a host name resolves to (or its `hostaddr`)
with the port, each Unix socket folder (resolved on disk) with the port, and for Neon the
endpoint name, where `ep-x-pooler.<region>.aws.neon.tech` is the pooler in front of
`ep-x.<region>.aws.neon.tech`. libpq's lists of hosts, addresses and ports are read one by one,
and `PGHOST`/`PGPORT` fill in what the string leaves out, as libpq does.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping

from gates.dsn import parse

DEFAULT_PORT = "5432"
DEFAULT_SOCKET = "(libpq's default socket folder)"
_NEON_SUFFIX = ".neon.tech"
_NEON_POOLER = "-pooler"

Endpoint = tuple[str, str]  # (kind, where): ("tcp", "10.0.0.1:5432"), ("socket", "/run/pg:5432"), ("neon", host)


class UnresolvedHost(Exception):
    """A host name that does not resolve: which server it names cannot be told."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(f"host name {host!r} does not resolve")


def endpoints(conninfo: str, environ: Mapping[str, str] = os.environ) -> frozenset[Endpoint]:
    """Every endpoint libpq could reach for `conninfo`; raises UnresolvedHost for a name that does not resolve."""
    params = parse(conninfo)
    hosts = _items(params.get("host") or environ.get("PGHOST") or "")
    addresses = _items(params.get("hostaddr") or "")
    ports = _items(params.get("port") or environ.get("PGPORT") or DEFAULT_PORT)
    count = max(len(hosts), len(addresses), 1)
    found: set[Endpoint] = set()
    for index in range(count):
        host = hosts[index] if index < len(hosts) else ""
        address = addresses[index] if index < len(addresses) else ""
        port = (ports[index] if index < len(ports) else ports[-1]) or DEFAULT_PORT
        found |= _endpoints_of(host, address, port)
    return frozenset(found)


def same_server(left: str, right: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the two connection strings can reach the same server (raises UnresolvedHost)."""
    return bool(endpoints(left, environ) & endpoints(right, environ))


def on_this_machine(conninfo: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether every server `conninfo` can reach is on this machine (a Unix socket or a loopback address).

    False when a host name does not resolve: what cannot be placed is never taken for local.
    """
    try:
        found = endpoints(conninfo, environ)
    except UnresolvedHost:
        return False
    return all(kind == "socket" or (kind == "tcp" and _loopback(where)) for kind, where in found)


def _loopback(address_and_port: str) -> bool:
    return ipaddress.ip_address(address_and_port.rpartition(":")[0].strip("[]")).is_loopback


def same_database(left: str, right: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the two connection strings may reach the same database on the same server.

    For refusals before a write: a host name that does not resolve counts as the same, since
    nothing proves it is another server; a missing database name is the user name, as libpq takes it.
    """
    try:
        if not same_server(left, right, environ):
            return False
    except UnresolvedHost:
        return True
    return _database_of(left) == _database_of(right)


def _database_of(conninfo: str) -> str:
    params = parse(conninfo)
    return str(params.get("dbname") or params.get("user") or "")


def _items(value: object) -> list[str]:
    return [item.strip() for item in str(value).split(",")] if str(value) else []


def _endpoints_of(host: str, address: str, port: str) -> set[Endpoint]:
    if address:  # libpq connects to hostaddr and uses host only for authentication and TLS
        return {("tcp", f"{_address(address, port)}:{port}")} | _neon(host)
    if not host or host.startswith("/") or host.startswith("@"):
        folder = os.path.realpath(host) if host.startswith("/") else host or DEFAULT_SOCKET
        return {("socket", f"{folder}:{port}")}
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise UnresolvedHost(host) from None
    return {("tcp", f"{info[4][0]}:{port}") for info in infos} | _neon(host)


def _address(address: str, port: str) -> str:
    infos = socket.getaddrinfo(address, int(port), type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    return str(infos[0][4][0])  # the canonical spelling of the address (`::0001` is `::1`)


def _neon(host: str) -> set[Endpoint]:
    name = host.lower().rstrip(".")
    if not name.endswith(_NEON_SUFFIX):
        return set()
    first, dot, rest = name.partition(".")
    return {("neon", f"{first.removesuffix(_NEON_POOLER)}{dot}{rest}")}
