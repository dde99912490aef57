"""The plan routes: create and enqueue, status, detail, delete (contract §1.3 to §1.6).

Checks run in the real app's order and answer with its status codes and bodies, including its
rough edges (an over-quota create is a 500; delete is a stub that always answers 400), because the
smoke gate must work against the real app unchanged.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from standin.api import status_rules
from standin.api.context import Request, Response, iso
from standin.api.errors import AppError, FlatError
from standin.api.validation import CreatePlan, parse_create, parse_uuid

RATE_LIMIT_PER_HOUR = 10
MAX_WEEKS = {"free": 2, "starter": 8}  # pro: unlimited
ACTIVE_PLAN_LIMIT = {"free": 3, "starter": 10}  # pro: unlimited
TIER_PRIORITY = {"free": 1, "starter": 5, "pro": 10}
PRIORITY_TOPICS = re.compile(r"\b(interview prep|ai engineering|machine learning|data structures)\b", re.I)


def create_plan(request: Request) -> Response:
    plan = parse_create(request.body)
    db = request.connection
    user = db.execute(
        "SELECT id, subscription_tier::text FROM users WHERE clerk_user_id = %s", (request.clerk_user_id,)
    ).fetchone()
    if user is None:
        raise AppError(400, "User record not found. Cannot create plan.", "VALIDATION_ERROR")
    user_id, tier = user
    recent = db.execute(
        "SELECT count(*) FROM job_queue WHERE user_id = %s AND job_type = 'plan_generation' "
        "AND created_at > now() - interval '60 minutes'",
        (user_id,),
    ).fetchone()
    if recent and recent[0] >= RATE_LIMIT_PER_HOUR:
        raise AppError(
            429,
            "Too many plan generation requests. Please try again later.",
            "RATE_LIMITED",
            classification="rate_limit",
            retry_after=3600,
        )
    _check_duration(plan, tier)
    capped = db.execute(
        "SELECT p.id FROM learning_plans p WHERE p.user_id = %s "
        "AND NOT EXISTS (SELECT 1 FROM modules m WHERE m.plan_id = p.id) "
        "AND (SELECT count(*) FROM generation_attempts a WHERE a.plan_id = p.id) >= %s LIMIT 1",
        (user_id, status_rules.ATTEMPT_CAP),
    ).fetchone()
    if capped:
        raise AppError(
            429,
            "Generation attempt cap reached for a previous plan.",
            "ATTEMPTS_CAPPED",
            classification="capped",
            details={"planId": str(capped[0])},
        )
    with db.transaction():
        db.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,))
        active = db.execute(
            "SELECT count(*) FROM learning_plans WHERE user_id = %s AND (is_quota_eligible "
            "OR (generation_status = 'generating' AND NOT is_quota_eligible))",
            (user_id,),
        ).fetchone()
        limit = ACTIVE_PLAN_LIMIT.get(tier)
        if limit is not None and active and active[0] >= limit:
            raise RuntimeError(f"active plan limit of {limit} reached")  # the real app's plain Error: a 500
        row = db.execute(
            "INSERT INTO learning_plans (user_id, topic, skill_level, weekly_hours, learning_style, start_date, "
            "deadline_date, visibility, origin) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'ai') "
            "RETURNING id, created_at",
            (
                user_id,
                plan.topic,
                plan.skill_level,
                plan.weekly_hours,
                plan.learning_style,
                plan.start_date,
                plan.deadline_date,
                plan.visibility,
            ),
        ).fetchone()
    assert row is not None
    plan_id, created_at = row
    priority = TIER_PRIORITY.get(tier, 1) + (3 if PRIORITY_TOPICS.search(plan.topic) else 0)
    db.execute(  # not atomic with the plan insert, exactly as in the real app
        "INSERT INTO job_queue (plan_id, user_id, job_type, priority, payload) "
        "VALUES (%s, %s, 'plan_generation', %s, %s)",
        (plan_id, user_id, priority, Jsonb(plan.job_payload())),
    )
    return 201, {
        "id": str(plan_id),
        "topic": plan.topic,
        "skillLevel": plan.skill_level,
        "weeklyHours": plan.weekly_hours,
        "learningStyle": plan.learning_style,
        "visibility": plan.visibility,
        "origin": "ai",
        "createdAt": iso(created_at),
        "status": "pending",
    }


def _check_duration(plan: CreatePlan, tier: str) -> None:
    """The tier's plan-length cap: weeks from start (default today, UTC) to deadline, 2 without one."""
    weeks = 2
    if plan.deadline_date is not None:
        start = plan.start_date or datetime.now(UTC).date()
        weeks = max(1, math.ceil((plan.deadline_date - start).days / 7))
    limit = MAX_WEEKS.get(tier)
    if limit is not None and weeks > limit:
        raise FlatError(403, f"{tier} tier limited to {limit}-week plans. Upgrade to create longer plans.")


