"""The worker processes: they finish jobs, stop cleanly on signals, never strand a job, show health."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

from standin.stack import Stack

Factory = Callable[..., Any]


def _enqueue(db: psycopg.Connection) -> uuid.UUID:
    user = db.execute("SELECT id FROM users WHERE clerk_user_id = 'user_smoke_test'").fetchone()
    assert user is not None
    plan = db.execute(
        "INSERT INTO learning_plans (user_id, topic, skill_level, weekly_hours, learning_style) "
        "VALUES (%s, 'worker test', 'advanced', 4, 'practice') RETURNING id",
        (user[0],),
    ).fetchone()
    assert plan is not None
    db.execute(
        "INSERT INTO job_queue (plan_id, user_id, job_type, payload) VALUES (%s, %s, 'plan_generation', %s)",
        (plan[0], user[0], Jsonb({"topic": "worker test", "skillLevel": "advanced", "learningStyle": "practice"})),
    )
    return plan[0]


def _job(db: psycopg.Connection, plan_id: uuid.UUID) -> dict[str, Any]:
    row = db.execute("SELECT to_jsonb(j) FROM job_queue j WHERE plan_id = %s", (plan_id,)).fetchone()
    assert row is not None
    return row[0]


def _wait(check: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _exit_code(stack: Stack, name: str, timeout_s: float = 10) -> int | None:
    process = stack.component(name).process
    assert process is not None
    return process.wait(timeout_s)


def test_sigterm_lets_the_job_in_hand_finish(standin: Factory, db: psycopg.Connection) -> None:
    with standin(("generator",), MOCK_GENERATION_DELAY_MS="1000", STANDIN_SHUTDOWN_GRACE_S="5") as stack:
        plan = _enqueue(db)
        _wait(lambda: _job(db, plan)["status"] == "processing")
        stack.component("generator").signal(signal.SIGTERM)
        assert _exit_code(stack, "generator") == 0
    assert _job(db, plan)["status"] == "completed"
    modules = db.execute("SELECT count(*) FROM modules WHERE plan_id = %s", (plan,)).fetchone()
    assert modules is not None and modules[0] >= 3


def test_a_job_that_does_not_finish_in_the_grace_period_is_handed_back(
    standin: Factory, db: psycopg.Connection
) -> None:
    with standin(("generator",), STANDIN_FAULTS="worker_hang", STANDIN_SHUTDOWN_GRACE_S="0.3") as stack:
        plan = _enqueue(db)
        _wait(lambda: _job(db, plan)["status"] == "processing")
        stack.component("generator").signal(signal.SIGINT)
        assert _exit_code(stack, "generator") == 1
    job = _job(db, plan)
    assert (job["status"], job["attempts"], job["started_at"]) == ("pending", 0, None)


def test_a_job_stranded_by_a_killed_worker_is_reclaimed_by_the_next(standin: Factory, db: psycopg.Connection) -> None:
    plan = _enqueue(db)
    with standin(("generator",), STANDIN_FAULTS="worker_hang") as stack:
        _wait(lambda: _job(db, plan)["status"] == "processing")
        stack.component("generator").signal(signal.SIGKILL)
        _exit_code(stack, "generator")
    assert _job(db, plan)["status"] == "processing"  # stranded, as on the real app
    with standin(("generator",), STANDIN_RECLAIM_AFTER_S="0.5"):
        _wait(lambda: _job(db, plan)["status"] == "completed")
    assert _job(db, plan)["attempts"] == 1


def test_worker_health_turns_503_when_a_job_hangs_past_the_reclaim_bound(
    standin: Factory, db: psycopg.Connection
) -> None:
    with standin(("generator",), STANDIN_FAULTS="worker_hang", STANDIN_RECLAIM_AFTER_S="0.5") as stack:
        url = stack.component("generator").url
        idle = httpx.get(url)
        plan = _enqueue(db)
        _wait(lambda: _job(db, plan)["status"] == "processing")
        _wait(lambda: httpx.get(url).status_code == 503)
        hung = httpx.get(url).json()
    assert idle.status_code == 200 and idle.json()["status"] == "healthy"
    assert hung["inFlight"]["jobId"] == _job(db, plan)["id"] and "past the reclaim bound" in hung["reason"]


def test_job_error_and_empty_faults_fail_jobs_the_way_a_broken_deploy_does(
    standin: Factory, db: psycopg.Connection
) -> None:
    with standin(("generator",), STANDIN_FAULTS="worker_job_error"):
        raised = _enqueue(db)
        _wait(lambda: _job(db, raised)["attempts"] == 1)
    job = _job(db, raised)
    assert job["status"] == "pending" and job["error"] is None
    assert "worker_job_error" in job["payload"]["errorHistory"][0]["error"]
    with standin(("generator",), STANDIN_FAULTS="worker_empty"):
        empty = _enqueue(db)
        _wait(lambda: _job(db, empty)["status"] == "completed")
    modules = db.execute("SELECT count(*) FROM modules WHERE plan_id = %s", (empty,)).fetchone()
    assert modules == (0,)


def test_the_crash_fault_kills_the_worker_process_with_the_job_in_hand(
    standin: Factory, db: psycopg.Connection
) -> None:
    with standin(("generator",), STANDIN_FAULTS="worker_crash") as stack:
        assert stack.component("generator").exit_code() is None  # alive until it claims a job
        plan = _enqueue(db)
        assert _exit_code(stack, "generator") == -signal.SIGKILL
    job = _job(db, plan)
    assert (job["status"], job["attempts"], job["error"]) == ("processing", 0, None)  # stranded, never finished
    assert "injected fault worker_crash" in stack.component("generator").log.read_text()


def test_the_exit_fault_stops_the_worker_at_start(standin: Factory) -> None:
    with standin(("generator", "regenerator"), STANDIN_FAULTS="worker_exit") as stack:
        assert _exit_code(stack, "generator") == 3
        assert _exit_code(stack, "regenerator") == 3


def test_the_strict_schema_fault_starts_on_the_mapped_types_and_refuses_a_changed_one(
    standin: Factory, scratch_database: str
) -> None:
    with standin(("generator",), STANDIN_FAULTS="worker_strict_schema") as stack:
        assert stack.wait_ready() == {}  # topic is text, as the build maps it: the worker runs
    with psycopg.connect(scratch_database, autocommit=True) as db:
        db.execute('ALTER TABLE "learning_plans" ALTER COLUMN "topic" TYPE varchar(200)')
    with standin(("generator",), STANDIN_FAULTS="worker_strict_schema") as stack:
        assert _exit_code(stack, "generator") == 3
        log = stack.component("generator").log.read_text()
    assert "worker_strict_schema: generator refuses to start: learning_plans.topic is character varying" in log
