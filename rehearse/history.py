"""A release's migration history: the example Drizzle folder, copied, with extra migrations appended.

The rehearsal never writes into the history it was given. Each release gets its own copy in the
rehearsal's workspace; extra migrations (release v2's own, or a fault's) are appended with journal
entries whose `when` follows the newest one, as `drizzle-kit generate` would add them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

PACKAGED = Path(__file__).parent / "migrations"
JOURNAL = Path("meta") / "_journal.json"
GENERATE_STEP_MS = 1000  # the gap between journal `when` values of appended migrations


def example_history() -> Path:
    """The example Atlaris history that release v1 runs (this repository's `examples/`)."""
    return Path(__file__).resolve().parent.parent / "examples" / "atlaris" / "migrations"


def build_history(source: Path, extras: Sequence[str], destination: Path) -> Path:
    """Copy `source` to `destination` and append each folder of `PACKAGED` named in `extras`."""
    shutil.copytree(source, destination)
    journal_path = destination / JOURNAL
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    entries = journal["entries"]
    for extra in extras:
        for migration in sorted((PACKAGED / extra).glob("*.sql")):
            shutil.copy2(migration, destination / migration.name)
            if migration.name.endswith(".down.sql"):
                continue
            entries.append(
                {
                    "idx": len(entries),
                    "version": entries[-1]["version"] if entries else "7",
                    "when": (entries[-1]["when"] if entries else 0) + GENERATE_STEP_MS,
                    "tag": migration.stem,
                    "breakpoints": True,
                }
            )
    journal_path.write_text(json.dumps(journal, indent=2) + "\n", encoding="utf-8")
    return destination
