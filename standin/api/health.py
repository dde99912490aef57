"""`GET /api/health/worker` (contract §1.7): the queue's view of worker health.

It reads the whole queue with the service role and, like the real route, never checks that a
worker process is alive: a dead worker on a quiet queue reads healthy. The workers' own health
endpoints (`standin.worker.health`) answer that question.
"""

from __future__ import annotations

from datetime import UTC, datetime

from standin.api.context import Request, Response, iso

STUCK_AFTER_MS = 600_000
BACKLOG_LIMIT = 100


def worker_health(request: Request) -> Response:
    now = iso(datetime.now(UTC))
    try:
        row = request.connection.execute(
            "SELECT count(*) FILTER (WHERE status = 'processing' AND started_at < now() - "
            "make_interval(secs => %s)), count(*) FILTER (WHERE status = 'pending') FROM job_queue",
            (STUCK_AFTER_MS / 1000,),
        ).fetchone()
    except Exception as error:
        failed = {"status": "fail", "count": 0}
        return 503, {
            "status": "unhealthy",
            "timestamp": now,
            "reason": f"Health check failed: {error}",
            "checks": {
                "stuckJobs": {**failed, "threshold": STUCK_AFTER_MS},
                "backlog": {**failed, "threshold": BACKLOG_LIMIT},
            },
        }
    stuck, backlog = row if row else (0, 0)
    reasons = []
    if stuck > 0:
        reasons.append(f"{stuck} stuck job(s) detected")
    if backlog > BACKLOG_LIMIT:
        reasons.append(f"backlog of {backlog} pending jobs exceeds threshold")
    body = {
        "status": "unhealthy" if reasons else "healthy",
        "timestamp": now,
        "checks": {
            "stuckJobs": {"status": "fail" if stuck else "ok", "count": stuck, "threshold": STUCK_AFTER_MS},
            "backlog": {
                "status": "fail" if backlog > BACKLOG_LIMIT else "ok",
                "count": backlog,
                "threshold": BACKLOG_LIMIT,
            },
        },
    }
    if reasons:
        body["reason"] = "; ".join(reasons)
    return (503 if reasons else 200), body
