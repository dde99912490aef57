"""The worker process: poll the queue, run one job at a time, stop cleanly on SIGTERM/SIGINT.

Shutdown never strands a job: on a signal the loop stops claiming, gives the job in hand up to
`STANDIN_SHUTDOWN_GRACE_S` to finish (the mock provider ignores aborts, as the real one does),
and otherwise hands it back to `pending` before exiting 1. A worker killed outright (SIGKILL, OOM)
leaves its job `processing`; any later worker puts it back once it has been there longer than
`STANDIN_RECLAIM_AFTER_S`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from types import FrameType

import psycopg

from gates.connect import ConnectBudget, connect
from standin.faults import Fault
from standin.settings import StandinSettings
from standin.worker.generation import run_job
from standin.worker.health import WorkerState, serve_health
from standin.worker.queue import ClaimedJob, JobQueue, has_lock_columns
from standin.worker.schema_check import mapped_type_mismatches

log = logging.getLogger("standin.worker")

JOB_TYPES = {
    # src/workers/index.ts claimed regenerations too, which hid a regenerator that never started; here
    # each worker app serves its own job type, so the smoke's regeneration leg proves the regenerator.
    "generator": ("plan_generation",),
    "regenerator": ("plan_regeneration",),  # src/workers/plan-regenerator.ts
}
EXIT_FAULT = 3
CONNECT_BUDGET_S = 10.0
JOIN_SLICE_S = 0.05


class Worker:
    def __init__(self, kind: str, settings: StandinSettings) -> None:
        self.kind = kind
        self.settings = settings
        self.stop = threading.Event()
        self.worker_id = f"{kind}-{socket.gethostname()}-{os.getpid()}"
        self.state = WorkerState(
            kind=kind,
            worker_id=self.worker_id,
            release=settings.release,
            run_token=settings.run_token,
            reclaim_after_s=settings.reclaim_after_s,
            stall_after_s=max(10.0, 5 * settings.poll_interval_s),
        )

    def run(self) -> int:
        """Serve until a signal; 0 after a clean stop, 1 when a job had to be handed back."""
        if Fault.WORKER_EXIT in self.settings.faults:
            log.error("injected fault worker_exit: %s exits at start", self.kind)
            return EXIT_FAULT
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        with connect(self.settings.database_url, budget=ConnectBudget(CONNECT_BUDGET_S)) as connection:
            mismatches = (
                mapped_type_mismatches(connection) if Fault.WORKER_STRICT_SCHEMA in self.settings.faults else []
            )
            if mismatches:
                log.error(
                    "injected fault worker_strict_schema: %s refuses to start: %s", self.kind, "; ".join(mismatches)
                )
                return EXIT_FAULT
            queue = JobQueue(JOB_TYPES[self.kind], self.worker_id, lock_columns=has_lock_columns(connection))
            server = (
                serve_health(self.state, self.settings.host, self.settings.health_port)
                if self.settings.health_port
                else None
            )
            log.info(
                "%s polling every %.3f s for %s",
                self.worker_id,
                self.settings.poll_interval_s,
                ", ".join(queue.job_types),
            )
            try:
                return self._loop(connection, queue)
            finally:
                if server is not None:
                    server.shutdown()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("%s received %s; stopping", self.worker_id, signal.Signals(signum).name)
        self.state.stopping = True
        self.stop.set()

    def _loop(self, connection: psycopg.Connection, queue: JobQueue) -> int:
        while not self.stop.is_set():
            self.state.beat()
            reclaimed = queue.reclaim_stuck(connection, self.settings.reclaim_after_s)
            if reclaimed:
                log.warning("reclaimed %d job(s) stuck in processing", reclaimed)
            job = queue.claim(connection)
            if job is None:
                self.stop.wait(self.settings.poll_interval_s)
            elif not self._run(connection, queue, job):
                return 1
        return 0

    def _run(self, connection: psycopg.Connection, queue: JobQueue, job: ClaimedJob) -> bool:
        """Run `job` on a thread; False when shutdown came and it had to be handed back."""
        log.info("claimed job %s (%s) for plan %s", job.id, job.job_type, job.plan_id)
        self.state.start_job(job.id)
        thread = threading.Thread(target=self._work, args=(queue, job), name=f"job-{job.id}", daemon=True)
        thread.start()
        while thread.is_alive() and not self.stop.is_set():
            thread.join(JOIN_SLICE_S)
            self.state.beat()
        thread.join(self.settings.shutdown_grace_s)
        if not thread.is_alive():
            return True
        released = queue.release(connection, job)
        log.warning(
            "job %s did not finish within %.1f s of the stop signal; %s",
            job.id,
            self.settings.shutdown_grace_s,
            "handed back to pending" if released else "no longer ours",
        )
        return False

    def _work(self, queue: JobQueue, job: ClaimedJob) -> None:
        status = "lost"
        try:
            with psycopg.connect(self.settings.database_url, autocommit=True) as connection:
                status = run_job(connection, queue, job, self.settings)
        except Exception:
            log.exception("job %s raised; it stays processing until reclaimed", job.id)
        finally:
            self.state.end_job(status)
        log.info("job %s -> %s", job.id, status)
