"""Local drill time to restore: drill_neon on the embedded Postgres (target: under 15 s on 2 cores),
and drill_fly on the local Fly platform.

drill_neon: migrates a scratch "production" database with the example Atlaris history, adds a
user, records a point in time, and runs the local drill `RUNS` times, printing the time to a usable
restored branch and the whole drill. drill_fly: deploys two builds of the stand-in worker (one
machine, immediate strategy) on a scratch database and runs the drill `RUNS` times without the
smoke (`[drills] fly_smoke = false`: the figure is the platform's rollback and restore alone),
printing the time to restored and the whole drill.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg

from drills.fly_drill import FlyDrillTarget, run_fly_drill
from drills.neon_drill import NeonDrillTarget, run_neon_drill
from fly.apps import LOCAL_APPS
from fly.local_platform import STATE_FILE, LocalApp, LocalFlyPlatform
from gates.config import DrillSettings, MigrationSettings
from gates.connect import ConnectBudget
from gates.dsn import Dsn, database_name
from gates.local_neon import LocalNeon
from gates.scratch_db import ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.prelude import run_prelude
from migrations_checks.lint.reader import read_folder
from standin.schema import bootstrap
from standin.settings import DEFAULT_TEST_USER

REPO = Path(__file__).resolve().parents[1]
PRELUDE = REPO / "migrations_checks/db/preludes/neon_rls.sql"
RUNS = 5
WORKER_FAST = {"MOCK_GENERATION_DELAY_MS": "200", "WORKER_POLL_INTERVAL_MS": "50", "STANDIN_SHUTDOWN_GRACE_S": "1"}


def bench_neon(server: ScratchServer) -> list[tuple[float, float]]:
    settings = MigrationSettings(path=REPO / "examples/atlaris/migrations", prelude=PRELUDE)
    migrations = read_folder(settings.path)
    url = Dsn(server.create_database())
    budget = ConnectBudget(10)
    local = LocalNeon(url, connect_budget=budget)
    try:
        run_prelude(url, settings, connect_budget=budget)
        apply_pending(url, migrations, lock_timeout="5s", statement_timeout="60s", connect_budget=budget)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("INSERT INTO users (clerk_user_id, email) VALUES ('bench', 'bench@example.com')")
        local.record_point(database_name(url) or "")
        target = NeonDrillTarget(
            local, database_name(url) or "", url, DrillSettings(point_age_minutes=0), settings, budget, migrations
        )
        figures = []
        for _ in range(RUNS):
            report = run_neon_drill(target)
            if not report.passed:
                sys.exit(f"drill_neon failed: {report.message}")
            figures.append((report.timings["time_to_usable_branch_s"], report.total_s))
        return figures
    finally:
        local.drop_points(database_name(url) or "")
        server.drop_database(url)


def bench_fly(server: ScratchServer) -> list[tuple[float, float]]:
    url = server.create_database()
    app = LOCAL_APPS["worker"]
    with tempfile.TemporaryDirectory() as folder:
        platform = LocalFlyPlatform(
            Path(folder) / STATE_FILE, {app: LocalApp("worker", 1, 5.0)}, {"DATABASE_URL": url, **WORKER_FAST}
        )
        try:
            bootstrap(
                url, MigrationSettings(path=REPO / "examples/atlaris/migrations", prelude=PRELUDE), DEFAULT_TEST_USER
            )
            for version in (1, 2):
                platform.deploy(app, platform.build(version), strategy="immediate", wait_timeout_s=60)
            figures = []
            for _ in range(RUNS):
                report = run_fly_drill(FlyDrillTarget(platform, app, 60.0, None, "immediate"))
                if not report.passed:
                    sys.exit(f"drill_fly failed: {report.message}")
                figures.append((report.timings["time_to_restored_s"], report.total_s))
            return figures
        finally:
            platform.stop_all()
            server.drop_database(url)


# name -> (what the first figure measures, the bench)
BENCHES: dict[str, tuple[str, Callable[[ScratchServer], list[tuple[float, float]]]]] = {
    "drill_neon (local)": ("time to usable restored branch", bench_neon),
    "drill_fly (local, no smoke)": ("time to restored", bench_fly),
}


def main() -> None:
    with ScratchServer.start() as server:
        for name, (measures, bench) in BENCHES.items():
            figures = bench(server)
            first = [figure[0] for figure in figures]
            total = [figure[1] for figure in figures]
            print(
                f"{name}: {measures} median {statistics.median(first):.2f} s "
                f"(max {max(first):.2f}), whole drill median {statistics.median(total):.2f} s "
                f"(max {max(total):.2f}) over {len(figures)} runs; target under 15 s"
            )


if __name__ == "__main__":
    main()
