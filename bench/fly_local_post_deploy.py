"""Local Fly platform: wall time to deploy both workers (rolling, waiting for health) and to run post_deploy.

    python bench/fly_local_post_deploy.py [--runs 3]

Each run deploys a new image to the generator's and the regenerator's local app (stopping the old
machines with SIGTERM), then runs `pytest -m post_deploy --gates-env local` in a child process, as
a workflow would, on a scratch Postgres (embedded, or `GATES_SCRATCH_DATABASE_URL`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fly.apps import LOCAL_APPS
from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform
from gates.config import find_config, load_config
from gates.scratch_db import ScratchServer
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER

FAST = {"MOCK_GENERATION_DELAY_MS": "200", "WORKER_POLL_INTERVAL_MS": "50", "STANDIN_SHUTDOWN_GRACE_S": "1"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    migrations = load_config(find_config(Path.cwd())).migrations
    deploys, gates = [], []
    with ScratchServer.start() as server, tempfile.TemporaryDirectory() as folder:
        database_url = server.create_database()
        bootstrap(database_url, migrations, DEFAULT_TEST_USER)
        work = Path(folder)
        (work / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
        apps = {app: LocalApp(role, 1, 5.0) for role, app in LOCAL_APPS.items()}
        platform = LocalFlyPlatform(work / STATE_FILE, apps, {"DATABASE_URL": database_url, **FAST})
        print(f"{'run':>3} {'deploy both s':>13} {'post_deploy s':>13}")
        try:
            for run in range(1, args.runs + 1):
                image = platform.build(run)
                started = time.perf_counter()
                for app in apps:
                    platform.deploy(app, image, strategy="rolling", wait_timeout_s=60)
                deploys.append(time.perf_counter() - started)
                started = time.perf_counter()
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "--pyargs",
                        "fly",
                        "-m",
                        "post_deploy",
                        "--gates-env",
                        "local",
                        f"--gates-config={work / 'gates.toml'}",
                        "-p",
                        "no:cacheprovider",
                        "-q",
                        "-o",
                        "python_files=gate_*.py",
                    ],
                    cwd=work,
                    env={**os.environ, "DATABASE_URL": database_url},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                gates.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(done.stdout[-2000:], file=sys.stderr)
                    return 1
                print(f"{run:>3} {deploys[-1]:>13.3f} {gates[-1]:>13.3f}")
        finally:
            platform.stop_all()
    print(f"median: deploy both {statistics.median(deploys):.3f} s, post_deploy {statistics.median(gates):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
