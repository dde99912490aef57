"""Benchmark: a whole clean rehearsal, each stage's time, and three repeated runs.

    python bench/rehearse_bench.py [--runs 3]

Runs `python -m rehearse` as a person would (its own embedded Postgres, CI=true for plain
output) and prints each stage's time per run, the wall time, and what was left behind: processes
that carry the run's marker variable, and files in the run's TMPDIR. Target: a whole rehearsal
under 45 s on 2 cores, with no growth from run to run and nothing left.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.helpers.leftovers import MARK_VARIABLE, marked_processes

TARGET_S = 45.0


def one_run() -> tuple[float, dict, int, int]:
    folder = Path(tempfile.mkdtemp(prefix="rh-bench-"))
    (folder / "tmp").mkdir()
    mark = uuid.uuid4().hex
    env = {**os.environ, "CI": "true", "TMPDIR": str(folder / "tmp"), MARK_VARIABLE: mark}
    env.setdefault("XDG_RUNTIME_DIR", str(folder / "runtime"))
    env.pop("GATES_SCRATCH_DATABASE_URL", None)
    report = folder / "report.json"
    command = [sys.executable, "-m", "rehearse", "--report", str(report)]
    began = time.monotonic()
    subprocess.run(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.monotonic() - began
    data = json.loads(report.read_text())
    left_processes = len(marked_processes(mark))
    left_files = len(list((folder / "tmp").iterdir()))
    shutil.rmtree(folder, ignore_errors=True)
    return wall, data, left_processes, left_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    walls = []
    for run in range(1, args.runs + 1):
        wall, data, processes, files = one_run()
        walls.append(wall)
        stages = ", ".join(
            f"{stage['name']} {stage['duration_s']:.1f}" for stage in data["stages"] if stage["outcome"] != "not run"
        )
        print(
            f"run {run}: wall {wall:.1f} s (stages {data['duration_s'] - data['teardown_s']:.1f} s, "
            f"teardown {data['teardown_s']:.1f} s); exit {data['exit_code']}; {stages}; "
            f"left behind: {processes} processes, {files} files"
        )
        for drill in data["drills"]:
            times = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in drill["timings"].items())
            print(f"  {drill['drill']} on {drill['target']}: {drill['outcome']}; {times}")
    verdict = "met" if max(walls) < TARGET_S else "missed"
    print(f"slowest run {max(walls):.1f} s: target under {TARGET_S:.0f} s {verdict}")


if __name__ == "__main__":
    main()
