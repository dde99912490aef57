"""Delete what smoke runs created, and nothing else.

The real app's delete endpoint is a stub (contract §1.6), so cleanup deletes the plan row in SQL,
as the app team's own smoke helper did; modules, tasks, attempts and the plan's job rows go with
it by cascade (§2.3). Every statement is scoped twice: to the test user's id, and to the smoke
tag in the topic. The user row, usage counters and anything untagged are left alone.
"""

from __future__ import annotations

from uuid import UUID

import psycopg

from smoke.tagging import ANY_RUN_TOPIC, RunTag


def remove_run(connection: psycopg.Connection, user_id: UUID, tag: RunTag) -> int:
    """Delete every plan of this run (also one whose create answer was lost); returns how many."""
    cursor = connection.execute(
        "DELETE FROM learning_plans WHERE user_id = %s AND topic LIKE %s", (user_id, tag.topic_like)
    )
    return cursor.rowcount


def remove_leftovers(connection: psycopg.Connection, user_id: UUID, older_than_s: float) -> int:
    """Delete earlier runs' plans older than `older_than_s` (a concurrent run's are younger)."""
    cursor = connection.execute(
        "DELETE FROM learning_plans WHERE user_id = %s AND topic ~ %s "
        "AND created_at < now() - make_interval(secs => %s)",
        (user_id, ANY_RUN_TOPIC, older_than_s),
    )
    return cursor.rowcount
