"""What `queue_health` reads from `job_queue`, read-only: jobs stranded in `processing`, and whether
due `pending` jobs are being drained.

A job `processing` for longer than the workers' graceful-shutdown bound was most likely held by a
worker that was killed mid-job (Fly's default 5 s kill_timeout against a 30 s drain), and nothing
reclaims it (contract §3.4). Due pending jobs are looked at twice, a window apart: when some are
still waiting and no job was claimed or finished in between, nobody is draining the queue.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import psycopg

from gates.connect import ConnectBudget, connect

CONNECT_BUDGET_S = 20.0


@dataclass(frozen=True)
class QueueJob:
    id: str
    job_type: str
    since: datetime
    age_s: float

    def describe(self) -> str:
        return f"{self.job_type} job {self.id} ({self.age_s:.0f} s)"


def stranded(connection: psycopg.Connection, bound_s: float) -> list[QueueJob]:
    """Jobs `processing` since longer than `bound_s`, oldest first."""
    rows = connection.execute(
        "SELECT id::text, job_type::text, started_at, extract(epoch FROM now() - started_at)::float FROM job_queue "
        "WHERE status = 'processing' AND started_at < now() - make_interval(secs => %s) ORDER BY started_at",
        (bound_s,),
    ).fetchall()
    return [QueueJob(*row) for row in rows]


def due_pending(connection: psycopg.Connection) -> list[QueueJob]:
    rows = connection.execute(
        "SELECT id::text, job_type::text, scheduled_for, extract(epoch FROM now() - scheduled_for)::float "
        "FROM job_queue WHERE status = 'pending' AND scheduled_for <= now() ORDER BY scheduled_for"
    ).fetchall()
    return [QueueJob(*row) for row in rows]


def progressed_since(connection: psycopg.Connection, moment: datetime) -> int:
    """Jobs claimed or finished after `moment`."""
    row = connection.execute(
        "SELECT count(*) FROM job_queue WHERE started_at > %(t)s OR completed_at > %(t)s", {"t": moment}
    ).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class QueueVerdict:
    stranded: list[QueueJob]
    undrained: list[QueueJob]  # empty when the queue moved or had nothing due


def inspect_queue(url: str, *, bound_s: float, window_s: float, connect_budget: ConnectBudget) -> QueueVerdict:
    """Reached within `CONNECT_BUDGET_S`, drawing on what `connect_budget` already spent on the server."""
    budget = connect_budget.with_seconds(CONNECT_BUDGET_S)
    with connect(url, budget=budget, read_only=True) as connection:
        stuck = stranded(connection, bound_s)
        waiting = due_pending(connection)
        if not waiting:
            return QueueVerdict(stuck, [])
        row = connection.execute("SELECT now()").fetchone()
        assert row is not None
        started = row[0]
        time.sleep(window_s)
        still = {job.id for job in due_pending(connection)}
        moved = progressed_since(connection, started)
    undrained = [job for job in waiting if job.id in still] if moved == 0 else []
    return QueueVerdict(stuck, undrained)
