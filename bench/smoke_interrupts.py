"""Leftovers after smoke runs in a row, every fifth one stopped by SIGINT, SIGTERM or its timeout.

    python bench/smoke_interrupts.py [--runs 50] [--seed 9]

Starts the stand-in (API, generator, regenerator) on a scratch Postgres (embedded, or
`GATES_SCRATCH_DATABASE_URL`) and the suite's fake Clerk, then runs `pytest -m smoke --gates-env
local` in a child process `--runs` times, signing in through Clerk (the fake mints the stand-in's
key as the session token). Every fifth run is interrupted, in turn by SIGINT, SIGTERM and by its
own total budget (pytest-timeout); a signal lands a random 0 to 2 s after the run's plan appears,
so it hits generation, verification, regeneration or cleanup. After each run, before the next
one's preflight could tidy up, it counts the rows left in the plan tables and the sessions Clerk
still holds open. Expected: 0 and 0 after every run.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from gates.config import find_config, load_config
from gates.scratch_db import ScratchServer
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack, running

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite's fake Clerk
from tests.helpers.developer_env import developer_environ
from tests.helpers.fake_clerk import SECRET, FakeClerk

API_KEY = "bench-interrupt-key"
STANDIN_ENV = {"MOCK_GENERATION_DELAY_MS": "700", "WORKER_POLL_INTERVAL_MS": "50", "STANDIN_SHUTDOWN_GRACE_S": "1"}
PLAN_TABLES = (  # everything a smoke run creates; the user row and usage counters stay by design
    "learning_plans",
    "modules",
    "tasks",
    "task_progress",
    "plan_schedules",
    "generation_attempts",
    "job_queue",
)
INJECTIONS = ("SIGINT", "SIGTERM", "timeout")
TIMEOUT_BUDGET = {"SMOKE_TOTAL_BUDGET_S": "1", "SMOKE_POLL_BUDGET_S": "0.99"}  # under one generation: fires mid-poll


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    migrations = load_config(find_config(Path.cwd())).migrations
    totals = {"rows": 0, "sessions": 0}
    began = time.monotonic()
    outcomes: dict[str, int] = {}
    clerk = FakeClerk(jwt=API_KEY)
    with ScratchServer.start() as server, tempfile.TemporaryDirectory() as folder, clerk.serving():
        database_url = server.create_database()
        logs = Path(folder)
        # Each run regenerates once, and the test user's month allows five: lift the quota past the runs.
        env = {**STANDIN_ENV, "STANDIN_REGENERATION_QUOTA": str(args.runs)}
        with running(database_url, migrations, api_key=API_KEY, log_dir=logs, env=env) as stack:
            print(f"{'run':>3} {'injected':>8} {'exit':>4} {'wall s':>6} {'rows left':>9} {'sessions left':>13}")
            for run in range(1, args.runs + 1):
                injected = INJECTIONS[(run // 5 - 1) % len(INJECTIONS)] if run % 5 == 0 else "none"
                started = time.monotonic()
                code = _one_run(stack, database_url, clerk, injected, rng, logs / f"run-{run}.out")
                rows, sessions = _rows_left(database_url), _sessions_left(clerk)
                totals["rows"] += rows
                totals["sessions"] += sessions
                outcome = f"{injected}: exit {code}"
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                print(f"{run:>3} {injected:>8} {code:>4} {time.monotonic() - started:>6.2f} {rows:>9} {sessions:>13}")
                if code != (0 if injected == "none" else 1 if injected == "timeout" else 2):
                    print(f"    unexpected exit: {_failure_line(logs / f'run-{run}.out')}")
    print("outcomes: " + ", ".join(f"{count} x {outcome}" for outcome, count in sorted(outcomes.items())))
    print(
        f"{args.runs} runs in {time.monotonic() - began:.0f} s: "
        f"{totals['rows']} rows and {totals['sessions']} Clerk sessions left behind in all"
    )
    return 0 if totals == {"rows": 0, "sessions": 0} else 1


def _one_run(stack: Stack, database_url: str, clerk: FakeClerk, injected: str, rng: random.Random, out: Path) -> int:
    env = developer_environ(
        SMOKE_TEST_API_URL=stack.api_url,
        SMOKE_TEST_DATABASE_URL=database_url,
        SMOKE_TEST_CLERK_USER_ID=DEFAULT_TEST_USER,
        CLERK_SECRET_KEY=SECRET,
        CLERK_API_URL=clerk.url,
        **(TIMEOUT_BUDGET if injected == "timeout" else {}),
    )
    command = [sys.executable, "-m", "pytest", "-m", "smoke", "--gates-env", "local", "-p", "no:cacheprovider", "smoke"]
    with out.open("w") as output:
        gate = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        if injected.startswith("SIG"):
            _wait_for_plan(database_url, gate)
            time.sleep(rng.uniform(0, 2))
            gate.send_signal(getattr(signal, injected))
        return gate.wait(timeout=120)


def _failure_line(out: Path) -> str:
    lines = out.read_text(errors="replace").splitlines()
    said = [line for line in lines if "smoke failed" in line or "cannot run" in line or "Error" in line]
    return (said or lines[-1:] or ["no output"])[0].strip()


def _wait_for_plan(database_url: str, gate: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    with psycopg.connect(database_url, autocommit=True) as connection:
        while gate.poll() is None and time.monotonic() < deadline:
            if connection.execute("SELECT 1 FROM learning_plans LIMIT 1").fetchone():
                return
            time.sleep(0.02)
    raise SystemExit("a run never created its plan; see its output in the log folder")


def _rows_left(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as connection:
        counts = [connection.execute(f'SELECT count(*) FROM "{table}"').fetchone() for table in PLAN_TABLES]
    return sum(int(row[0]) for row in counts if row)


def _sessions_left(clerk: FakeClerk) -> int:
    """Sessions Clerk created minus those it revoked (the fake answers every revocation with 200)."""
    paths = clerk.paths()
    return paths.count("/v1/sessions") - sum(1 for path in paths if path.endswith("/revoke"))


if __name__ == "__main__":
    sys.exit(main())
