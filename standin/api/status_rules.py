"""The two status rule sets of the real app (contract §1.4 and §1.5); they disagree on purpose.

`/status` derives its answer from the plan's job rows and whether modules exist; detail derives it
from modules, the latest job and the attempt rows, and never says `processing`. Neither reads
`learning_plans.generation_status`.
"""

from __future__ import annotations

from collections.abc import Sequence

ATTEMPT_CAP = 3


def status_route(job_statuses: Sequence[str], has_modules: bool) -> str:
    """`GET /plans/{id}/status`: `job_statuses` newest first."""
    latest = job_statuses[0] if job_statuses else None
    if "processing" in job_statuses:
        return "processing"
    if has_modules and latest == "completed":
        return "ready"
    if latest == "failed":
        return "failed"
    if latest == "completed":
        return "failed"  # completed without modules
    return "pending"


def detail_route(
    has_modules: bool,
    latest_job_status: str | None,
    latest_attempt: tuple[str, str | None] | None,
    attempt_count: int,
) -> str:
    """`GET /plans/{id}`: `latest_attempt` is (status, classification) of the newest attempt row."""
    if has_modules:
        return "ready"
    if latest_job_status == "failed":
        return "failed"
    if (
        latest_attempt is not None
        and latest_attempt[0] == "failure"
        and latest_attempt[1]
        in (
            "validation",
            "capped",
        )
    ):
        return "failed"
    if attempt_count >= ATTEMPT_CAP:
        return "failed"
    return "pending"
