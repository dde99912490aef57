"""The smoke gate's own overhead: smoke wall time (both legs) minus the mock provider's time, and CPU per poll.

    python bench/smoke_overhead.py [--runs 5] [--delay-ms 2000]

Starts the stand-in (API, generator and regenerator) on a scratch Postgres (embedded, or
`GATES_SCRATCH_DATABASE_URL`), with the mock provider taking `--delay-ms` and the worker polling
every 50 ms so the stand-in's own claim latency stays small (it is reported apart, by the database
clock). Each run is one full smoke run as the gate does it: preflight, create, poll, verify and
regeneration (the second mock generation) and cleanup. The mock provider runs twice per smoke run,
so its time is twice `--delay-ms`. The target is an overhead under 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gates.config import find_config, load_config
from gates.connect import ConnectBudget
from gates.dsn import Dsn
from gates.scratch_db import ScratchServer
from gates.secret import Secret
from smoke.auth import StaticToken
from smoke.flow import run_smoke
from smoke.settings import SmokeSettings
from standin.settings import DEFAULT_TEST_USER
from standin.stack import running

API_KEY = "bench-key"
TARGET_S = 1.5
GENERATIONS_PER_RUN = 2  # the generated plan, then its regeneration


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay-ms", type=int, default=2000)
    args = parser.parse_args()
    delay_s = GENERATIONS_PER_RUN * args.delay_ms / 1000
    migrations = load_config(find_config(Path.cwd())).migrations
    env = {"MOCK_GENERATION_DELAY_MS": str(args.delay_ms), "WORKER_POLL_INTERVAL_MS": "50"}
    overheads = []
    with ScratchServer.start() as server, tempfile.TemporaryDirectory() as logs:
        database_url = server.create_database()
        with running(database_url, migrations, api_key=API_KEY, log_dir=Path(logs), env=env) as stack:
            settings = SmokeSettings(
                api_url=stack.api_url,
                database_url=Dsn(database_url),
                test_user=DEFAULT_TEST_USER,
                auth=StaticToken(Secret(API_KEY)),
            )
            print(f"{'run':>3} {'wall s':>7} {'overhead s':>10} {'polls':>5} {'CPU ms/poll':>11} {'queued s':>8}")
            for run in range(1, args.runs + 1):
                started = time.perf_counter()
                result = run_smoke(settings, connect_budget=ConnectBudget(20), report=lambda line: None)
                wall = time.perf_counter() - started
                overheads.append(wall - delay_s)
                queued = (result.job.started_at - result.job.created_at).total_seconds() if result.job.started_at else 0
                print(
                    f"{run:>3} {wall:>7.3f} {wall - delay_s:>10.3f} {result.polls:>5} "
                    f"{1000 * result.poll_cpu_s / max(result.polls, 1):>11.2f} {queued:>8.3f}"
                )
    median = statistics.median(overheads)
    verdict = "met" if median < TARGET_S else "MISSED"
    print(f"overhead median {median:.3f} s, max {max(overheads):.3f} s; target < {TARGET_S:g} s: {verdict}")
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
