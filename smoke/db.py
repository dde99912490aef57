"""What the smoke gate reads from the app's database: the test user, the plan's job, its counts.

The job row is read as JSON (`to_jsonb`), so columns a schema version lacks (`locked_by` and
`locked_at` were dropped later) read as None instead of breaking the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from gates.connect import ConnectBudget, connect
from gates.dsn import Dsn

STATEMENT_TIMEOUT_S = 10.0


def open_database(
    url: Dsn, *, budget: ConnectBudget, session_name: str, statement_timeout_s: float = STATEMENT_TIMEOUT_S
) -> psycopg.Connection:
    """An autocommit connection (retried while a Neon compute wakes) whose queries cannot hang,
    named `session_name` (the run's heartbeat, see `smoke.tagging`)."""
    connection = connect(url, budget=budget)
    connection.execute(
        "SELECT set_config('statement_timeout', %s, false), set_config('application_name', %s, false)",
        (f"{int(statement_timeout_s * 1000)}ms", session_name),
    )
    return connection


def database_epoch_s(connection: psycopg.Connection) -> float:
    """The database's clock, in epoch seconds: deadlines in tags are compared with it."""
    row = connection.execute("SELECT extract(epoch from now())::float8").fetchone()
    return float(row[0]) if row else 0.0


@dataclass(frozen=True)
class JobRow:
    status: str
    attempts: int
    max_attempts: int
    error: str | None
    last_history_error: str | None  # retries NULL `error` and keep the message in payload.errorHistory
    locked_by: str | None
    locked_at: str | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    database_now: datetime
    result_counts: tuple[object, object] = (None, None)  # (modulesCount, tasksCount) the job recorded

    @classmethod
    def from_json(cls, row: dict[str, Any], database_now: datetime) -> JobRow:
        history = (row.get("payload") or {}).get("errorHistory") or []
        last = history[-1] if history and isinstance(history[-1], dict) else {}
        return cls(
            status=row["status"],
            attempts=int(row.get("attempts") or 0),
            max_attempts=int(row.get("max_attempts") or 0),
            error=row.get("error"),
            last_history_error=last.get("error"),
            locked_by=row.get("locked_by"),
            locked_at=row.get("locked_at"),
            started_at=_timestamp(row.get("started_at")),
            completed_at=_timestamp(row.get("completed_at")),
            created_at=_timestamp(row["created_at"]) or database_now,
            database_now=database_now,
            result_counts=((row.get("result") or {}).get("modulesCount"), (row.get("result") or {}).get("tasksCount")),
        )


def user_row_id(connection: psycopg.Connection, clerk_user_id: str) -> UUID | None:
    row = connection.execute("SELECT id FROM users WHERE clerk_user_id = %s", (clerk_user_id,)).fetchone()
    return row[0] if row else None


def latest_job(connection: psycopg.Connection, plan_id: str) -> JobRow | None:
    """The plan's newest job row, or None."""
    row = connection.execute(
        "SELECT to_jsonb(j), now() FROM job_queue j WHERE plan_id = %s ORDER BY created_at DESC LIMIT 1",
        (plan_id,),
    ).fetchone()
    return JobRow.from_json(row[0], row[1]) if row else None


def plan_outcome(connection: psycopg.Connection, plan_id: str) -> tuple[str | None, int]:
    """(learning_plans.generation_status, number of `success` generation attempts) of the plan."""
    row = connection.execute(
        "SELECT (SELECT generation_status::text FROM learning_plans WHERE id = %(plan)s), "
        "(SELECT count(*) FROM generation_attempts WHERE plan_id = %(plan)s AND status = 'success')",
        {"plan": plan_id},
    ).fetchone()
    return (row[0], int(row[1])) if row else (None, 0)


def plan_owner(connection: psycopg.Connection, plan_id: str) -> UUID | None:
    row = connection.execute("SELECT user_id FROM learning_plans WHERE id = %s", (plan_id,)).fetchone()
    return row[0] if row else None


def plan_counts(connection: psycopg.Connection, plan_id: str) -> tuple[int, int]:
    """(modules, tasks) stored for the plan."""
    row = connection.execute(
        "SELECT (SELECT count(*) FROM modules WHERE plan_id = %(plan)s), "
        "(SELECT count(*) FROM tasks t JOIN modules m ON m.id = t.module_id WHERE m.plan_id = %(plan)s)",
        {"plan": plan_id},
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def module_ids(connection: psycopg.Connection, plan_id: str) -> set[UUID]:
    """The ids of the plan's modules (a regeneration replaces them all)."""
    rows = connection.execute("SELECT id FROM modules WHERE plan_id = %s", (plan_id,)).fetchall()
    return {row[0] for row in rows}
