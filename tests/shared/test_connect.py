"""Connecting with retries within a budget (Neon computes wake up slowly), with the password masked."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from gates.connect import ConnectBudget, ConnectError, connect
from gates.dsn import Dsn

PASSWORD = "s3cret-pw"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _target(conninfo: str) -> tuple[int, str | tuple[str, int]]:
    params = conninfo_to_dict(conninfo)
    host, port = str(params.get("host") or "127.0.0.1"), int(params.get("port") or 5432)
    if host.startswith("/"):
        return socket.AF_UNIX, f"{host}/.s.PGSQL.{port}"
    return socket.AF_INET, (host, port)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy `source` to `sink` until one side closes; the direction that ends first closes both, so
    the other one's next read fails (EBADF), which ends it too."""
    with source, sink, contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)


@pytest.fixture
def waking_url(scratch_database: str) -> Iterator[str]:
    """A TCP URL for the scratch database that refuses connections at first, like a compute waking up."""
    port = _free_port()
    family, address = _target(scratch_database)
    stop = threading.Event()

    def serve() -> None:
        with socket.create_server(("127.0.0.1", port)) as listener:
            listener.settimeout(0.2)
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                upstream = socket.socket(family)
                upstream.connect(address)
                threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
                threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()

    threading.Timer(0.6, serve).start()
    params = conninfo_to_dict(scratch_database)
    yield make_conninfo(host="127.0.0.1", port=port, dbname=params["dbname"], user=params.get("user", "postgres"))
    stop.set()


def test_retries_until_the_database_answers(waking_url: str) -> None:
    started = time.monotonic()

    with connect(waking_url, budget=ConnectBudget(10)) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)

    assert time.monotonic() - started >= 0.5


def test_gives_up_within_the_budget_and_masks_the_password() -> None:
    url = f"postgresql://app:{PASSWORD}@127.0.0.1:{_free_port()}/app"
    started = time.monotonic()

    with pytest.raises(ConnectError) as raised:
        connect(url, budget=ConnectBudget(1.0))

    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert 0.9 <= elapsed < 4
    assert PASSWORD not in message
    assert "postgresql://app:***@127.0.0.1" in message
    assert "attempt(s) within 1 s" in message


def test_an_error_waiting_cannot_fix_fails_at_once(scratch_database: str) -> None:
    missing = make_conninfo(scratch_database, dbname="gates_no_such_database", password=PASSWORD)
    started = time.monotonic()

    with pytest.raises(ConnectError, match="does not exist") as raised:
        connect(missing, budget=ConnectBudget(30))

    assert time.monotonic() - started < 5
    assert PASSWORD not in str(raised.value)


def test_a_malformed_url_is_named_without_its_password() -> None:
    with pytest.raises(ConnectError, match="not a valid Postgres connection string") as raised:
        connect(f"host=localhost password={PASSWORD} bogus_option=1", budget=ConnectBudget(1))

    assert PASSWORD not in str(raised.value)


def test_a_read_only_connection_cannot_write(scratch_database: str) -> None:
    with (
        connect(scratch_database, budget=ConnectBudget(5), read_only=True) as connection,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        connection.execute("CREATE TABLE t (id int)")


def test_a_password_with_an_unencoded_slash_is_refused_before_connecting() -> None:
    with pytest.raises(ConnectError) as refused:
        connect(Dsn("postgresql://u:X/S3cret@127.0.0.1:1/db"), budget=ConnectBudget(5))
    assert "S3cret" not in str(refused.value) and "X/" not in str(refused.value)
    assert "percent-encode" in str(refused.value)


def _refusing_auth_server() -> tuple[int, threading.Event]:
    """A server on 127.0.0.1 that answers every Postgres startup the way a server refusing the
    password does: no TLS, then an ErrorResponse with SQLSTATE 28P01 (protocol 3 framing)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    fields = b'SFATAL\0C28P01\0Mpassword authentication failed for user "app"\0\0'
    refusal = b"E" + (len(fields) + 4).to_bytes(4, "big") + fields

    def serve() -> None:
        with listener:
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                with client:
                    first = client.recv(8)
                    if first[4:8] == (80877103).to_bytes(4, "big"):  # SSLRequest: say no, read the startup
                        client.sendall(b"N")
                        client.recv(65536)
                    client.sendall(refusal)

    threading.Thread(target=serve, daemon=True).start()
    return int(listener.getsockname()[1]), stop


def test_a_refused_password_fails_at_once() -> None:
    port, stop = _refusing_auth_server()
    started = time.monotonic()
    try:
        with pytest.raises(ConnectError, match="password authentication failed") as raised:
            connect(f"postgresql://app:{PASSWORD}@127.0.0.1:{port}/app?sslmode=disable", budget=ConnectBudget(30))
    finally:
        stop.set()
    assert time.monotonic() - started < 5
    assert "1 attempt(s)" in str(raised.value) and PASSWORD not in str(raised.value)


def test_a_host_name_that_does_not_resolve_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(ConnectError) as raised:
        connect(f"postgresql://app:{PASSWORD}@gates-no-such-host.test:5432/app", budget=ConnectBudget(30))
    assert time.monotonic() - started < 5
    assert "1 attempt(s)" in str(raised.value) and PASSWORD not in str(raised.value)


def test_one_shared_budget_is_spent_once_for_a_server_that_stays_unreachable() -> None:
    url = f"postgresql://app:{PASSWORD}@127.0.0.1:{_free_port()}/app"
    budget = ConnectBudget(1.0)
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(url, budget=budget)
    first = time.monotonic() - started
    started = time.monotonic()
    with pytest.raises(ConnectError) as again:
        connect(url, budget=budget)
    second = time.monotonic() - started
    assert first >= 0.9 and second < 0.5
    assert "the run's connect budget of 1 s is spent" in str(again.value)
    # A budget of its own (a command's, another session's) waits again: nothing is kept between objects.
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(url, budget=ConnectBudget(1.0))
    assert time.monotonic() - started >= 0.9


def test_a_budget_with_other_seconds_draws_on_what_its_server_already_cost() -> None:
    """A gate with a patience of its own (the smoke's, queue_health's) still waits only once per session."""
    url = f"postgresql://app:{PASSWORD}@127.0.0.1:{_free_port()}/app"
    session = ConnectBudget(1.0)
    with pytest.raises(ConnectError):
        connect(url, budget=session)
    started = time.monotonic()
    with pytest.raises(ConnectError, match=r"connect budget of 1\.2 s is spent|within 1\.2 s"):
        connect(url, budget=session.with_seconds(1.2))
    assert time.monotonic() - started < 0.7  # 1.2 s less the second already spent on this server
    assert repr(session) == "ConnectBudget(1 s)"


def test_what_one_server_cost_does_not_shorten_another_servers_budget() -> None:
    budget = ConnectBudget(0.8)
    with pytest.raises(ConnectError):
        connect(f"postgresql://app@127.0.0.1:{_free_port()}/app", budget=budget)
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(f"postgresql://app@127.0.0.1:{_free_port()}/app", budget=budget)
    assert time.monotonic() - started >= 0.7
