"""`POST /api/v1/plans/{id}/regenerate` on the stand-in (contract §1.8)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import psycopg

from standin.stack import Stack

Factory = Callable[..., AbstractContextManager[Stack]]
PLAN = {"topic": "Regenerate me", "skillLevel": "beginner", "weeklyHours": 5, "learningStyle": "mixed"}


def test_regenerate_enqueues_a_job_counts_quota_and_refuses_as_the_app_does(
    standin: Factory, http: Callable[..., httpx.Client], db: psycopg.Connection
) -> None:
    with standin(("api",)) as stack:
        client = http(stack)
        plan_id = client.post("/api/v1/plans", json=PLAN).json()["id"]
        answer = client.post(f"/api/v1/plans/{plan_id}/regenerate", json={"overrides": {"topic": "Again"}})
        assert answer.status_code == 202
        assert answer.json() == {"generationId": plan_id, "planId": plan_id, "status": "pending"}
        job = db.execute(
            "SELECT job_type::text, payload FROM job_queue WHERE plan_id = %s ORDER BY created_at DESC LIMIT 1",
            (plan_id,),
        ).fetchone()
        assert job == ("plan_regeneration", {"planId": plan_id, "overrides": {"topic": "Again"}})
        unknown = client.post(f"/api/v1/plans/{plan_id}/regenerate", json={"overrides": {"colour": "red"}})
        assert unknown.status_code == 400 and unknown.json()["code"] == "VALIDATION_ERROR"
        missing = client.post(f"/api/v1/plans/{uuid.uuid4()}/regenerate")
        assert (missing.status_code, missing.json()) == (404, {"error": "Plan not found"})
        for _ in range(4):  # the free tier's 5 per month, one used above
            assert client.post(f"/api/v1/plans/{plan_id}/regenerate").status_code == 202
        over = client.post(f"/api/v1/plans/{plan_id}/regenerate")
        assert (over.status_code, over.json()) == (
            429,
            {"error": "Regeneration quota exceeded for your subscription tier."},
        )


def test_the_regeneration_quota_setting_replaces_every_tiers_quota(
    standin: Factory, http: Callable[..., httpx.Client]
) -> None:
    with standin(("api",), STANDIN_REGENERATION_QUOTA="7") as stack:
        client = http(stack)
        plan_id = client.post("/api/v1/plans", json=PLAN).json()["id"]
        answers = [client.post(f"/api/v1/plans/{plan_id}/regenerate").status_code for _ in range(8)]
        assert answers == [202] * 7 + [429]
