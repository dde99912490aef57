"""Apply the pending migrations to a copy of the target, timing each statement and the locks it takes.

The migrations run through the suite's migrator exactly as the deploy will run them (one
transaction, drizzle-orm's chunks), on a copy that holds the target's data. The migrator tells a
recorder when each chunk starts and ends; a `LockSampler` on a second session records the real lock
modes of the migrating backend. The outcome is then judged against three budgets, and every
problem is one sentence naming the statement, the table, the lock mode and the time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from gates.config import BranchReplaySettings, MigrationSettings
from gates.connect import ConnectBudget
from gates.excerpt import excerpt
from migrations_checks.db.branch_copy import CopyProvider, copy_name
from migrations_checks.db.copy_seed import SeedResult, seed_copy
from migrations_checks.db.lock_sampler import LockSampler, LockSpan
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.run_sql import Chunk, StatementError, first_code_offset
from migrations_checks.db.status import check_no_drift, read_status
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.sql.words import normalize_name

QUERY_CANCELED = "57014"


@dataclass
class StatementRun:
    """One chunk drizzle-orm sends, as it ran on the copy; times are seconds from the batch's start."""

    index: int
    file: str
    line: int
    sql: str
    started_s: float
    ended_s: float = 0.0
    command: str | None = None  # the command tag of its last statement (`ALTER TABLE`, `UPDATE 12`)
    rows: int | None = None  # rows Postgres reports for its last statement, when it reports any
    locks: list[LockSpan] = field(default_factory=list)  # the locks it was first to take

    @property
    def label(self) -> str:
        return f"{self.file} line {self.line} ({excerpt(self.sql)[:80]})"


@dataclass
class ReplayOutcome:
    """What the replay on the copy did and found."""

    pending: list[str]
    statements: list[StatementRun]
    batch_s: float
    batch_start: float  # monotonic; lock spans are relative to it
    samples: int
    sample_interval_s: float
    sample_seconds: float
    failure: StatementError | None = None
    cancelled: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CopyLifetime:
    """Which copy the replay ran on and how long it lived (created to deleted, in seconds)."""

    target: str
    name: str
    id: str
    create_s: float
    lifetime_s: float  # created to deleted
    delete_s: float
    swept: tuple[str, ...]  # stale copies of killed runs deleted at the start


@dataclass(frozen=True)
class BranchReplay:
    outcome: ReplayOutcome
    copy: CopyLifetime
    seeded: list[SeedResult]


def replay_on_a_new_copy(
    provider: CopyProvider,
    migrations: MigrationSet,
    settings: MigrationSettings,
    budgets: BranchReplaySettings,
    *,
    run_id: str,
    connect_budget: ConnectBudget,
    seed_rows: int = 0,
) -> BranchReplay:
    """Sweep stale copies, copy the target, (seed it,) replay, and delete the copy however that ends."""
    swept = provider.sweep(now=time.time())
    began = time.monotonic()
    copy = provider.create(copy_name(run_id, time.time()))
    created = time.monotonic()
    try:
        seeded = seed_copy(copy.url, seed_rows, migrations.tracking, connect_budget=connect_budget) if seed_rows else []
        outcome = replay_on_copy(copy.url, migrations, settings, budgets, connect_budget=connect_budget)
    finally:  # a failure, a timeout and Ctrl-C (KeyboardInterrupt) all pass through here
        deleting = time.monotonic()
        provider.delete(copy)
    deleted = time.monotonic()
    lifetime = CopyLifetime(
        target=provider.description,
        name=copy.name,
        id=copy.id,
        create_s=created - began,
        lifetime_s=deleted - created,
        delete_s=deleted - deleting,
        swept=tuple(swept),
    )
    return BranchReplay(outcome, lifetime, seeded)


