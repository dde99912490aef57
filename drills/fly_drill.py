"""drill_fly: roll an app back to its previous image, smoke it, roll forward to the original, smoke again.

Fly has no rollback command: a rollback is a deploy of an earlier image. The previous image is the
newest `complete` release whose image differs from the current one (a secrets change makes a
release that repeats the image), deployed without `--detach` so the deploy's own wait counts.
After each deploy every machine must run that image with its checks passing, then the smoke runs:
on the old image it proves the previous code works on the current schema, which is what additive
migrations promise. The roll-forward to the original image is registered before the rollback
starts, so it runs however the drill ends, and the failure says that it ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from drills.framework import Drill, DrillFailure, DrillReport
from fly.health import wait_until_healthy
from fly.platform import FlyPlatform, PlatformError, Strategy, newest_complete, previous_image

DRILL = "drill_fly"
RESTORE = "restore the original image"
T = TypeVar("T")

Smoke = Callable[[], str]  # runs the smoke once; returns its timing line, raises DrillFailure when it fails


@dataclass(frozen=True)
class FlyDrillTarget:
    platform: FlyPlatform
    app: str
    health_budget_s: float  # for each deploy's own wait and for the health wait after it
    smoke: Smoke | None  # None only when `[drills] fly_smoke = false` turned it off
    strategy: Strategy = "rolling"


def run_fly_drill(target: FlyDrillTarget, progress: Callable[[str], None] | None = None) -> DrillReport:
    drill = Drill(DRILL, f"app {target.app}", progress=progress)
    return drill.run(lambda running: _drill(running, target))


def _drill(drill: Drill, target: FlyDrillTarget) -> None:
    app = target.app
    with drill.step("find the current and the previous image"):
        releases = _platform(lambda: target.platform.releases(app))
        current = newest_complete(releases)
        if current is None:
            raise DrillFailure(f"{app} has no complete release to roll back from")
        previous = previous_image(releases, current.image)
        if previous is None:
            raise DrillFailure(f"{app} has no earlier complete release with another image than {current.image}")
        drill.note(f"current v{current.version} {current.image}, previous v{previous.version} {previous.image}")
    drill.always(RESTORE, lambda: _roll_to(target, current.image))
    with drill.step(f"deploy the previous image {previous.image}"):
        _deploy(target, previous.image)
    drill.milestone("time_to_rolled_back_s")
    with drill.step("every machine healthy on the previous image"):
        drill.note(_healthy(target, previous.image))
    drill.milestone("time_to_healthy_s")
    with drill.step("smoke on the rolled-back release"):
        drill.note(_smoke(target))
    drill.settle(RESTORE)
    drill.milestone("time_to_restored_s")
    with drill.step("smoke on the restored release"):
        drill.note(_smoke(target))


def _roll_to(target: FlyDrillTarget, image: str) -> str:
    _deploy(target, image)
    return _healthy(target, image)


def _deploy(target: FlyDrillTarget, image: str) -> None:
    _platform(
        lambda: target.platform.deploy(
            target.app, image, strategy=target.strategy, wait_timeout_s=target.health_budget_s
        )
    )


def _healthy(target: FlyDrillTarget, image: str) -> str:
    outcome = _platform(lambda: wait_until_healthy(target.platform, target.app, target.health_budget_s))
    if not outcome.healthy:
        raise DrillFailure(outcome.sentence())
    # Healthy means "on the newest complete release"; that release must be the one just deployed.
    newest = newest_complete(_platform(lambda: target.platform.releases(target.app)))
    if newest is None or newest.image != image:
        found = newest.image if newest else "none"
        raise DrillFailure(f"{target.app}'s newest complete release runs {found}, not the deployed {image}")
    machines = _platform(lambda: target.platform.machines(target.app))
    standbys = sum(machine.standby for machine in machines)
    also = f", {standbys} standby machine(s) on it" if standbys else ""
    return f"{len(machines) - standbys} machine(s) on {image} with checks passing{also} after {outcome.elapsed_s:.1f} s"


def _smoke(target: FlyDrillTarget) -> str:
    if target.smoke is None:
        return "skipped: [drills] fly_smoke = false"
    return target.smoke()


def _platform(call: Callable[[], T]) -> T:
    try:
        return call()
    except PlatformError as error:
        raise DrillFailure(str(error)) from None
