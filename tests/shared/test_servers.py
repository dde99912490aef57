"""Servers are told apart by what their connection strings reach, not by how the host is spelt."""

from __future__ import annotations

import pytest

from gates.servers import UnresolvedHost, endpoints, on_this_machine, same_server

NO_ENV: dict[str, str] = {}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # the case that let replay create and drop databases on staging's server
        ("postgresql://u@127.0.0.1:5432/scratch", "postgresql://u:pw@localhost/app"),
        ("postgresql://u@LOCALHOST/app", "host=localhost port=5432 dbname=other user=other"),
        ("hostaddr=127.0.0.1 dbname=app", "postgresql://localhost:5432/app"),
        ("host=db.example.com hostaddr=127.0.0.1 dbname=app", "postgresql://127.0.0.1/app"),
        ("host=/tmp/pg-sock port=5433", "host=/tmp/../tmp/pg-sock/ port=5433 dbname=x"),
        ("host=/tmp/a,localhost port=5433,5432", "postgresql://127.0.0.1/app"),  # libpq's host lists
        # Neon's pooler stands in front of the same compute as the direct host
        (
            "host=ep-cool-42-pooler.us-east-2.aws.neon.tech hostaddr=10.1.0.1 dbname=app",
            "host=ep-cool-42.us-east-2.aws.neon.tech hostaddr=10.2.0.2 dbname=app",
        ),
    ],
)
def test_spellings_of_one_server_are_the_same(left: str, right: str) -> None:
    assert same_server(left, right, NO_ENV) and same_server(right, left, NO_ENV)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("postgresql://localhost/app", "postgresql://localhost:5433/app"),
        ("host=/tmp/a port=5432", "host=/tmp/b port=5432"),
        ("host=/tmp/a port=5432", "postgresql://localhost/app"),
        ("hostaddr=127.0.0.1", "hostaddr=127.0.0.2"),
        (
            "host=ep-cool-42-pooler.us-east-2.aws.neon.tech hostaddr=10.1.0.1",
            "host=ep-other-7.us-east-2.aws.neon.tech hostaddr=10.2.0.2",
        ),
    ],
)
def test_different_servers_differ(left: str, right: str) -> None:
    assert not same_server(left, right, NO_ENV)


def test_a_name_that_does_not_resolve_cannot_be_compared() -> None:
    with pytest.raises(UnresolvedHost, match=r"'db\.invalid' does not resolve"):
        same_server("postgresql://u:pw@db.invalid/app", "postgresql://localhost/app", NO_ENV)


def test_libpqs_environment_fills_in_what_the_string_leaves_out() -> None:
    assert endpoints("dbname=app", {"PGHOST": "/tmp/pg", "PGPORT": "6000"}) == {("socket", "/tmp/pg:6000")}


@pytest.mark.parametrize(
    ("conninfo", "local"),
    [
        ("postgresql://u@127.0.0.1:5432/db", True),
        ("postgresql://u@localhost/db", True),
        ("postgresql://u@[::1]:5433/db", True),
        ("host=/tmp port=5432 dbname=db", True),
        ("postgresql:///db", True),
        ("postgresql://u@10.1.2.3/db", False),
        ("postgresql://u@localhost,10.1.2.3/db", False),
        ("postgresql://u@no-such-host.invalid/db", False),
    ],
)
def test_only_sockets_and_loopback_addresses_are_on_this_machine(conninfo: str, local: bool) -> None:
    assert on_this_machine(conninfo, NO_ENV) is local
