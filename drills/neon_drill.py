"""drill_neon: branch the production database at a point in time and prove the branch is usable.

Through `NeonLike` (the Neon API, or the local platform): create a branch of the environment's
branch at `point_age_minutes` ago with its own compute, wait for its operations, connect, and
compare it with production, which is only read (read-only transactions), never written:

* the branch's Drizzle tracking rows must be the rows production has now, or the first of them
  (production may have migrated since the point; a restore never holds a row production lacks);
* its schema fingerprint must equal production's. When production migrated since the point, the
  branch (ours, disposable) is first rolled forward with exactly those migrations, as the deploy
  applied them, so "restored at the point + the later migrations = production now" is what is
  proven;
* every configured table has rows.

The branch is deleted however the drill ends. The time to a usable restored branch (connected)
is the milestone `time_to_usable_branch_s`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import psycopg
from psycopg import sql

from drills.framework import Drill, DrillFailure, DrillReport
from gates.config import DrillSettings, MigrationSettings
from gates.connect import ConnectBudget, ConnectError, connect
from gates.dsn import Dsn, mask
from gates.neon import Branch, NeonError, NeonLike, Operation, iso_timestamp
from gates.servers import same_database
from migrations_checks.db.fingerprint import Fingerprint, diff, fingerprint
from migrations_checks.db.migrator import AppliedRow, apply_pending, read_applied, set_timeouts
from migrations_checks.db.status import READ_LOCK_TIMEOUT, READ_STATEMENT_TIMEOUT
from migrations_checks.lint.reader import MigrationSet, tracking_table

DRILL = "drill_neon"
DELETE_BRANCH = "delete the drill branch"
# A drill branch older than this was left by a run that could not delete it (killed hard).
LEFTOVER_AGE = timedelta(hours=1)
_DIFF_LINES = 5
T = TypeVar("T")


@dataclass(frozen=True)
class NeonDrillTarget:
    platform: NeonLike
    parent_branch: str  # the environment's branch: its Neon name, or the local database
    production_url: Dsn  # read only, to compare with
    settings: DrillSettings
    migration_settings: MigrationSettings
    connect_budget: ConnectBudget  # the session's in a gate, the command's own in `gates drill`
    migrations: MigrationSet | None = None  # to roll the branch forward when production migrated since
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class _DatabaseState:
    rows: tuple[AppliedRow, ...]
    fingerprint: Fingerprint


def run_neon_drill(target: NeonDrillTarget, progress: Callable[[str], None] | None = None) -> DrillReport:
    drill = Drill(DRILL, f"branch {target.parent_branch}", progress=progress)
    return drill.run(lambda running: _drill(running, target))


def _drill(drill: Drill, target: NeonDrillTarget) -> None:
    platform, settings = target.platform, target.settings
    now = target.now()
    point = now - timedelta(minutes=settings.point_age_minutes)
    with drill.step("sweep leftover drill branches"):
        drill.note(_sweep(platform, settings.branch_prefix, now))
    with drill.step("find the branch to restore"):
        parent = _neon(lambda: platform.find_branch(target.parent_branch))
        drill.note(parent.id)
    name = f"{settings.branch_prefix}{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    with drill.step(f"create branch {name} at {iso_timestamp(point)}"):
        created = _neon(lambda: platform.create_branch(name, parent_id=parent.id, parent_timestamp=point))
        drill.always(DELETE_BRANCH, lambda: _delete(platform, created.branch.id))
        drill.note(created.branch.id)
    with drill.step("wait for the branch's operations"):

        def seen(operation: Operation) -> None:
            drill.note(f"{operation.id} ({operation.action}) {operation.status}")

        _neon(
            lambda: platform.wait_for_operations(
                created.operations, budget_s=settings.operations_budget_s, on_change=seen
            )
        )
    with drill.step("connect to the branch"):
        uri = created.connection_uri or _neon(
            lambda: platform.connection_uri(created.branch.id, database=settings.neon_database, role=settings.neon_role)
        )
        if same_database(uri, target.production_url):
            raise DrillFailure(f"the drill branch {mask(uri)} is the production database; refusing to go on")
        _read(uri, target, lambda connection: connection.execute("SELECT 1"))
        drill.note(mask(uri))
    drill.milestone("time_to_usable_branch_s")
    with drill.step("read production (read-only)"):
        production = _state(target.production_url, target)
        drill.note(f"{len(production.rows)} tracking row(s), {len(production.fingerprint)} schema line(s)")
    with drill.step("tracking rows match production at the point"):
        restored = _state(uri, target)
        later = _later_rows(restored.rows, production.rows)
        drill.note(f"{len(restored.rows)} row(s) at the point; production applied {len(later)} since")
    with drill.step("schema fingerprint matches production"):
        if later:
            restored = _roll_forward(uri, target, later, production)
            drill.note(f"rolled forward by {len(later)} migration(s) first")
        _same_schema(production.fingerprint, restored.fingerprint)
    with drill.step("configured tables have rows"):
        drill.note(_tables_have_rows(uri, target))
    drill.settle(DELETE_BRANCH)
    drill.milestone("total_s")


def _neon(call: Callable[[], T]) -> T:
    try:
        return call()
    except NeonError as error:
        raise DrillFailure(str(error)) from None


def _sweep(platform: NeonLike, prefix: str, now: datetime) -> str:
    stale: list[Branch] = [
        branch
        for branch in _neon(platform.list_branches)
        if branch.name.startswith(prefix) and now - branch.created_at > LEFTOVER_AGE
    ]
    for branch in stale:
        _neon(lambda branch=branch: platform.delete_branch(branch.id))  # type: ignore[misc]
    return f"deleted {', '.join(branch.name for branch in stale)}" if stale else "none left"


def _delete(platform: NeonLike, branch_id: str) -> str:
    return (
        f"deleted {branch_id}" if _neon(lambda: platform.delete_branch(branch_id)) else f"{branch_id} was already gone"
    )


def _read(url: str, target: NeonDrillTarget, work: Callable[[psycopg.Connection], T]) -> T:
    try:
        with connect(url, budget=target.connect_budget, read_only=True) as connection:
            set_timeouts(
                connection, lock_timeout=READ_LOCK_TIMEOUT, statement_timeout=READ_STATEMENT_TIMEOUT, local=True
            )
            return work(connection)
    except ConnectError as error:
        raise DrillFailure(str(error)) from None
    except psycopg.Error as error:
        raise DrillFailure(
            f"{mask(url)} refused a read: {error.diag.message_primary or type(error).__name__}"
        ) from None


def _state(url: str, target: NeonDrillTarget) -> _DatabaseState:
    tracking = tracking_table(target.migration_settings)
    return _read(url, target, lambda c: _DatabaseState(tuple(read_applied(c, tracking)), fingerprint(c)))


def _later_rows(restored: Sequence[AppliedRow], production: Sequence[AppliedRow]) -> tuple[AppliedRow, ...]:
    """Production's rows after the restored ones; the restored rows must be exactly its first rows."""
    if tuple(restored) != tuple(production[: len(restored)]):
        raise DrillFailure(
            f"the branch's Drizzle tracking rows ({_rows(restored)}) are not the first {len(restored)} of "
            f"production's ({_rows(production)}); the restore is not a state production went through"
        )
    return tuple(production[len(restored) :])


