"""`POST /api/v1/plans/{planId}/regenerate` (contract §1.8): enqueue a `plan_regeneration` job.

The body is optional, `{overrides: {...}}` with the create schema's fields; unknown keys are
rejected. Regenerations are counted per month in `usage_metrics.regenerations_used`, incremented
at enqueue; over the tier's quota, and for a missing or foreign plan, the answers use the flat
error shape, as the real route does. `STANDIN_REGENERATION_QUOTA` replaces every tier's quota, for
benches that smoke more often in a month than a tier allows; unset, the contract's quotas hold.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from standin.api.context import Request, Response
from standin.api.errors import FlatError, validation_error

MONTHLY_QUOTA = {"free": 5, "starter": 10, "pro": 50}
OVERRIDE_KEYS = ("topic", "notes", "skillLevel", "weeklyHours", "learningStyle", "startDate", "deadlineDate")


def regenerate_plan(request: Request) -> Response:
    overrides = _overrides(request.body)
    db = request.connection
    try:
        plan_id = str(UUID(request.params["plan_id"]))
    except ValueError:
        raise FlatError(404, "Plan not found") from None
    row = db.execute(
        "SELECT p.id, u.id, u.subscription_tier::text FROM learning_plans p JOIN users u ON u.id = p.user_id "
        "WHERE p.id = %s AND u.clerk_user_id = %s",
        (plan_id, request.clerk_user_id),
    ).fetchone()
    if row is None:
        raise FlatError(404, "Plan not found")
    _, user_id, tier = row
    with db.transaction():
        used = db.execute(
            "SELECT regenerations_used FROM usage_metrics WHERE user_id = %s AND month = to_char(now(), 'YYYY-MM') "
            "FOR UPDATE",
            (user_id,),
        ).fetchone()
        quota = request.regeneration_quota
        if quota is None:
            quota = MONTHLY_QUOTA.get(tier, MONTHLY_QUOTA["free"])
        if used and used[0] >= quota:
            raise FlatError(429, "Regeneration quota exceeded for your subscription tier.")
        db.execute(
            "INSERT INTO usage_metrics (user_id, month, regenerations_used) VALUES (%s, to_char(now(), 'YYYY-MM'), 1) "
            "ON CONFLICT (user_id, month) DO UPDATE SET regenerations_used = usage_metrics.regenerations_used + 1, "
            "updated_at = now()",
            (user_id,),
        )
        db.execute(
            "INSERT INTO job_queue (plan_id, user_id, job_type, payload) VALUES (%s, %s, 'plan_regeneration', %s)",
            (plan_id, user_id, Jsonb({"planId": plan_id, "overrides": overrides})),
        )
    return 202, {"generationId": plan_id, "planId": plan_id, "status": "pending"}


def _overrides(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or set(body) - {"overrides"}:
        raise validation_error({key: ["Unrecognized key."] for key in (body or {}) if key != "overrides"})
    overrides = body.get("overrides") or {}
    unknown = set(overrides) - set(OVERRIDE_KEYS) if isinstance(overrides, dict) else {"overrides"}
    if unknown:
        raise validation_error({key: ["Unrecognized key."] for key in sorted(unknown)})
    return dict(overrides)