class _Recorder:
    """The migrator's observer: statement times, and the sampler told which statement is running."""

    def __init__(self, sampler: LockSampler, batch_budget_s: float) -> None:
        self.sampler = sampler
        self.budget_s = batch_budget_s
        self.statements: list[StatementRun] = []
        self.started = self.ended = time.monotonic()
        self._migration: MigrationFile | None = None

    def batch_started(self, backend_pid: int) -> None:
        self.started = time.monotonic()
        self.sampler.start(backend_pid, deadline=self.started + self.budget_s)

    def chunk_started(self, migration: MigrationFile, chunk: Chunk) -> None:
        at = chunk.offset + (first_code_offset(chunk.text) or 0)
        run = StatementRun(
            index=len(self.statements),
            file=display_path(migration.path),
            line=migration.text.count("\n", 0, at) + 1,
            sql=chunk.text.strip(),
            started_s=time.monotonic() - self.started,
        )
        self.statements.append(run)
        self.sampler.statement = run.index

    def chunk_finished(self, cursor: psycopg.Cursor[Any] | None) -> None:
        run = self.statements[-1]
        run.ended_s = time.monotonic() - self.started
        if cursor is not None:
            run.command = cursor.statusmessage
            run.rows = cursor.rowcount if cursor.rowcount >= 0 else None
        self.sampler.sample_now()

    def batch_ended(self) -> None:
        self.ended = time.monotonic()


def replay_on_copy(
    url: str,
    migrations: MigrationSet,
    settings: MigrationSettings,
    budgets: BranchReplaySettings,
    *,
    connect_budget: ConnectBudget,
) -> ReplayOutcome:
    """Apply what is pending on the copy at `url` (the target's pending set) and judge it."""
    status = read_status(url, migrations, connect_budget=connect_budget)
    check_no_drift(status, "the copy of the target")  # the deploy's migrate would go wrong the same way
    sampler = LockSampler(url, interval_s=budgets.sample_interval_s, connect_budget=connect_budget)
    recorder = _Recorder(sampler, budgets.batch_budget_s)
    failure = None
    try:
        apply_pending(
            url,
            migrations,
            lock_timeout=settings.lock_timeout,
            statement_timeout=settings.statement_timeout,
            connect_budget=connect_budget,
            observer=recorder,
        )
    except StatementError as error:
        failure = error
    finally:
        spans = sampler.close(at=recorder.ended)
    for span in spans:
        if span.statement < len(recorder.statements):  # none outside a statement: nothing else runs there
            recorder.statements[span.statement].locks.append(span)
    outcome = ReplayOutcome(
        pending=[item.tag for item in status.with_state("pending")],
        statements=recorder.statements,
        batch_s=recorder.ended - recorder.started,
        batch_start=recorder.started,
        samples=sampler.samples,
        sample_interval_s=budgets.sample_interval_s,
        sample_seconds=sampler.sample_seconds,
        failure=failure,
        cancelled=sampler.cancelled_at is not None and failure is not None and failure.sqlstate == QUERY_CANCELED,
    )
    outcome.problems = judge(outcome, budgets, settings.hot_tables)
    return outcome


def judge(outcome: ReplayOutcome, budgets: BranchReplaySettings, hot_tables: frozenset[str]) -> list[str]:
    """One sentence per problem: a failed statement, a blocking lock over its budget, a batch over its budget."""
    hot = {normalize_name(name) for name in hot_tables}
    problems = []
    failure = outcome.failure
    if failure is not None and outcome.cancelled:
        running = outcome.statements[-1]
        problems.append(
            f"the batch reached its budget of {budgets.batch_budget_s:g} s while {running.label} was running, "
            "so the gate cancelled it"
        )
    elif failure is not None:
        problems.append(
            f"the migration fails on the copy: {display_path(failure.path)} line {failure.line} "
            f"[SQLSTATE {failure.sqlstate or 'unknown'}] {failure.message} (statement: {failure.statement})"
        )
    for run in outcome.statements:
        # One sentence per table: the longest of its blocking locks (a weaker one under it adds nothing).
        longest: dict[int, LockSpan] = {}
        for span in run.locks:
            if span.blocks_writes and span.blocking_s > getattr(longest.get(span.relation), "blocking_s", -1.0):
                longest[span.relation] = span
        for span in longest.values():
            is_hot = span.name in hot
            budget = budgets.hot_table_lock_budget_s if is_hot else budgets.lock_budget_s
            if span.blocking_s > budget:
                kind = "hot table" if is_hot else "table"
                problems.append(
                    f"{run.label} held {span.mode} on {kind} {span.name} for {span.blocking_s:.2f} s "
                    f"(waited {span.waited_s:.2f} s, held {span.held_s:.2f} s until the batch ended), "
                    f"over the {kind} lock budget of {budget:g} s"
                )
    if outcome.batch_s > budgets.batch_budget_s and not outcome.cancelled:
        problems.append(
            f"the batch of {len(outcome.pending)} migration(s) took {outcome.batch_s:.2f} s, "
            f"over its budget of {budgets.batch_budget_s:g} s"
        )
    return problems
