"""The `worker_strict_schema` fault: a worker that validates, at start, the column types it maps.

Many ORMs can check the mapped schema when a process boots (validate-on-boot) and refuse to start on
a mismatch. A process already running never checks again, so a type change leaves it working and
only breaks the next start of that release: exactly what a rollback to it does.
"""

from __future__ import annotations

import psycopg

# The columns this build maps, with the type it was built against (information_schema.data_type).
MAPPED_TYPES = {("learning_plans", "topic"): "text"}


def mapped_type_mismatches(connection: psycopg.Connection) -> list[str]:
    """One phrase per mapped column whose type in the database is not the one this build expects."""
    found = []
    for (table, column), expected in MAPPED_TYPES.items():
        row = connection.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s AND column_name = %s",
            (table, column),
        ).fetchone()
        actual = row[0] if row else "missing"
        if actual != expected:
            found.append(f"{table}.{column} is {actual}, this build maps {expected}")
    return found
