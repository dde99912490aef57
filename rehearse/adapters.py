"""The seams of the stages whose platforms land with other parts.

Each function is the whole of its stage: it gets the rehearsal (workspace, staging database,
the local app, the releases) and returns a note or raises `StageFailed` with one sentence. Until
its part exists it raises `NotBuilt`, so the stage fails and names what is missing; after the
merge each body becomes a few lines calling that part's local platform and `run_gate`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rehearse.context import Rehearsal
from rehearse.stages import NotBuilt, StageResult


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
