"""`--break FAULT`: what each fault breaks in release v2, and the stage that must catch it.

A fault is built into the new release: extra migrations in its history, or a stand-in fault
(`standin.faults`) in its API or its workers; `previous_release_incompatible` also builds release
v1's workers with one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rehearse.releases import Release
from standin.faults import Fault


@dataclass(frozen=True)
class BreakFault:
    name: str
    breaks: str
    stage: str  # the stage that must stop the run
    gate: str  # the gate inside it that says why
    migrations: tuple[str, ...] = ()
    api: frozenset[Fault] = field(default_factory=frozenset)
    workers: frozenset[str] = field(default_factory=frozenset)  # stand-in faults, `name@process` for one
    fly_config: tuple[tuple[str, str, str], ...] = ()  # (role, key, value) set in that app's fly.toml
    old_workers: frozenset[str] = field(default_factory=frozenset)  # stand-in faults built into release v1

    def apply_old(self, release: Release) -> Release:
        """Release v1 as this fault builds it (most faults leave it as it is)."""
        return replace(release, worker_faults=release.worker_faults | self.old_workers)

    def apply(self, release: Release) -> Release:
        return replace(
            release,
            migrations=release.migrations + self.migrations,
            api_faults=release.api_faults | self.api,
            worker_faults=release.worker_faults | self.workers,
            fly_config=release.fly_config + self.fly_config,
        )


FAULTS = (
    BreakFault(
        "drop_used_column",
        "a migration drops a column the app still uses (learning_plans.visibility)",
        "pre_deploy",
        "migration_lint",
        migrations=("drop_used_column",),
    ),
    BreakFault(
        "fails_half_way",
        "a migration fails half-way on a real Postgres (its second statement names a missing column)",
        "pre_deploy",
        "migration_replay",
        migrations=("fails_half_way",),
    ),
    BreakFault(
        "suppressed_drop",
        "a drop of a column release v1 still reads, suppressed with a reason so the lint passes it",
        "smoke_old_release",
        "smoke",
        migrations=("suppressed_drop",),
    ),
    BreakFault(
        "kill_timeout_short",
        "the worker's kill_timeout is shorter than its graceful shutdown bound",
        "pre_deploy",
        "fly_config",
        fly_config=(("worker", "kill_timeout", "5s"),),
    ),
    BreakFault(
        "regenerator_cannot_start",
        "the regenerator of release v2 exits at start",
        "post_deploy",
        "fly_health",
        workers=frozenset({f"{Fault.WORKER_NO_START}@regenerator"}),
    ),
    BreakFault(
        "worker_empty",
        "the workers of release v2 complete jobs without writing modules or tasks",
        "smoke",
        "smoke",
        workers=frozenset({Fault.WORKER_EMPTY}),
    ),
    BreakFault(
        "worker_hang",
        "the workers of release v2 claim a job and never finish it",
        "smoke",
        "smoke (timeout, diagnosed)",
        workers=frozenset({Fault.WORKER_HANG}),
    ),
    BreakFault(
        "api_error",
        "the API of release v2 answers 500 to every request",
        "smoke",
        "smoke",
        api=frozenset({Fault.API_ERROR}),
    ),
    BreakFault(
        "previous_release_incompatible",
        "release v2 narrows learning_plans.topic (suppressed, so the lint passes it) and release v1 validates "
        "its mapped column types at start: running v1 processes keep working, a restarted v1 cannot start",
        "rollback_drill",
        "drill_fly",
        migrations=("previous_release_incompatible",),
        old_workers=frozenset({Fault.WORKER_STRICT_SCHEMA}),
    ),
)


class UnknownFault(ValueError):
    """`--break` names no fault."""


def find_fault(name: str) -> BreakFault:
    for fault in FAULTS:
        if fault.name == name:
            return fault
    raise UnknownFault(f"no fault named {name}; known: {', '.join(f.name for f in FAULTS)}")
