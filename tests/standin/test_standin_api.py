"""The stand-in's API answers as the real app does (contract §1), through its real process."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

Factory = Callable[..., Any]
Http = Callable[..., httpx.Client]
BODY = {"topic": "Learning Rust", "skillLevel": "beginner", "weeklyHours": 5, "learningStyle": "mixed"}


def _wait_status(api: httpx.Client, plan_id: str, wanted: str, timeout_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        body = api.get(f"/api/v1/plans/{plan_id}/status").json()
        if body["status"] == wanted or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def _user_id(db: psycopg.Connection) -> uuid.UUID:
    row = db.execute("SELECT id FROM users WHERE clerk_user_id = 'user_smoke_test'").fetchone()
    assert row is not None
    return row[0]


def _insert_plan(db: psycopg.Connection, status: str = "generating", eligible: bool = False) -> uuid.UUID:
    row = db.execute(
        "INSERT INTO learning_plans (user_id, topic, skill_level, weekly_hours, learning_style, generation_status, "
        "is_quota_eligible) VALUES (%s, 'other plan', 'beginner', 3, 'reading', %s, %s) RETURNING id",
        (_user_id(db), status, eligible),
    ).fetchone()
    assert row is not None
    return row[0]


def test_a_created_plan_is_enqueued_generated_and_shown_in_detail(
    standin: Factory, http: Http, db: psycopg.Connection
) -> None:
    with standin() as stack:
        api = http(stack)
        created = api.post("/api/v1/plans", json={**BODY, "notes": "n", "extra": "dropped"})
        assert created.status_code == 201, created.text
        plan = created.json()
        assert set(plan) == {
            "id",
            "topic",
            "skillLevel",
            "weeklyHours",
            "learningStyle",
            "visibility",
            "origin",
            "createdAt",
            "status",
        }
        assert plan["status"] == "pending" and plan["createdAt"].endswith("Z")
        job = db.execute(
            "SELECT job_type::text, priority, payload FROM job_queue WHERE plan_id = %s", (plan["id"],)
        ).fetchone()
        assert job is not None and job[0] == "plan_generation" and job[1] == 1
        assert job[2]["notes"] == "n" and job[2]["deadlineDate"] is None

        status = _wait_status(api, plan["id"], "ready")
        assert status["status"] == "ready" and status["latestJobStatus"] == "completed"
        assert status["attempts"] == 1 and status["latestJobError"] is None
        detail = api.get(f"/api/v1/plans/{plan['id']}").json()
        assert detail["status"] == "ready"
        assert 3 <= len(detail["modules"]) <= 5
        assert [module["order"] for module in detail["modules"]] == list(range(1, len(detail["modules"]) + 1))
        assert all(3 <= len(module["tasks"]) <= 5 for module in detail["modules"])
        assert detail["modules"][0]["tasks"][0]["status"] == "not_started"
        assert detail["latestAttempt"]["status"] == "success"
        assert detail["latestAttempt"]["modulesCount"] == len(detail["modules"])


def test_a_bad_body_is_the_apps_400_with_field_errors(standin: Factory, http: Http) -> None:
    with standin(("api",)) as stack:
        answer = http(stack).post("/api/v1/plans", json={**BODY, "weeklyHours": "5", "topic": "ab"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "Invalid request body." and body["code"] == "VALIDATION_ERROR"
    assert set(body["details"]["fieldErrors"]) == {"weeklyHours", "topic"}


def test_without_the_key_clerk_answers_404_signed_out(standin: Factory, http: Http) -> None:
    with standin(("api",)) as stack:
        answer = http(stack, key="wrong").post("/api/v1/plans", json=BODY)
        anonymous = httpx.get(stack.api_url + "/api/health/worker")
    for response in (answer, anonymous):
        assert response.status_code == 404
        assert response.headers["x-clerk-auth-status"] == "signed-out"


def test_delete_is_the_stub_and_bad_ids_are_400_or_404(standin: Factory, http: Http) -> None:
    with standin(("api",)) as stack:
        api = http(stack)
        plan_id = api.post("/api/v1/plans", json=BODY).json()["id"]
        deleted = api.delete(f"/api/v1/plans/{plan_id}")
        malformed = api.get("/api/v1/plans/not-a-uuid/status")
        missing = api.get(f"/api/v1/plans/{uuid.uuid4()}")
    assert (deleted.status_code, deleted.json()["error"]) == (400, "Plan deletion is not yet implemented.")
    assert (malformed.status_code, malformed.json()["error"]) == (400, "Invalid plan id format.")
    assert (missing.status_code, missing.json()["error"]) == (404, "Learning plan not found.")


def test_without_a_users_row_create_is_400_and_status_404(standin: Factory, http: Http, db: psycopg.Connection) -> None:
    with standin(("api",), STANDIN_TEST_USER="user_not_provisioned") as stack:
        db.execute("DELETE FROM users WHERE clerk_user_id = 'user_not_provisioned'")
        api = http(stack)
        created = api.post("/api/v1/plans", json=BODY)
        status = api.get(f"/api/v1/plans/{uuid.uuid4()}/status")
    assert (created.status_code, created.json()["error"]) == (400, "User record not found. Cannot create plan.")
    assert (status.status_code, status.json()["error"]) == (404, "User not found.")


def test_the_apps_limits_block_creates(standin: Factory, http: Http, db: psycopg.Connection) -> None:
    with standin(("api",)) as stack:
        api = http(stack)
        too_long = api.post("/api/v1/plans", json={**BODY, "startDate": "2030-01-01", "deadlineDate": "2030-02-15"})
        capped_plan = _insert_plan(db, status="failed")
        for _ in range(3):
            db.execute(
                "INSERT INTO generation_attempts (plan_id, status, classification, duration_ms, modules_count, "
                "tasks_count) VALUES (%s, 'failure', 'provider_error', 1, 0, 0)",
                (capped_plan,),
            )
        capped = api.post("/api/v1/plans", json=BODY)
        db.execute("DELETE FROM learning_plans WHERE id = %s", (capped_plan,))
        for _ in range(3):
            _insert_plan(db)
        over_quota = api.post("/api/v1/plans", json=BODY)
        db.execute("DELETE FROM learning_plans")
        plan = _insert_plan(db, status="ready", eligible=True)
        for _ in range(10):
            db.execute(
                "INSERT INTO job_queue (plan_id, user_id, job_type, status, payload) "
                "VALUES (%s, %s, 'plan_generation', 'completed', %s)",
                (plan, _user_id(db), Jsonb({})),
            )
        rate_limited = api.post("/api/v1/plans", json=BODY)
    assert too_long.status_code == 403 and too_long.json() == {
        "error": "free tier limited to 2-week plans. Upgrade to create longer plans."
    }
    assert capped.status_code == 429 and capped.json()["code"] == "ATTEMPTS_CAPPED"
    assert capped.json()["details"] == {"planId": str(capped_plan)}
    assert over_quota.status_code == 500 and over_quota.json()["code"] == "INTERNAL_ERROR"
    assert rate_limited.status_code == 429 and rate_limited.json()["retryAfter"] == 3600


def test_the_worker_health_route_reads_only_the_queue(standin: Factory, http: Http, db: psycopg.Connection) -> None:
    with standin(("api",)) as stack:
        api = http(stack)
        healthy = api.get("/api/health/worker")
        plan = _insert_plan(db)
        db.execute(
            "INSERT INTO job_queue (plan_id, user_id, job_type, status, started_at, payload) VALUES "
            "(%s, %s, 'plan_generation', 'processing', now() - interval '11 minutes', '{}')",
            (plan, _user_id(db)),
        )
        stuck = api.get("/api/health/worker")
    assert healthy.status_code == 200 and healthy.json()["status"] == "healthy"
    assert stuck.status_code == 503
    assert stuck.json()["reason"] == "1 stuck job(s) detected"
    assert stuck.json()["checks"]["stuckJobs"] == {"status": "fail", "count": 1, "threshold": 600000}


def test_the_api_error_fault_answers_500_everywhere(standin: Factory, http: Http) -> None:
    with standin(("api",), STANDIN_FAULTS="api_error") as stack:
        api = http(stack)
        answers = [api.post("/api/v1/plans", json=BODY), api.get("/api/health/worker")]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(500, "INTERNAL_ERROR")] * 2
