"""Time a cold `pytest -m pre_deploy --gates-env local` on the example history, Postgres start included.

    python bench/pre_deploy_cold.py [--runs 3]

Each run is a fresh process with no scratch server given (GATES_SCRATCH_DATABASE_URL and the
environments' database variables removed), so it starts the embedded Postgres itself, exactly as a
developer's first run does. The target is under 10 s on 2 cores. Prints each run's wall time and
pytest's summary line, then the best and the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLEARED = ("GATES_SCRATCH_DATABASE_URL", "DATABASE_URL", "DATABASE_URL_STAGING", "DATABASE_URL_PROD", "GATES_ENV")


def run_once() -> tuple[float, str, int]:
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "pre_deploy",
        "--gates-env",
        "local",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    lines = completed.stdout.strip().splitlines()
    return seconds, lines[-1] if lines else completed.stderr.strip(), completed.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for number in range(1, args.runs + 1):
        seconds, summary, code = run_once()
        times.append(seconds)
        print(f"run {number}: {seconds:6.2f} s  exit {code}  {summary}", flush=True)
    print(
        f"best {min(times):.2f} s, median {statistics.median(times):.2f} s on {os.cpu_count()} CPU(s); "
        "target < 10 s on 2 cores"
    )


if __name__ == "__main__":
    main()
