"""Replay a generated history (300 migrations by default) and print each phase's time.

    python bench/replay_bench.py [--size 300] [--last 10]

Phases, as the migration_replay gate runs them: start the scratch Postgres (embedded, or
GATES_SCRATCH_DATABASE_URL), apply the whole history from empty in one transaction, apply again
(nothing to do), then on a second database the first size-N migrations and up/down/up of the last
N with schema fingerprints. The history is bench/corpus.py's drizzle-kit-like corpus; this script adds rollback
files for the last N migrations, written to undo exactly what corpus.migration() creates.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from corpus import BREAK, write_corpus

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.replay import replay_database
from migrations_checks.db.rollback import check_rollbacks
from migrations_checks.lint.reader import read_folder

PRELUDE = Path(__file__).resolve().parents[1] / "migrations_checks" / "preludes" / "neon_rls.sql"
T = TypeVar("T")


def rollback(index: int) -> str:
    """The rollback of corpus.migration(index): its statements undone in reverse order."""
    table, parent = f"entity_{index}", f"entity_{index - 1}" if index else None
    parts = []
    if index % 50 == 7 and parent:
        parts.append(f'DROP INDEX "{parent}_state_idx";\n')
    if index % 10 == 9 and index >= 10:
        parts.append(f'ALTER TABLE "entity_{index - 9}" ADD COLUMN "note" text;\n')
    if parent:
        parts.append(f'ALTER TABLE "{parent}" DROP COLUMN "extra_{index}";\n')
    parts += [f'DROP TABLE "{table}";\n', f'DROP TYPE "public"."{table}_state";\n']
    return BREAK.join(parts)


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"{label:<58} {time.perf_counter() - start:7.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300, help="migrations in the history")
    parser.add_argument("--last", type=int, default=10, help="migrations checked up/down/up")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_corpus(Path(scratch) / "migrations", args.size)
        for index in range(args.size - args.last, args.size):
            (folder / f"{index:04d}_entity_{index}.down.sql").write_text(rollback(index), encoding="utf-8")
        history = read_folder(folder)
        settings = MigrationSettings(path=folder, prelude=PRELUDE)
        pending = {migration.tag for migration in history.files[-args.last :]}
        server = timed("start the scratch Postgres", ScratchServer.start)
        with server:
            with replay_database(server, settings, {}, connect_budget=ConnectBudget(30)) as url:

                def apply() -> int:
                    return len(
                        apply_pending(
                            url, history, lock_timeout="5s", statement_timeout="60s", connect_budget=ConnectBudget(30)
                        ).applied
                    )

                applied = timed(f"apply {args.size} migrations from empty (one transaction)", apply)
                again = timed("apply again (nothing to do)", apply)
            with replay_database(server, settings, {}, connect_budget=ConnectBudget(30)) as url:
                # The corpus is the same for every size, so a smaller one is the older checkout.
                earlier = read_folder(write_corpus(Path(scratch) / "earlier", args.size - args.last))
                timed(
                    f"apply the first {args.size - args.last} (state before the last {args.last})",
                    lambda: apply_pending(
                        url, earlier, lock_timeout="5s", statement_timeout="60s", connect_budget=ConnectBudget(30)
                    ),
                )
                problems = timed(
                    f"up/down/up of the last {args.last}, with fingerprints",
                    lambda: check_rollbacks(
                        url, history.files[-args.last :], pending, settings, connect_budget=ConnectBudget(30)
                    ),
                )
    print(f"applied {applied}, then {again}; rollback problems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
