"""The queue's job lifecycle, on the real schema: claim, retry, fail, release, reclaim, fencing."""

from __future__ import annotations

import uuid
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from standin.worker.queue import JobQueue, has_lock_columns

GENERATOR = ("plan_generation", "plan_regeneration")


def _job(db: psycopg.Connection, *, priority: int = 0, max_attempts: int = 3) -> uuid.UUID:
    user = db.execute("SELECT id FROM users LIMIT 1").fetchone()
    assert user is not None
    plan = db.execute(
        "INSERT INTO learning_plans (user_id, topic, skill_level, weekly_hours, learning_style) "
        "VALUES (%s, 'queue test', 'beginner', 2, 'video') RETURNING id",
        (user[0],),
    ).fetchone()
    assert plan is not None
    job = db.execute(
        "INSERT INTO job_queue (plan_id, user_id, job_type, priority, max_attempts, payload) "
        "VALUES (%s, %s, 'plan_generation', %s, %s, %s) RETURNING id",
        (plan[0], user[0], priority, max_attempts, Jsonb({"topic": "queue test"})),
    ).fetchone()
    assert job is not None
    return job[0]


def _row(db: psycopg.Connection, job_id: uuid.UUID) -> dict:
    row = db.execute("SELECT to_jsonb(j) FROM job_queue j WHERE id = %s", (job_id,)).fetchone()
    assert row is not None
    return row[0]


def _queue(db: psycopg.Connection) -> JobQueue:
    return JobQueue(GENERATOR, "test-worker", lock_columns=has_lock_columns(db))


def test_claims_skip_rows_locked_by_another_claimer(db: psycopg.Connection, standin_db: str) -> None:
    urgent, other = _job(db, priority=5), _job(db)
    with psycopg.connect(standin_db) as holder:
        holder.execute("SELECT id FROM job_queue WHERE id = %s FOR UPDATE", (urgent,))  # a claim in flight
        claimed = _queue(db).claim(db)
        assert claimed is not None and claimed.id == other  # not blocked behind the locked row
    claimed_next = _queue(db).claim(db)
    assert claimed_next is not None and claimed_next.id == urgent
    assert _row(db, urgent)["status"] == "processing" and _row(db, urgent)["started_at"]
    assert _queue(db).claim(db) is None


def test_a_retry_looks_like_the_apps_and_the_last_attempt_fails_the_plan(db: psycopg.Connection) -> None:
    job_id = _job(db, max_attempts=2)
    queue = _queue(db)
    job = queue.claim(db)
    assert job is not None and queue.fail(db, job, "boom 1", retryable=True) == "pending"
    row = _row(db, job_id)
    assert (row["status"], row["attempts"], row["error"], row["started_at"]) == ("pending", 1, None, None)
    assert row["payload"]["errorHistory"][0]["error"] == "boom 1"
    assert datetime.fromisoformat(row["scheduled_for"]) > datetime.fromisoformat(row["updated_at"])
    db.execute("UPDATE job_queue SET scheduled_for = now() WHERE id = %s", (job_id,))
    job = queue.claim(db)
    assert job is not None and queue.fail(db, job, "boom 2", retryable=True) == "failed"
    row = _row(db, job_id)
    assert (row["status"], row["attempts"], row["error"]) == ("failed", 2, "boom 2")
    plan = db.execute(
        "SELECT generation_status::text, is_quota_eligible FROM learning_plans WHERE id = %s", (row["plan_id"],)
    ).fetchone()
    assert plan == ("failed", False)


def test_a_released_or_reclaimed_job_can_no_longer_be_finished_by_its_old_holder(db: psycopg.Connection) -> None:
    job_id = _job(db)
    queue = _queue(db)
    job = queue.claim(db)
    assert job is not None and queue.release(db, job)
    row = _row(db, job_id)
    assert (row["status"], row["attempts"], row["started_at"]) == ("pending", 0, None)
    assert not queue.complete(db, job, {})
    assert queue.fail(db, job, "late", retryable=True) is None
    assert _row(db, job_id)["status"] == "pending"


def test_jobs_stuck_in_processing_are_reclaimed_and_finally_failed(db: psycopg.Connection) -> None:
    job_id = _job(db, max_attempts=2)
    queue = _queue(db)
    assert queue.claim(db) is not None
    assert queue.reclaim_stuck(db, 60) == 0  # not stuck yet
    db.execute("UPDATE job_queue SET started_at = now() - interval '2 minutes' WHERE id = %s", (job_id,))
    assert queue.reclaim_stuck(db, 60) == 1
    row = _row(db, job_id)
    assert (row["status"], row["attempts"], row["error"]) == ("pending", 1, None)
    assert "reclaimed" in row["payload"]["errorHistory"][-1]["error"]
    assert queue.claim(db) is not None
    db.execute("UPDATE job_queue SET started_at = now() - interval '2 minutes' WHERE id = %s", (job_id,))
    assert queue.reclaim_stuck(db, 60) == 1
    row = _row(db, job_id)
    assert (row["status"], row["attempts"]) == ("failed", 2) and "reclaimed" in row["error"]


def test_lock_columns_are_written_while_the_schema_has_them(db: psycopg.Connection) -> None:
    db.execute(
        "ALTER TABLE job_queue ADD COLUMN IF NOT EXISTS locked_at timestamptz, ADD COLUMN IF NOT EXISTS locked_by text"
    )  # the schema before 0005 dropped them
    job_id = _job(db)
    queue = _queue(db)
    job = queue.claim(db)
    row = _row(db, job_id)
    assert row["locked_by"] == "test-worker" and row["locked_at"]
    assert job is not None and queue.complete(db, job, {"modulesCount": 0})
    row = _row(db, job_id)
    assert (row["status"], row["locked_by"], row["locked_at"]) == ("completed", None, None)
