"""`--break FAULT`: what each fault breaks in release v2, and the stage that must catch it.

A fault is built into the new release only: extra migrations in its history, or a stand-in fault
(`standin.faults`) in its API or its workers. Faults whose catching stage lands with another part
are listed with `wired = False`; asking for one is refused, since the run could not show it caught.
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
    wired: bool = True
    note: str = ""

    def apply(self, release: Release) -> Release:
        return replace(
            release,
            migrations=release.migrations + self.migrations,
            api_faults=release.api_faults | self.api,
            worker_faults=release.worker_faults | self.workers,
            fly_config=release.fly_config + self.fly_config,
        )


_AFTER_MERGE = "wired after the merge of the {part}"

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
        "release v1 cannot run on the schema release v2 leaves behind",
        "rollback_drill",
        "drill_fly, drill_neon",
        wired=False,
        note=_AFTER_MERGE.format(part="drills (drill_fly, drill_neon)"),
    ),
)


class UnknownFault(ValueError):
    """`--break` names no fault, or one that cannot be shown caught yet."""


def find_fault(name: str) -> BreakFault:
    for fault in FAULTS:
        if fault.name == name:
            if not fault.wired:
                raise UnknownFault(f"fault {name} is caught at {fault.stage} ({fault.gate}), which is {fault.note}")
            return fault
    raise UnknownFault(f"no fault named {name}; known: {', '.join(f.name for f in FAULTS)}")
