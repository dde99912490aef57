"""The seams of the stages whose platforms land with other parts.

Each function is the whole of its stage: it gets the rehearsal (workspace, staging database,
the local app, the releases) and returns a note or raises `StageFailed` with one sentence. Until
its part exists it raises `NotBuilt`, so the stage fails and names what is missing; after the
merge each body becomes a few lines calling that part's local platform and `run_gate`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rehearse.context import Rehearsal
from rehearse.releases import Release
from rehearse.stages import NotBuilt, StageResult


def deploy_workers(rehearsal: Rehearsal, release: Release) -> str | None:
    """Deploy `release`'s generator and regenerator on the local Fly platform (issue 15).

    Expected: build the local image of `release` (`release.version`, `release.worker_faults`), deploy
    it to both local Fly apps against `rehearsal.database()` as `flyctl deploy` would (strategy,
    `kill_signal`, `kill_timeout`), record the release in a state file under `rehearsal.workspace`,
    and register the machines' teardown with `rehearsal.on_close`.
    """
    raise NotBuilt("deploying the workers needs the local Fly platform, which is not built yet (issue 15)")


def post_deploy(rehearsal: Rehearsal) -> str | None:
    """`pytest -m post_deploy` (fly_health, queue_health, host_checks) against the local Fly platform (issue 15).

    Expected: `run_gate("post_deploy", ...)` with the local Fly platform's inputs in its environment.
    """
    raise NotBuilt("post_deploy needs the local Fly platform and its gates, which are not built yet (issue 15)")


def rollback_drill(rehearsal: Rehearsal) -> str | None:
    """`pytest -m rollback_drill` (drill_fly, drill_neon) on the local platforms (issue 10).

    Expected: the drill's local Neon (a point-in-time copy of `rehearsal.database()` on
    `rehearsal.server`) and local Fly rollback to `rehearsal.old`, through `run_gate("rollback_drill", ...)`.
    """
    raise NotBuilt("the rollback drill needs the drills and the local Neon copy, which are not built yet (issue 10)")


def commit_status(rehearsal: Rehearsal, results: Sequence[StageResult]) -> str | None:
    """Write the commit status of this run to the local status store (issue 13).

    Expected: start the local status store (registering its teardown), and write the status for the
    rehearsal's commit through the same reporting code as GitHub, green only if every result passed.
    """
    raise NotBuilt("the commit status needs the local status store and its reporter, not built yet (issue 13)")


def staging_green(rehearsal: Rehearsal) -> str | None:
    """`pytest -m "pre_deploy and staging_green" --gates-env production` against the local status store (issue 13).

    Expected: `GITHUB_API_URL` pointed at the store the staging rehearsal wrote to, then `run_gate`.
    """
    raise NotBuilt("staging_green needs the local status store and its gate, which are not built yet (issue 13)")