def _rows(rows: Sequence[AppliedRow]) -> str:
    return ", ".join(f"#{row.id} {row.hash[:12]}" for row in rows) or "none"


def _roll_forward(
    uri: str, target: NeonDrillTarget, later: Sequence[AppliedRow], production: _DatabaseState
) -> _DatabaseState:
    if target.migrations is None:
        raise DrillFailure(
            f"production applied {len(later)} migration(s) after the point and no migrations folder is "
            "configured to roll the branch forward; set [migrations] path or choose a later point"
        )
    settings = target.migration_settings
    try:
        apply_pending(
            uri,
            target.migrations,
            lock_timeout=settings.lock_timeout,
            statement_timeout=settings.statement_timeout,
            connect_budget=target.connect_budget,
        )
    except Exception as error:  # the migrator's errors are already one masked sentence
        raise DrillFailure(f"rolling the branch forward failed: {error}") from None
    rolled = _state(uri, target)
    if rolled.rows != production.rows:
        raise DrillFailure(
            f"rolled forward, the branch's tracking rows ({_rows(rolled.rows)}) differ from production's "
            f"({_rows(production.rows)}); the migrations folder is not what production applied"
        )
    return rolled


def _same_schema(production: Fingerprint, restored: Fingerprint) -> None:
    changes = diff(production, restored)
    if changes:
        shown = "; ".join(changes[:_DIFF_LINES]) + ("; …" if len(changes) > _DIFF_LINES else "")
        raise DrillFailure(f"the branch's schema differs from production's in {len(changes)} line(s): {shown}")


def _tables_have_rows(uri: str, target: NeonDrillTarget) -> str:
    def count(connection: psycopg.Connection) -> list[str]:
        empty = []
        for table in target.settings.tables_with_rows:
            name = sql.Identifier(*table.split("."))
            exists = connection.execute(sql.SQL("SELECT to_regclass({})").format(sql.Literal(table))).fetchone()
            if not exists or exists[0] is None:
                raise DrillFailure(f"table {table} does not exist on the branch")
            row = connection.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(name)).fetchone()
            if not row or not row[0]:
                empty.append(table)
        return empty

    empty = _read(uri, target, count)
    if empty:
        raise DrillFailure(f"table(s) {', '.join(empty)} have no rows on the branch; the restore lost data")
    return f"{', '.join(target.settings.tables_with_rows) or 'no tables configured'}"
