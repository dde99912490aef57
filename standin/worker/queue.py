"""Job lifecycle on `job_queue`: claim, complete, fail or retry, release, reclaim.

Claims use `FOR UPDATE SKIP LOCKED` (the fix the real app got later), so workers never block each
other. The claim's `started_at` is the job's fencing token: every later write of this worker
requires it unchanged, so a job reclaimed or released while a slow handler still runs can never
be completed or failed by that handler afterwards.

`locked_by`/`locked_at` are written when the schema still has them (the example history drops
them in 0005, as the real app did later); nothing depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

_RETURNING = "id, plan_id, user_id, job_type::text, attempts, max_attempts, payload, started_at"
_APPEND_ERROR = (
    "jsonb_set(payload, '{errorHistory}', coalesce(payload->'errorHistory', '[]'::jsonb) || "
    "jsonb_build_array(jsonb_build_object('attempt', attempts + 1, 'error', %(error)s::text, "
    "'timestamp', now())))"
)
_FENCE = "id = %(id)s AND status = 'processing' AND started_at = %(token)s"


@dataclass(frozen=True)
class ClaimedJob:
    id: UUID
    plan_id: UUID | None
    user_id: UUID
    job_type: str
    attempts: int
    max_attempts: int
    payload: dict[str, Any]
    started_at: datetime  # the fencing token

    @property
    def fence(self) -> dict[str, Any]:
        return {"id": self.id, "token": self.started_at}


def has_lock_columns(connection: psycopg.Connection) -> bool:
    """Whether `job_queue` still has `locked_by` and `locked_at`."""
    row = connection.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = 'job_queue' AND column_name IN ('locked_by', 'locked_at')"
    ).fetchone()
    return bool(row and row[0] == 2)


class JobQueue:
    """The queue as one worker sees it: the job types it serves and the name it locks rows with."""

    def __init__(self, job_types: tuple[str, ...], worker_id: str, *, lock_columns: bool) -> None:
        self.job_types = list(job_types)
        self.worker_id = worker_id
        self._set_lock = ", locked_by = %(worker)s, locked_at = now()" if lock_columns else ""
        self._clear_lock = ", locked_by = NULL, locked_at = NULL" if lock_columns else ""

    def claim(self, connection: psycopg.Connection) -> ClaimedJob | None:
        """Take the most urgent due job, or None; concurrent claimers skip each other's rows."""
        row = connection.execute(
            "WITH next AS (SELECT id FROM job_queue WHERE status = 'pending' "
            "AND job_type = ANY(%(types)s::job_type[]) AND scheduled_for <= now() "
            "ORDER BY priority DESC, created_at ASC LIMIT 1 FOR UPDATE SKIP LOCKED) "
            "UPDATE job_queue AS j SET status = 'processing', started_at = clock_timestamp(), "
            f"updated_at = now() {self._set_lock} FROM next WHERE j.id = next.id "
            f"RETURNING {', '.join('j.' + column for column in _RETURNING.split(', '))}",
            {"types": self.job_types, "worker": self.worker_id},
        ).fetchone()
        return ClaimedJob(*row) if row else None

    def complete(self, connection: psycopg.Connection, job: ClaimedJob, result: dict[str, Any]) -> bool:
        """Mark the job completed; False when it is no longer this worker's (nothing written)."""
        cursor = connection.execute(
            "UPDATE job_queue SET status = 'completed', result = %(result)s, error = NULL, "
            f"completed_at = now(), updated_at = now() {self._clear_lock} WHERE {_FENCE}",
            {**job.fence, "result": Jsonb(result)},
        )
        return cursor.rowcount == 1

    def fail(self, connection: psycopg.Connection, job: ClaimedJob, error: str, *, retryable: bool) -> str | None:
        """Retry the job with backoff while attempts remain, else fail it and its plan.

        Returns the job's new status, or None when the job is no longer this worker's. A retry
        looks like the real app's: back to `pending` with `error` NULL and the message appended
        to `payload.errorHistory`, due after min(60, 2^attempts) seconds.
        """
        retry = retryable and job.attempts + 1 < job.max_attempts
        if retry:
            assignments = (
                "status = 'pending', error = NULL, result = NULL, started_at = NULL, completed_at = NULL, "
                "scheduled_for = now() + make_interval(secs => least(60, power(2, attempts + 1)))"
            )
        else:
            assignments = "status = 'failed', error = %(error)s, completed_at = now()"
        with connection.transaction():
            cursor = connection.execute(
                f"UPDATE job_queue SET {assignments}, attempts = attempts + 1, payload = {_APPEND_ERROR}, "
                f"updated_at = now() {self._clear_lock} WHERE {_FENCE}",
                {**job.fence, "error": error},
            )
            if cursor.rowcount != 1:
                return None
            if not retry and job.plan_id is not None:
                fail_plans(connection, [job.plan_id])
        return "pending" if retry else "failed"

    def release(self, connection: psycopg.Connection, job: ClaimedJob) -> bool:
        """Give an unfinished job back untouched (shutdown): `pending`, attempts unchanged."""
        cursor = connection.execute(
            "UPDATE job_queue SET status = 'pending', started_at = NULL, updated_at = now() "
            f"{self._clear_lock} WHERE {_FENCE}",
            job.fence,
        )
        return cursor.rowcount == 1

    def reclaim_stuck(self, connection: psycopg.Connection, older_than_s: float) -> int:
        """Put back jobs `processing` for longer than the bound (their worker died or hung).

        A reclaim counts as an attempt, so a job that hangs every worker ends `failed` after
        `max_attempts` instead of circling forever.
        """
        error = f"reclaimed after more than {older_than_s:g} s in processing (worker died or hung)"
        exhausted = "attempts + 1 >= max_attempts"
        with connection.transaction():
            rows = connection.execute(
                f"UPDATE job_queue SET status = (CASE WHEN {exhausted} THEN 'failed' ELSE 'pending' END)"
                f"::job_status, error = CASE WHEN {exhausted} THEN %(error)s END, "
                f"completed_at = CASE WHEN {exhausted} THEN now() END, started_at = NULL, "
                f"attempts = attempts + 1, payload = {_APPEND_ERROR}, scheduled_for = now(), "
                f"updated_at = now() {self._clear_lock} "
                "WHERE status = 'processing' AND job_type = ANY(%(types)s::job_type[]) "
                "AND started_at < now() - make_interval(secs => %(after)s) RETURNING plan_id, status::text",
                {"error": error, "types": self.job_types, "after": older_than_s},
            ).fetchall()
            fail_plans(connection, [plan for plan, status in rows if status == "failed" and plan])
        return len(rows)


def fail_plans(connection: psycopg.Connection, plan_ids: list[UUID]) -> None:
    """A plan whose job failed for good stops counting against the user's active-plan quota."""
    if plan_ids:
        connection.execute(
            "UPDATE learning_plans SET generation_status = 'failed', is_quota_eligible = false, "
            "updated_at = now() WHERE id = ANY(%s)",
            (plan_ids,),
        )
