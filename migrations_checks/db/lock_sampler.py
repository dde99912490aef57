"""Which table locks a migrating backend holds or waits for, and for how long, read from a second session.

A thread on its own connection reads `pg_locks` for the migrating backend's pid every interval,
and once more right after each statement (`sample_now`), so every lock a statement takes is seen
before the next statement starts and is credited to the statement that took it. Postgres gives the
real mode of each lock, so nothing here guesses what a statement takes.

Locks taken inside the migration transaction are held until it commits or rolls back; a span
therefore ends at `close(at)`, the end of the batch, not when its statement ends. A span's start is
the first sample that saw it: it is late by at most one interval plus one sample's own time, so a
measured duration is short by at most that much. Relations the batch itself created are invisible
to this session until the commit; their locks show with no name, and no other session can wait for
them.

A batch deadline is enforced from here: past it, the thread cancels the migrating backend
(`pg_cancel_backend`), so the statement fails with SQLSTATE 57014 instead of running on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psycopg

from gates.connect import ConnectBudget, connect
from migrations_checks.lint.sql.words import unqualified

# pg_locks' mode names, as the SQL of LOCK TABLE and the documentation write them.
MODE_NAMES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
# Modes that stop the application's writes (and ACCESS EXCLUSIVE its reads) while held or queued.
BLOCKING_MODES = frozenset({"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"})
_RELKINDS = {"r": "table", "p": "table", "m": "materialized view", "i": "index", "I": "index", "S": "sequence"}
_RELKINDS.update({"t": "toast table", "v": "view", "f": "foreign table", "c": "type"})

_SAMPLE = """
    SELECT l.relation::bigint, l.mode, l.granted, n.nspname, c.relname, c.relkind::text
    FROM pg_locks l
    LEFT JOIN pg_class c ON c.oid = l.relation
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.pid = %s AND l.locktype = 'relation'
"""


@dataclass
class LockSpan:
    """One lock (relation and mode) of the migrating backend, from the first sample that saw it."""

    relation: int  # oid
    name: str | None  # `schema.table` (`public.` left out); None: created by this batch
    kind: str  # table, index, sequence, ...
    mode: str  # as SQL names it: ACCESS EXCLUSIVE, ...
    statement: int  # index of the statement that took it (or queued for it)
    first_seen: float  # monotonic seconds
    granted_at: float | None = None  # first sample that saw it granted
    last_seen: float = 0.0
    released_at: float | None = None  # the end of the batch

    @property
    def waited_s(self) -> float:
        """How long it was seen queued (not granted); up to the release when it never was granted."""
        end = self.granted_at if self.granted_at is not None else (self.released_at or self.last_seen)
        return max(0.0, end - self.first_seen)

    @property
    def held_s(self) -> float:
        if self.granted_at is None:
            return 0.0
        return max(0.0, (self.released_at or self.last_seen) - self.granted_at)

    @property
    def blocking_s(self) -> float:
        """Queued or held: a queued request already blocks every later conflicting one."""
        return self.waited_s + self.held_s

    @property
    def blocks_writes(self) -> bool:
        return self.mode in BLOCKING_MODES and self.kind in ("table", "materialized view") and self.name is not None


class SamplerError(Exception):
    """The second session failed, so the lock record is incomplete; one sentence."""


class LockSampler:
    """Samples `pg_locks` for one backend on its own connection and thread; see the module docstring."""

    def __init__(self, conninfo: str, *, interval_s: float, connect_budget: ConnectBudget) -> None:
        self.interval_s = interval_s
        self.statement = 0  # set by the caller when each statement starts
        self.samples = 0
        self.sample_seconds = 0.0  # time spent sampling, for the overhead figure
        self.cancelled_at: float | None = None
        self._connection = connect(conninfo, budget=connect_budget)
        self._spans: dict[tuple[int, str], LockSpan] = {}
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._pid = 0
        self._deadline: float | None = None

    def start(self, pid: int, *, deadline: float | None) -> None:
        """Begin sampling backend `pid`; cancel it at monotonic time `deadline` if it is still running."""
        self._pid, self._deadline = pid, deadline
        self._thread = threading.Thread(target=self._run, name="lock-sampler", daemon=True)
        self._thread.start()

    def sample_now(self) -> None:
        """One sample from the caller's thread (right after a statement), so no lock goes unseen."""
        with self._mutex:
            self._sample()

    def close(self, at: float) -> list[LockSpan]:
        """Stop, mark every lock released at `at` (the batch's end), and return the spans in order seen."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._connection.close()
        spans = sorted(self._spans.values(), key=lambda span: (span.first_seen, span.relation))
        for span in spans:
            span.released_at = at
        if self._error is not None:
            raise SamplerError(f"the pg_locks sampling session failed: {self._error}")
        return spans

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval_s):
                with self._mutex:
                    self._sample()
                    self._cancel_past_deadline()
        except Exception as error:  # reported by close(); the gate fails instead of trusting a partial record
            self._error = error

    def _sample(self) -> None:
        began = time.monotonic()
        rows = self._connection.execute(_SAMPLE, (self._pid,), prepare=True).fetchall()
        now = time.monotonic()
        self.samples += 1
        self.sample_seconds += now - began
        # Read after the answer: a lock seen here was taken by the statement running now or earlier,
        # and the earlier ones were all seen by the sample that followed them.
        statement = self.statement
        for relation, raw_mode, granted, schema, table, relkind in rows:
            mode = MODE_NAMES.get(raw_mode, str(raw_mode))
            span = self._spans.get((relation, mode))
            if span is None:
                name = unqualified(f"{schema}.{table}") if table is not None else None
                kind = _RELKINDS.get(relkind, "relation") if relkind else "relation created by this batch"
                span = LockSpan(relation, name, kind, mode, statement, first_seen=now)
                self._spans[(relation, mode)] = span
            if granted and span.granted_at is None:
                span.granted_at = now
            span.last_seen = now

    def _cancel_past_deadline(self) -> None:
        if self._deadline is None or self.cancelled_at is not None or time.monotonic() < self._deadline:
            return
        try:
            self._connection.execute("SELECT pg_cancel_backend(%s)", (self._pid,))
        except psycopg.Error as error:
            raise SamplerError(f"cannot cancel the migration past its budget: {error}") from None
        self.cancelled_at = time.monotonic()
