"""The smoke's regeneration leg: prove the regenerator finishes a `plan_regeneration` job.

After the generated plan is verified, `POST /api/v1/plans/{id}/regenerate` (contract §1.8)
enqueues a regeneration; the leg polls the plan's newest job row until it is `completed` or
`failed`, then checks that the plan's modules were replaced (none of the generated ones is left)
and that the new ones have tasks, in the database and through the API. A job never claimed is
named as the regenerator's fault: it is the only worker that serves regenerations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import psycopg

from smoke.api_client import ApiError, PlanApi
from smoke.auth import AuthError
from smoke.db import latest_job, module_ids, plan_counts
from smoke.diagnosis import diagnose, evidence
from smoke.poller import Backoff, poll

FINISHED = ("completed", "failed")
REGENERATOR = "regenerator"


class RegenerationFailure(Exception):
    """The leg failed; the message says what was seen."""


@dataclass(frozen=True)
class Regenerated:
    modules: int
    tasks: int
    polls: int


def regenerate(
    api: PlanApi, db: psycopg.Connection, plan_id: str, *, budget_s: float, rng: random.Random
) -> Regenerated:
    before = module_ids(db, plan_id)
    try:
        api.regenerate_plan(plan_id)
    except (ApiError, AuthError) as error:
        raise RegenerationFailure(str(error)) from None
    outcome = poll(
        lambda _remaining: latest_job(db, plan_id),
        lambda job: job is not None and job.status in FINISHED,
        budget_s=budget_s,
        backoff=Backoff(),
        rng=rng,
    )
    job = outcome.last
    if not outcome.done or job is None:
        raise RegenerationFailure(
            f"the plan_regeneration job of plan {plan_id} was not finished within {budget_s:g} s "
            f"({outcome.polls} polls): {diagnose(job, REGENERATOR)}"
        )
    if job.status != "completed":
        raise RegenerationFailure(f"the plan_regeneration job of plan {plan_id} failed: {diagnose(job, REGENERATOR)}")
    after = module_ids(db, plan_id)
    modules, tasks = plan_counts(db, plan_id)
    try:
        detail = api.plan_detail(plan_id)
    except (ApiError, AuthError) as error:
        raise RegenerationFailure(str(error)) from None
    listed = detail.get("modules")
    api_modules = len(listed) if isinstance(listed, list) else 0
    kept = before & after
    if kept or min(modules, tasks, api_modules) == 0 or job.result_counts != (modules, tasks):
        raise RegenerationFailure(
            f"after regeneration plan {plan_id} has {modules} modules ({len(kept)} kept from the generation) and "
            f"{tasks} tasks, {api_modules} modules through the API, the job recorded {job.result_counts}; expected "
            f"new modules with tasks; job: {evidence(job)}"
        )
    return Regenerated(modules, tasks, outcome.polls)
