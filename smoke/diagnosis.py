"""Say why a plan did not finish, from its job row: no worker, a failing worker, or a hung one.

The real app's status route cannot tell these apart (a retried job goes back to `pending` with a
NULL error, contract §1.4), but the job row can:
- never claimed (`pending`, no attempts): no worker is taking jobs;
- claimed and re-queued (`pending`, attempts rising): the worker runs and fails each attempt;
- stuck in `processing`: the worker hung, or was killed mid-job and nothing reclaimed the row.
`locked_by`/`locked_at` are shown when the schema has them; the verdict never needs them.
"""

from __future__ import annotations

from smoke.db import JobRow


def diagnose(job: JobRow | None, worker: str = "worker") -> str:
    """One sentence naming the likely cause, with the row's evidence; `worker` names who should claim it."""
    if job is None:
        return "no job_queue row exists for the plan: the API did not enqueue it, or it was deleted"
    age = (job.database_now - job.created_at).total_seconds()
    if job.status == "pending" and job.attempts == 0:
        verdict = f"the job was never claimed in {age:.1f} s: no {worker} is taking jobs from the queue"
    elif job.status == "pending":
        last = f", last error {job.last_history_error!r}" if job.last_history_error else ""
        verdict = f"the job was claimed and re-queued {job.attempts} time(s): the {worker} is failing it{last}"
    elif job.status == "processing":
        since = (job.database_now - job.started_at).total_seconds() if job.started_at else age
        verdict = f"the job is stuck in processing for {since:.1f} s: the {worker} hung or was killed mid-job"
    elif job.status == "failed":
        verdict = f"the job failed: {job.error or job.last_history_error or 'no error recorded'}"
    else:
        verdict = f"the job is {job.status}"
    return f"{verdict} ({evidence(job)})"


def evidence(job: JobRow) -> str:
    return (
        f"status {job.status}, attempts {job.attempts}/{job.max_attempts}, locked_by {job.locked_by}, "
        f"locked_at {job.locked_at}, error {job.error!r}"
    )
