"""The worker's own health endpoint: is the loop alive, and is the job in hand moving?

The real app's `/api/health/worker` only reads the queue, so a dead worker on a quiet queue reads
healthy (contract §1.7). This endpoint is served by the worker process itself: it stops answering
when the process dies, and answers 503 when the loop stalls or a job runs past the reclaim bound.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from uuid import UUID

from standin.httpjson import JsonHandler, serve_in_thread
from standin.settings import RUN_TOKEN_HEADER


@dataclass
class WorkerState:
    """What the loop reports and the health thread reads; updated under a lock."""

    kind: str
    worker_id: str
    release: str
    run_token: str
    reclaim_after_s: float
    stall_after_s: float
    heartbeat: float = field(default_factory=time.monotonic)
    in_flight: tuple[UUID, float] | None = None
    completed: int = 0
    failed: int = 0
    stopping: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def beat(self) -> None:
        with self._lock:
            self.heartbeat = time.monotonic()

    def start_job(self, job_id: UUID) -> None:
        with self._lock:
            self.in_flight = (job_id, time.monotonic())

    def end_job(self, status: str) -> None:
        with self._lock:
            self.in_flight = None
            if status == "completed":
                self.completed += 1
            elif status in ("pending", "failed"):
                self.failed += 1

    def report(self) -> tuple[int, dict[str, Any]]:
        """HTTP status and body: 200 while healthy, 503 with the reasons otherwise."""
        now = time.monotonic()
        with self._lock:
            reasons = []
            if self.stopping:
                reasons.append("shutting down")
            if now - self.heartbeat > self.stall_after_s:
                reasons.append(f"loop stalled for {now - self.heartbeat:.1f} s")
            in_flight = None
            if self.in_flight is not None:
                job_id, since = self.in_flight
                in_flight = {"jobId": str(job_id), "runningForS": round(now - since, 3)}
                if now - since > self.reclaim_after_s:
                    reasons.append(f"job {job_id} running for {now - since:.1f} s, past the reclaim bound")
            body = {
                "status": "unhealthy" if reasons else "healthy",
                "kind": self.kind,
                "workerId": self.worker_id,
                "release": self.release,
                "inFlight": in_flight,
                "jobsCompleted": self.completed,
                "jobsFailed": self.failed,
            }
        if reasons:
            body["reason"] = "; ".join(reasons)
        return (503 if reasons else 200), body


def serve_health(state: WorkerState, host: str, port: int) -> ThreadingHTTPServer:
    """Answer `GET /health` from `state` on a background thread."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/health":
                self.send_json(404, {"error": "Not Found"})
                return
            self.send_json(*state.report(), [(RUN_TOKEN_HEADER, state.run_token)])

    return serve_in_thread(Handler, host, port)
