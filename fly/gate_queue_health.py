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
from gates.connect import ConnectError
from gates.dsn import mask
from gates.env import EnvError, env_number
from gates.failclosed import cannot_decide, fail

DRAIN_WINDOW_ENV = "GATES_QUEUE_DRAIN_WINDOW_S"
DEFAULT_DRAIN_WINDOW_S = 10.0
SHOWN_JOBS = 5


@pytest.mark.post_deploy
@pytest.mark.queue_health
def test_no_stranded_jobs_and_the_queue_drains(gates_config: GatesConfig, gates_env: Environment) -> None:
    url = os.environ.get(gates_env.database_url_env)
    if not url:
        cannot_decide(gates_env, f"queue_health needs the database: set {gates_env.database_url_env}")
    try:
        window = env_number(os.environ, DRAIN_WINDOW_ENV, DEFAULT_DRAIN_WINDOW_S, minimum=0, exclusive=True)
        verdict = inspect_queue(url, bound_s=gates_config.fly.graceful_shutdown_s, window_s=window)
    except EnvError as error:
        fail(str(error))
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
