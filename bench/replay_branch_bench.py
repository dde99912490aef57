"""The branch replay on a 1-million-row table: a rewrite against a metadata-only change, and the gate's overhead.

    python bench/replay_branch_bench.py [--rows 1000000] [--repeat 3]

On the embedded Postgres (or GATES_SCRATCH_DATABASE_URL), a target database holds `big` with the
given rows. Two pending migrations are measured, each on its own template copy:

- `ADD COLUMN token uuid DEFAULT gen_random_uuid()`: a volatile default, so every row is rewritten;
- `ADD COLUMN flag int DEFAULT 0`: a constant default, stored in the catalog (metadata only).

For each it prints the ACCESS EXCLUSIVE time on `big` the gate measured, the migration's own time
(the same migration applied by the plain migrator to a fresh copy, no sampling), and the gate's
whole run (sweep, copy, replay with sampling, delete); the overhead is the whole run minus the
migration's own time, split into copying, sampling and deleting. Figures are medians of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from gates.config import BranchReplaySettings, MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.branch_copy import LocalTemplateCopies, copy_name, new_run_id
from migrations_checks.db.branch_replay import replay_on_a_new_copy
from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import MigrationSet, read_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the Drizzle folder writer of the suite's tests
from tests.helpers import write_drizzle

BASE = "CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL);"
CASES = {
    "rewrite": "ALTER TABLE big ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    "metadata only": "ALTER TABLE big ADD COLUMN flag int DEFAULT 0;",
}


def history(folder: Path, pending: str | None) -> MigrationSet:
    files = {"0000_base": BASE} if pending is None else {"0000_base": BASE, "0001_next": pending}
    return read_folder(write_drizzle(folder, files))


def migrate(url: str, migrations: MigrationSet, settings: MigrationSettings) -> float:
    start = time.perf_counter()
    apply_pending(url, migrations, lock_timeout="5s", statement_timeout="10min", connect_budget=ConnectBudget(10))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    budgets = BranchReplaySettings(lock_budget_s=3600, hot_table_lock_budget_s=3600, batch_budget_s=3600)
    with tempfile.TemporaryDirectory() as scratch, ScratchServer.start() as server:
        settings = MigrationSettings(path=Path(scratch), statement_timeout="10min", connect_budget_s=10)
        target = server.create_database()
        migrate(target, history(Path(scratch) / "base", None), settings)
        with psycopg.connect(target, autocommit=True) as connection:
            connection.execute("INSERT INTO big SELECT g, g FROM generate_series(1, %s) g", (args.rows,))
            connection.execute("VACUUM ANALYZE big")
        copies = LocalTemplateCopies(target, connect_budget=ConnectBudget(10))
        print(f"target: {args.rows} rows in big; medians of {args.repeat} runs")
        for index, (label, statement) in enumerate(CASES.items()):
            migrations = history(Path(scratch) / f"case{index}", statement)
            own, whole, held, create, delete, batch = [], [], [], [], [], []
            for _ in range(args.repeat):
                copy = copies.create(copy_name(new_run_id({}), time.time()))
                try:
                    own.append(migrate(copy.url, migrations, settings))
                finally:
                    copies.delete(copy)
                start = time.perf_counter()
                replay = replay_on_a_new_copy(
                    copies, migrations, settings, budgets, run_id=new_run_id({}), connect_budget=ConnectBudget(10)
                )
                whole.append(time.perf_counter() - start)
                (run,) = replay.outcome.statements
                held.append(max(s.held_s for s in run.locks if s.name == "big" and s.mode == "ACCESS EXCLUSIVE"))
                create.append(replay.copy.create_s)
                batch.append(replay.outcome.batch_s)
                delete.append(replay.copy.delete_s)
            m = statistics.median
            print(f"\n{label}: {statement}")
            print(f"  ACCESS EXCLUSIVE on big, as the gate measured  {m(held) * 1000:10.1f} ms")
            print(f"  migration's own time (plain migrator)         {m(own) * 1000:10.1f} ms")
            print(f"  batch under the gate (with lock sampling)     {m(batch) * 1000:10.1f} ms")
            print(f"  gate's whole run                              {m(whole) * 1000:10.1f} ms")
            print(f"  overhead (whole run - migration's own time)   {(m(whole) - m(own)) * 1000:10.1f} ms")
            print(f"    of which copying the target                 {m(create) * 1000:10.1f} ms")
            print(f"    of which deleting the copy                  {m(delete) * 1000:10.1f} ms")
        server.drop_database(target)


if __name__ == "__main__":
    main()
