"""`ScratchServer.create_database(copy_of=...)`: a scratch database holding a copy of another's data."""

from __future__ import annotations

import psycopg

from gates.scratch_db import ScratchServer


def test_a_copy_holds_the_source_data_and_is_independent_of_it(scratch_server: ScratchServer) -> None:
    source = scratch_server.create_database()
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute("CREATE TABLE plans (id int); INSERT INTO plans VALUES (1), (2)")
    copy = scratch_server.create_database(copy_of=source)
    try:
        with psycopg.connect(copy, autocommit=True) as connection:
            assert connection.execute("SELECT count(*) FROM plans").fetchone() == (2,)
            connection.execute("INSERT INTO plans VALUES (3)")
        with psycopg.connect(source, autocommit=True) as connection:
            assert connection.execute("SELECT count(*) FROM plans").fetchone() == (2,)
    finally:
        scratch_server.drop_database(copy)
        scratch_server.drop_database(source)
