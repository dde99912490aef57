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

from smoke.tagging import ANY_RUN_TOPIC, DEADLINE_OF_TOPIC, RUN_ID_OF_TOPIC, RunTag

# A run is alive while a session carries its name; read only where sessions are the run's own
# (through a transaction-mode pooler an idle client has no server session to show).
_NO_LIVE_SESSION = """NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.application_name ~ %(any)s
    AND substring(a.application_name from %(run_id)s) = substring(topic from %(run_id)s))"""


def remove_run(connection: psycopg.Connection, user_id: UUID, tag: RunTag, plan_id: str | None) -> int:
    """Delete every plan of this run: the test user's with this run's tag (also one whose create
    answer was lost), and the plan the app said it created, whoever it made the owner; returns how
    many."""
    cursor = connection.execute(
        "DELETE FROM learning_plans WHERE topic LIKE %s AND (user_id = %s OR id = %s::uuid)",
        (tag.topic_like, user_id, plan_id),
    )
    return cursor.rowcount


def remove_leftovers(
    connection: psycopg.Connection, user_id: UUID, *, sessions_visible: bool, untimed_older_than_s: float
) -> int:
    """Delete the plans of runs that are over: past the deadline in their tag, or (when
    `sessions_visible`) with no session left, i.e. killed. Plans of runs older than deadlines in
    tags go when older than `untimed_older_than_s`. Returns how many were deleted."""
    past_deadline = "substring(topic from %(deadline)s)::bigint < extract(epoch from now())"
    dead = f"({past_deadline} OR {_NO_LIVE_SESSION})" if sessions_visible else past_deadline
    cursor = connection.execute(
        "DELETE FROM learning_plans WHERE user_id = %(user)s AND topic ~ %(any)s AND CASE "
        f"WHEN topic ~ %(deadline)s THEN {dead} "
        "ELSE created_at < now() - make_interval(secs => %(older)s) END",
        {
            "user": user_id,
            "any": ANY_RUN_TOPIC,
            "deadline": DEADLINE_OF_TOPIC,
            "run_id": RUN_ID_OF_TOPIC,
            "older": untimed_older_than_s,
        },
    )
    return cursor.rowcount


def remaining_plans(connection: psycopg.Connection, user_id: UUID) -> int:
    """How many smoke plans the test user has right now (this run's included)."""
    row = connection.execute(
        "SELECT count(*) FROM learning_plans WHERE user_id = %s AND topic ~ %s", (user_id, ANY_RUN_TOPIC)
    ).fetchone()
    return int(row[0]) if row else 0
