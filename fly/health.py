"""Wait until an app's machines all run the newest complete release's image, started, checks passing.

A standby machine (its config names the machines it stands by for) must run that image too, or a
failover would start the old code; but Fly keeps it stopped until a failover, so while stopped it need
not be started nor pass checks. It never counts toward zero_downtime's floor, and an app with only
standbys is not running.

Used by the `fly_health` gate after a deploy and by the rollback drill after its redeploy. Each look
reads the releases and the machines; the wait backs off (with jitter) until the budget is spent. A
crash-looping machine ends the wait at once and is named as such: more time would not heal it, and
a timeout would hide the cause.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_random_exponential

from fly.platform import FlyPlatform, Machine, Release, newest_complete
from gates.config import FLY_HEALTH_BUDGET_ENV, FlySettings
from gates.env import env_number

FIRST_DELAY_S = 0.5
MAX_DELAY_S = 10.0
_NOT_COUNTED = " (standbys not counted: Fly starts them only on a host failure)"


@dataclass(frozen=True)
class Assessment:
    """One look at an app: what keeps it from being healthy, and whether waiting could still help."""

    problems: tuple[str, ...]
    hopeless: bool = False

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class HealthOutcome:
    app: str
    assessment: Assessment
    elapsed_s: float
    looks: int
    budget_s: float

    @property
    def healthy(self) -> bool:
        return self.assessment.healthy

    def sentence(self) -> str:
        """Why the app is not healthy, in one sentence (empty when it is)."""
        if self.healthy:
            return ""
        problems = "; ".join(self.assessment.problems)
        if self.assessment.hopeless:
            return f"{self.app} is not healthy: {problems}"
        return f"{self.app} is not healthy after {self.elapsed_s:.1f} s (budget {self.budget_s:g} s): {problems}"


def health_budget_s(settings: FlySettings, environ: Mapping[str, str] = os.environ) -> float:
    """The configured budget, unless `GATES_FLY_HEALTH_BUDGET_S` overrides it."""
    return env_number(environ, FLY_HEALTH_BUDGET_ENV, settings.health_budget_s, minimum=0, exclusive=True)


def assess(app: str, releases: Sequence[Release], machines: Sequence[Machine], min_machines: int = 1) -> Assessment:
    release = newest_complete(releases)
    if release is None:
        newest = f"newest v{releases[0].version} is {releases[0].status}" if releases else "none at all"
        return Assessment((f"{app} has no complete release ({newest})",))
    if not machines:
        return Assessment((f"{app} has no machines",))
    problems = []
    hopeless = False
    healthy = 0
    for machine in machines:
        where = _where(app, machine)
        if machine.crash_looping:
            hopeless = True
            codes = ", ".join(str(code) for code in machine.exit_codes)
            problems.append(f"{where} is crash-looping: it exited {len(machine.exit_codes)} times (codes {codes})")
        elif machine.image != release.image:
            failover = ": a failover would start that image's code" if machine.standby else ""
            problems.append(f"{where} is not on the image of release v{release.version}, {release.image}{failover}")
        elif machine.state != "started" and not machine.standby:
            problems.append(f"{where} is not started")
        if machine.state != "started" and machine.standby:
            # Fly keeps a standby stopped until a failover; the checks of a stopped machine say nothing.
            continue
        failing = [check for check in machine.checks if check.status != "passing"]
        problems += [f"{where} check {c.name} is {c.status}: {c.output.strip() or '(no output)'}" for c in failing]
        if machine.state == "started" and not machine.checks:
            problems.append(f"{where} has no health checks, so nothing shows it works")
        elif machine.state == "started" and machine.image == release.image and not failing and not machine.standby:
            healthy += 1
    if all(machine.standby for machine in machines):
        standbys = ", ".join(machine.id for machine in machines)
        problems.append(
            f"{app} has only standby machines ({standbys}), which Fly starts only on a host failure: none runs the app"
        )
    if min_machines > 1 and healthy < min_machines:
        problems.append(
            f"{app} has {healthy} started machine(s) on the image of release v{release.version} passing their "
            f"checks{_NOT_COUNTED if any(m.standby for m in machines) else ''}, but zero_downtime needs "
            f"{min_machines} or more"
        )
    return Assessment(tuple(problems), hopeless)


def _where(app: str, machine: Machine) -> str:
    image = machine.image or "unknown"
    if machine.standby:
        primaries = ", ".join(machine.standby_for)
        return f"{app} standby machine {machine.id} ({machine.state}, image {image}, standby for {primaries})"
    return f"{app} machine {machine.id} ({machine.state}, image {image})"


def wait_until_healthy(platform: FlyPlatform, app: str, budget_s: float, min_machines: int = 1) -> HealthOutcome:
    """Look at `app` until it is healthy (with at least `min_machines` healthy machines), hopeless or
    `budget_s` is spent; PlatformError propagates."""
    start = time.monotonic()
    looks = 0

    def look() -> Assessment:
        nonlocal looks
        looks += 1
        return assess(app, platform.releases(app), platform.machines(app), min_machines)

    retrying = Retrying(
        stop=stop_after_delay(budget_s),
        wait=wait_random_exponential(multiplier=FIRST_DELAY_S, max=MAX_DELAY_S),
        retry=retry_if_result(lambda found: not found.healthy and not found.hopeless),
        sleep=lambda seconds: time.sleep(min(seconds, max(0.0, budget_s - (time.monotonic() - start)))),
    )
    try:
        assessment = retrying(look)
    except RetryError as error:
        assessment = error.last_attempt.result()
    return HealthOutcome(app, assessment, time.monotonic() - start, looks, budget_s)
