"""Neon's branch calls on one local Postgres server, for the `local` environment.

A branch is a database; a point in time is a copy of a database taken at a recorded moment
(`CREATE DATABASE ... TEMPLATE`, see `record_point`, which the local migrate calls after each
run); creating a branch at a timestamp copies the newest point recorded at or before it. Each
copy carries its facts (what it is a point of, when) in the database's comment, so the state
lives in the server and nothing else has to be kept. There are no operations to wait for.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

from gates.connect import ConnectBudget, connect
from gates.dsn import Dsn, database_name, mask, with_database
from gates.neon import Branch, CreatedBranch, NeonError, Operation, iso_timestamp

POINT_PREFIX = "gates_pit_"
_SYSTEM = ("postgres", "template0", "template1")
_DATABASES = """
    SELECT d.datname, shobj_description(d.oid, 'pg_database')
    FROM pg_database d WHERE NOT d.datistemplate OR d.datname LIKE 'gates\\_pit\\_%'
"""


@dataclass(frozen=True)
class RecordedPoint:
    database: str
    of: str  # the branch (database) it is a copy of
    at: datetime


class LocalNeon:
    """`NeonLike` over the server behind `admin_url` (any database on it; `postgres` is used)."""

    def __init__(self, admin_url: str, *, connect_budget: ConnectBudget) -> None:
        self.admin_url = with_database(admin_url, "postgres")
        self._budget = connect_budget

    def record_point(self, branch: str, *, at: datetime | None = None) -> RecordedPoint:
        """Copy database `branch` as its point in time `at` (default: now). Nobody may be connected to it."""
        moment = at or datetime.now(UTC)
        point = RecordedPoint(POINT_PREFIX + secrets.token_hex(6), branch, moment)
        comment = json.dumps({"point_of": branch, "at": moment.isoformat()})
        self._copy(branch, point.database, comment)
        # A template may be copied by anyone and cannot be connected to by mistake.
        self._admin(
            sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(_id(point.database))
        )
        return point

    def record_after_migrate(self, database_url: str, *, history_window: timedelta) -> str:
        """Record `database_url`'s point in time after a local migrate, forget points older than the
        window; one sentence saying what was done, or why no point could be recorded (a copy needs
        its source idle, so a database the app is connected to gets none)."""
        branch = database_name(database_url) or ""
        # Postgres waits 5 s for other sessions to leave before refusing the copy: ask first.
        unrecorded = f"no point in time recorded for drill_neon on {mask(database_url)}"
        sessions = self._sessions_on(branch)
        if sessions:
            return f"{unrecorded}: {sessions} other session(s) are connected to it, and a copy needs it idle"
        try:
            point = self.record_point(branch)
        except NeonError as error:
            return f"{unrecorded}: {error}"
        expired = [old for old in self.points(branch) if point.at - old.at > history_window]
        for old in expired:
            self._drop_point(old)
        return f"recorded point in time {point.database} of {branch} for drill_neon"

    def points(self, branch: str) -> list[RecordedPoint]:
        """The recorded points of `branch`, oldest first."""
        found = []
        for name, comment in self._databases():
            facts = _facts(comment)
            if name.startswith(POINT_PREFIX) and facts.get("point_of") == branch:
                found.append(RecordedPoint(name, branch, datetime.fromisoformat(facts["at"])))
        return sorted(found, key=lambda point: point.at)

    def drop_points(self, branch: str) -> int:
        """Forget every recorded point of `branch`; how many there were."""
        points = self.points(branch)
        for point in points:
            self._drop_point(point)
        return len(points)

    def _drop_point(self, point: RecordedPoint) -> None:
        self._admin(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(_id(point.database)))
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(_id(point.database)))

    def list_branches(self) -> list[Branch]:
        branches = []
        for name, comment in self._databases():
            if name in _SYSTEM or name.startswith(POINT_PREFIX):
                continue
            facts = _facts(comment)
            # A database this platform did not create (the local production one) has no recorded age.
            created = datetime.fromisoformat(facts["created_at"]) if "created_at" in facts else datetime.now(UTC)
            branches.append(
                Branch(
                    id=name,
                    name=name,
                    parent_id=facts.get("parent_id"),
                    parent_timestamp=facts.get("parent_timestamp"),
                    created_at=created,
                    current_state="ready",
                    default=False,
                )
            )
        return branches

    def find_branch(self, name: str) -> Branch:
        for branch in self.list_branches():
            if branch.name == name:
                return branch
        raise NeonError(f"the local server has no database (branch) named {name!r}")

    def create_branch(self, name: str, *, parent_id: str, parent_timestamp: datetime | None) -> CreatedBranch:
        moment = parent_timestamp or datetime.now(UTC)
        candidates = [point for point in self.points(parent_id) if point.at <= moment]
        if not candidates:
            raise NeonError(
                f"no point in time of {parent_id!r} is recorded at or before {iso_timestamp(moment)}; "
                "the local platform records one each time the local migrate runs"
            )
        comment = json.dumps(
            {
                "parent_id": parent_id,
                "parent_timestamp": iso_timestamp(moment),
                "created_at": datetime.now(UTC).isoformat(),
            }
        )
        self._copy(candidates[-1].database, name, comment)
        branch = self.find_branch(name)
        return CreatedBranch(branch, (), (), with_database(self.admin_url, name))

    def wait_for_operations(
        self,
        operations: Sequence[Operation],
        *,
        budget_s: float,
        on_change: Callable[[Operation], None] | None = None,
    ) -> list[Operation]:
        return list(operations)  # a local copy is usable when CREATE DATABASE returns

    def connection_uri(self, branch_id: str, *, database: str, role: str) -> Dsn:
        return with_database(self.admin_url, branch_id)

    def delete_branch(self, branch_id: str) -> bool:
        if branch_id in _SYSTEM or branch_id.startswith(POINT_PREFIX):
            raise NeonError(f"refusing to delete {branch_id!r}: it is not a branch")
        existed = any(name == branch_id for name, _ in self._databases())
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_id(branch_id)))
        return existed

    def _copy(self, source: str, target: str, comment: str) -> None:
        self._admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(_id(target), _id(source)))
        self._admin(sql.SQL("COMMENT ON DATABASE {} IS {}").format(_id(target), sql.Literal(comment)))

    def _sessions_on(self, database: str) -> int:
        with connect(self.admin_url, budget=self._budget) as connection:
            row = connection.execute(
                b"SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
            ).fetchone()
        return int(row[0]) if row else 0

    def _databases(self) -> list[tuple[str, str | None]]:
        with connect(self.admin_url, budget=self._budget) as connection:
            return [(row[0], row[1]) for row in connection.execute(_DATABASES.encode()).fetchall()]

    def _admin(self, statement: sql.Composed) -> None:
        with connect(self.admin_url, budget=self._budget) as connection:
            try:
                connection.execute(statement)
            except psycopg.Error as error:
                reason = error.diag.message_primary or type(error).__name__
                raise NeonError(f"the local server refused a branch change: {reason}") from None


def _id(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _facts(comment: str | None) -> dict[str, str]:
    if not comment:
        return {}
    try:
        facts = json.loads(comment)
    except ValueError:
        return {}
    return facts if isinstance(facts, dict) else {}
