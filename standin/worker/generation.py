"""One job's work: generate a plan's modules and tasks, and record the outcome as the app does.

Success writes, in one transaction, what the real worker writes (contract §2.5): the modules and
tasks, a `success` attempt row, the completed job with its result, the plan `ready`, one usage
event and this month's usage counter. A provider error writes a `failure` attempt row and puts the
job back for a retry. The injected worker faults act here, where a real broken deploy would.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
import time
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from standin.faults import Fault
from standin.settings import StandinSettings
from standin.worker import mock_provider
from standin.worker.queue import ClaimedJob, JobQueue

log = logging.getLogger("standin.worker")


class _PlanGone(Exception):
    """The job's plan no longer belongs to the job's user; nothing can be generated."""


def run_job(connection: psycopg.Connection, queue: JobQueue, job: ClaimedJob, settings: StandinSettings) -> str:
    """Process one claimed job; returns its new status (`completed`, `pending`, `failed`, `lost`)."""
    try:
        topic, skill_level, learning_style = _plan_inputs(connection, job)
    except _PlanGone as error:
        return queue.fail(connection, job, str(error), retryable=False) or "lost"
    if Fault.WORKER_CRASH in settings.faults:
        log.error("injected fault worker_crash: the worker process dies with job %s in hand", job.id)
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs, as when the OOM killer strikes
    started = time.monotonic()
    try:
        if Fault.WORKER_JOB_ERROR in settings.faults:
            raise RuntimeError("injected fault worker_job_error: the job raised while generating")
        if Fault.WORKER_HANG in settings.faults:
            threading.Event().wait()  # hangs until the process ends, as a stuck AI call would
        modules = mock_provider.generate(topic, skill_level, learning_style, delay_s=settings.mock_delay_s)
    except Exception as error:
        return _record_failure(connection, queue, job, f"{type(error).__name__}: {error}", started)
    if Fault.WORKER_EMPTY in settings.faults:
        modules = ()
    return _record_success(connection, queue, job, modules, started, topic)


def _plan_inputs(connection: psycopg.Connection, job: ClaimedJob) -> tuple[str, str, str]:
    """Topic, skill level and learning style: from the job payload, a regeneration's overrides on top."""
    row = connection.execute(
        "SELECT topic, skill_level::text, learning_style::text FROM learning_plans WHERE id = %s AND user_id = %s",
        (job.plan_id, job.user_id),
    ).fetchone()
    if row is None:
        raise _PlanGone(f"plan {job.plan_id} not found for user {job.user_id}")
    given = (job.payload.get("overrides") or {}) if job.job_type == "plan_regeneration" else job.payload
    return (
        str(given.get("topic") or row[0]),
        str(given.get("skillLevel") or row[1]),
        str(given.get("learningStyle") or row[2]),
    )


def _record_failure(
    connection: psycopg.Connection, queue: JobQueue, job: ClaimedJob, error: str, started: float
) -> str:
    with connection.transaction() as transaction:
        _insert_attempt(connection, job.plan_id, "failure", "provider_error", started, 0, 0, None)
        status = queue.fail(connection, job, error, retryable=True)
        if status is None:
            raise psycopg.Rollback(transaction)
    return status or "lost"


def _record_success(
    connection: psycopg.Connection,
    queue: JobQueue,
    job: ClaimedJob,
    modules: tuple[mock_provider.GeneratedModule, ...],
    started: float,
    topic: str,
) -> str:
    tasks_count = sum(len(module.tasks) for module in modules)
    with connection.transaction() as transaction:
        connection.execute("DELETE FROM modules WHERE plan_id = %s", (job.plan_id,))
        for order, module in enumerate(modules, start=1):
            _insert_module(connection, job.plan_id, order, module)
        attempt_id = _insert_attempt(
            connection, job.plan_id, "success", None, started, len(modules), tasks_count, topic
        )
        result = {
            "modulesCount": len(modules),
            "tasksCount": tasks_count,
            "durationMs": _elapsed_ms(started),
            "metadata": {
                "provider": {
                    "provider": mock_provider.PROVIDER,
                    "model": mock_provider.MODEL,
                    "usage": mock_provider.USAGE,
                },
                "attemptId": str(attempt_id),
            },
        }
        if not queue.complete(connection, job, result):
            raise psycopg.Rollback(transaction)  # reclaimed or released meanwhile: not ours to finish
        connection.execute(
            "UPDATE learning_plans SET generation_status = 'ready', is_quota_eligible = true, "
            "finalized_at = now(), updated_at = now() WHERE id = %s",
            (job.plan_id,),
        )
        _record_usage(connection, job.user_id)
        return "completed"
    return "lost"


def _insert_module(
    connection: psycopg.Connection, plan_id: UUID | None, order: int, module: mock_provider.GeneratedModule
) -> None:
    row = connection.execute(
        'INSERT INTO modules (plan_id, "order", title, description, estimated_minutes) '
        "VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (plan_id, order, module.title, module.description, module.estimated_minutes),
    ).fetchone()
    assert row is not None
    with connection.cursor() as cursor:
        cursor.executemany(
            'INSERT INTO tasks (module_id, "order", title, description, estimated_minutes) VALUES (%s, %s, %s, %s, %s)',
            [
                (row[0], number, task.title, task.description, task.estimated_minutes)
                for number, task in enumerate(module.tasks, start=1)
            ],
        )


def _insert_attempt(
    connection: psycopg.Connection,
    plan_id: UUID | None,
    status: str,
    classification: str | None,
    started: float,
    modules_count: int,
    tasks_count: int,
    topic: str | None,
) -> UUID:
    metadata: dict[str, Any] = {"provider": mock_provider.PROVIDER, "model": mock_provider.MODEL}
    prompt_hash = hashlib.sha256(topic.encode("utf-8")).hexdigest() if topic else None
    row = connection.execute(
        "INSERT INTO generation_attempts (plan_id, status, classification, duration_ms, modules_count, "
        "tasks_count, prompt_hash, metadata) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            plan_id,
            status,
            classification,
            _elapsed_ms(started),
            modules_count,
            tasks_count,
            prompt_hash,
            Jsonb(metadata),
        ),
    ).fetchone()
    assert row is not None
    return row[0]


def _record_usage(connection: psycopg.Connection, user_id: UUID) -> None:
    usage = mock_provider.USAGE
    connection.execute(
        "INSERT INTO ai_usage_events (user_id, provider, model, input_tokens, output_tokens) "
        "VALUES (%s, %s, %s, %s, %s)",
        (user_id, mock_provider.PROVIDER, mock_provider.MODEL, usage["promptTokens"], usage["completionTokens"]),
    )
    connection.execute(
        "INSERT INTO usage_metrics (user_id, month, plans_generated) VALUES (%s, to_char(now(), 'YYYY-MM'), 1) "
        "ON CONFLICT (user_id, month) DO UPDATE SET plans_generated = usage_metrics.plans_generated + 1, "
        "updated_at = now()",
        (user_id,),
    )


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
