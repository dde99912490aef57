"""`pytest -m "post_deploy and queue_health"`: after a deploy, no job is stranded in `processing`
past the graceful bound and due pending jobs are being drained. Read-only; names the jobs.

The database is the environment's (`database_url_env` in gates.toml); `GATES_QUEUE_DRAIN_WINDOW_S`
(default 10) is how long it watches due jobs for progress.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from fly.queue import inspect_queue
from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget, ConnectError
from gates.dsn import mask
from gates.env import env_number
from gates.failclosed import fail
from gates.inputs import Inputs, database_url

DRAIN_WINDOW_ENV = "GATES_QUEUE_DRAIN_WINDOW_S"
DEFAULT_DRAIN_WINDOW_S = 10.0
SHOWN_JOBS = 5


@pytest.mark.post_deploy
@pytest.mark.queue_health
def test_no_stranded_jobs_and_the_queue_drains(
    gates_config: GatesConfig, gates_env: Environment, connect_budget: ConnectBudget
) -> None:
    inputs = Inputs()
    window = inputs.read(
        lambda: env_number(os.environ, DRAIN_WINDOW_ENV, DEFAULT_DRAIN_WINDOW_S, minimum=0, exclusive=True)
    )
    url = inputs.read(
        lambda: database_url(os.environ, gates_env.database_url_env, "queue_health reads the job queue there")
    )
    inputs.settle(gates_env, "queue_health cannot run: ")
    assert window is not None and url is not None
    try:
        verdict = inspect_queue(
            url, bound_s=gates_config.fly.graceful_shutdown_s, window_s=window, connect_budget=connect_budget
        )
    except (ConnectError, psycopg.Error) as error:
        fail(f"queue_health cannot reach {mask(url)}: {error}")
    problems = []
    if verdict.stranded:
        jobs = ", ".join(job.describe() for job in verdict.stranded[:SHOWN_JOBS])
        problems.append(
            f"{len(verdict.stranded)} job(s) stranded in processing longer than the "
            f"{gates_config.fly.graceful_shutdown_s:g} s graceful bound, nothing will reclaim them: {jobs}"
        )
    if verdict.undrained:
        jobs = ", ".join(job.describe() for job in verdict.undrained[:SHOWN_JOBS])
        problems.append(
            f"{len(verdict.undrained)} due pending job(s) were not drained: no job was claimed or finished "
            f"in {window:g} s: {jobs}"
        )
    if problems:
        fail("; ".join(problems))
