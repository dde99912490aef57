"""Delete what smoke runs created, and nothing else.

The real app's delete endpoint is a stub (contract §1.6), so cleanup deletes the plan row in SQL,
as the app team's own smoke helper did; modules, tasks, attempts and the plan's job rows go with
it by cascade (§2.3). Every statement is scoped twice: to the smoke tag in the topic, and to the
test user's id or the id of the plan this run created. The user row, usage counters and anything
untagged are left alone.
"""

from __future__ import annotations

from uuid import UUID

import psycopg

from smoke.tagging import ANY_RUN_TOPIC, RunTag


def remove_run(connection: psycopg.Connection, user_id: UUID, tag: RunTag, plan_id: str | None) -> int:
    """Delete every plan of this run: the test user's with this run's tag (also one whose create
    answer was lost), and the plan the app said it created, whoever it made the owner; returns how
    many."""
    cursor = connection.execute(
        "DELETE FROM learning_plans WHERE topic LIKE %s AND (user_id = %s OR id = %s::uuid)",
        (tag.topic_like, user_id, plan_id),
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
