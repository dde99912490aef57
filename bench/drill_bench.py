"""Local drill time to restore: drill_neon on the embedded Postgres (target: under 15 s on 2 cores).

Migrates a scratch "production" database with the example Atlaris history, adds a user, records
a point in time, and runs the local drill_neon `RUNS` times, printing the time to a usable
restored branch and the whole drill. drill_fly joins as one more entry of `BENCHES`.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg

from drills.neon_drill import NeonDrillTarget, run_neon_drill
from gates.config import DrillSettings, MigrationSettings
from gates.dsn import Dsn, database_name
from gates.local_neon import LocalNeon
from gates.scratch_db import ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.prelude import run_prelude
from migrations_checks.lint.reader import read_folder

REPO = Path(__file__).resolve().parents[1]
RUNS = 5


def bench_neon(server: ScratchServer) -> list[tuple[float, float]]:
    settings = MigrationSettings(
        path=REPO / "examples/atlaris/migrations", prelude=REPO / "migrations_checks/preludes/neon_rls.sql"
    )
    migrations = read_folder(settings.path)
    url = Dsn(server.create_database())
    local = LocalNeon(url)
    try:
        run_prelude(url, settings)
        apply_pending(url, migrations, lock_timeout="5s", statement_timeout="60s", connect_budget_s=10)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("INSERT INTO users (clerk_user_id, email) VALUES ('bench', 'bench@example.com')")
        local.record_point(database_name(url) or "")
        target = NeonDrillTarget(
            local, database_name(url) or "", url, DrillSettings(point_age_minutes=0), settings, migrations
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


BENCHES: dict[str, Callable[[ScratchServer], list[tuple[float, float]]]] = {"drill_neon (local)": bench_neon}


def main() -> None:
    with ScratchServer.start() as server:
        for name, bench in BENCHES.items():
            figures = bench(server)
            usable = [figure[0] for figure in figures]
            total = [figure[1] for figure in figures]
            print(
                f"{name}: time to usable restored branch median {statistics.median(usable):.2f} s "
                f"(max {max(usable):.2f}), whole drill median {statistics.median(total):.2f} s "
                f"(max {max(total):.2f}) over {len(figures)} runs; target under 15 s"
            )


if __name__ == "__main__":
    main()
