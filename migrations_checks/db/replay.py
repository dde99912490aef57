"""The database a replay writes to: a new scratch database, guarded, prepared with the prelude, dropped after.

Replay runs every migration and every rollback, so it must only ever write to a database it made
for itself: the guard checks the scratch server and the new database before anything runs, and
the database is dropped however the replay ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.guard import check_replay_target, check_scratch_server
from migrations_checks.db.prelude import run_prelude


@contextmanager
def replay_database(
    server: ScratchServer, settings: MigrationSettings, protected: Mapping[str, str], *, connect_budget: ConnectBudget
) -> Iterator[str]:
    """A new scratch database, checked by the guard and prepared with the prelude; dropped afterwards."""
    check_scratch_server(server.admin_url, protected)
    url = server.create_database(budget=connect_budget)
    try:
        check_replay_target(url, protected, connect_budget=connect_budget)
        run_prelude(url, settings, connect_budget=connect_budget)
        yield url
    finally:
        server.drop_database(url, budget=connect_budget)