def plan_status(request: Request) -> Response:
    plan_id = parse_uuid(request.params["plan_id"])
    with request.as_user() as db:
        plan = _own_plan(db, request, plan_id)
        jobs = db.execute(
            "SELECT id, status::text, error FROM job_queue WHERE plan_id = %s ORDER BY created_at DESC",
            (plan_id,),
        ).fetchall()
        has_modules = _has_modules(db, plan_id)
    latest = jobs[0] if jobs else None
    return 200, {
        "planId": plan_id,
        "status": status_rules.status_route([job[1] for job in jobs], has_modules),
        "attempts": len(jobs),
        "latestJobId": str(latest[0]) if latest else None,
        "latestJobStatus": latest[1] if latest else None,
        "latestJobError": latest[2] if latest else None,
        "createdAt": iso(plan[1]),
        "updatedAt": iso(plan[2]),
    }


def plan_detail(request: Request) -> Response:
    plan_id = parse_uuid(request.params["plan_id"])
    with request.as_user() as db:
        plan = _own_plan(db, request, plan_id)
        modules = db.execute(
            'SELECT id, "order", title, description, estimated_minutes FROM modules WHERE plan_id = %s '
            'ORDER BY "order"',
            (plan_id,),
        ).fetchall()
        tasks = db.execute(
            'SELECT t.module_id, t.id, t."order", t.title, t.description, t.estimated_minutes, '
            "coalesce(tp.status::text, 'not_started') FROM tasks t JOIN modules m ON m.id = t.module_id "
            'LEFT JOIN task_progress tp ON tp.task_id = t.id WHERE m.plan_id = %s ORDER BY t."order"',
            (plan_id,),
        ).fetchall()
        attempts = db.execute(
            "SELECT id, status, classification, duration_ms, modules_count, tasks_count, truncated_topic, "
            "truncated_notes, normalized_effort, prompt_hash, metadata, created_at FROM generation_attempts "
            "WHERE plan_id = %s ORDER BY created_at DESC",
            (plan_id,),
        ).fetchall()
        latest_job = db.execute(
            "SELECT status::text FROM job_queue WHERE plan_id = %s ORDER BY created_at DESC LIMIT 1", (plan_id,)
        ).fetchone()
    latest_attempt = attempts[0] if attempts else None
    status = status_rules.detail_route(
        bool(modules),
        latest_job[0] if latest_job else None,
        (latest_attempt[1], latest_attempt[2]) if latest_attempt else None,
        len(attempts),
    )
    return 200, {
        "id": plan_id,
        "topic": plan[3],
        "skillLevel": plan[4],
        "weeklyHours": plan[5],
        "learningStyle": plan[6],
        "visibility": plan[7],
        "origin": plan[8],
        "createdAt": iso(plan[1]),
        "status": status,
        "latestAttempt": _attempt_body(latest_attempt) if latest_attempt else None,
        "modules": [
            {
                "id": str(module[0]),
                "order": module[1],
                "title": module[2],
                "description": module[3],
                "estimatedMinutes": module[4],
                "tasks": [
                    {
                        "id": str(task[1]),
                        "order": task[2],
                        "title": task[3],
                        "description": task[4],
                        "estimatedMinutes": task[5],
                        "status": task[6],
                        "resources": [],
                    }
                    for task in tasks
                    if task[0] == module[0]
                ],
            }
            for module in modules
        ],
    }


def delete_plan(request: Request) -> Response:
    """A stub at f1bb2835: after auth it always refuses (clean up in SQL instead)."""
    raise AppError(400, "Plan deletion is not yet implemented.", "VALIDATION_ERROR")


def _own_plan(db: psycopg.Connection, request: Request, plan_id: str) -> tuple[Any, ...]:
    """The caller's plan row; RLS hides other users' plans, which then read as missing."""
    if db.execute("SELECT 1 FROM users WHERE clerk_user_id = %s", (request.clerk_user_id,)).fetchone() is None:
        raise AppError(404, "User not found.", "NOT_FOUND")
    plan = db.execute(
        "SELECT id, created_at, updated_at, topic, skill_level::text, weekly_hours, learning_style::text, "
        "visibility, origin FROM learning_plans WHERE id = %s",
        (plan_id,),
    ).fetchone()
    if plan is None:
        raise AppError(404, "Learning plan not found.", "NOT_FOUND")
    return tuple(plan)


def _has_modules(db: psycopg.Connection, plan_id: str) -> bool:
    row = db.execute("SELECT EXISTS (SELECT 1 FROM modules WHERE plan_id = %s)", (plan_id,)).fetchone()
    return bool(row and row[0])


def _attempt_body(row: tuple[Any, ...]) -> dict[str, Any]:
    metadata = row[10] or {}
    return {
        "id": str(row[0]),
        "status": row[1],
        "classification": row[2],
        "durationMs": row[3],
        "modulesCount": row[4],
        "tasksCount": row[5],
        "truncatedTopic": row[6],
        "truncatedNotes": row[7],
        "normalizedEffort": row[8],
        "promptHash": row[9],
        "metadata": metadata,
        "model": metadata.get("model"),
        "createdAt": iso(row[11]),
    }
