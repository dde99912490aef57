"""drill_vercel: roll production back to the previous deployment, check it serves, promote the original back.

Vercel's rollback moves the production alias, so the drill runs only when both the config
(`[drills] allow_production_drill`) and the command line (`--allow-production-drill`) allow it.
Steps: find the serving deployment (`targets.production`) and the previous one; `vercel rollback`
to it; verify the serving deployment changed and the app answers; `vercel promote` the original;
verify again. The promote of the original is registered before the rollback starts, so it runs
however the drill ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from drills.framework import Drill, DrillFailure, DrillReport
from drills.vercel_cli import VercelCli, VercelError
from gates.config import DrillSettings

DRILL = "drill_vercel"
RESTORE = "promote the original deployment"
HEALTH_POLL_S = 1.0
T = TypeVar("T")


@dataclass(frozen=True)
class VercelDrillTarget:
    cli: VercelCli
    app_url: str  # the production alias's URL, where "it answers" is checked
    settings: DrillSettings


def refusal(settings: DrillSettings, allowed_on_command_line: bool) -> str | None:
    """Why the drill may not run, or None when both permissions are given."""
    missing = []
    if not settings.allow_production_drill:
        missing.append("[drills] allow_production_drill = true in gates.toml")
    if not allowed_on_command_line:
        missing.append("--allow-production-drill on the command line")
    if not missing:
        return None
    return (
        "drill_vercel moves the production alias and refuses to run without "
        + " and ".join(missing)
        + " (deselect it with -m 'rollback_drill and not drill_vercel')"
    )


def run_vercel_drill(target: VercelDrillTarget, progress: Callable[[str], None] | None = None) -> DrillReport:
    drill = Drill(DRILL, f"project {target.cli.project_id}", progress=progress)
    return drill.run(lambda running: _drill(running, target))


def _drill(drill: Drill, target: VercelDrillTarget) -> None:
    cli, settings = target.cli, target.settings
    with drill.step("find the serving and the previous production deployment"):
        original = _vercel(cli.serving_deployment)
        previous = _vercel(lambda: cli.previous_production(original))
        drill.note(f"serving {original}, previous {previous}")
    drill.always(RESTORE, lambda: _restore(drill, target, original))
    with drill.step(f"vercel rollback {previous}"):
        _vercel(lambda: cli.rollback(previous, settings.vercel_timeout_s))
    drill.milestone("time_to_rolled_back_s")
    with drill.step("the previous deployment serves and answers"):
        _expect_serving(cli, previous)
        drill.note(_answers(target))
    drill.milestone("time_to_healthy_s")
    drill.settle(RESTORE)
    drill.milestone("time_to_restored_s")


def _restore(drill: Drill, target: VercelDrillTarget, original: str) -> str:
    _vercel(lambda: target.cli.promote(original, target.settings.vercel_timeout_s))
    _expect_serving(target.cli, original)
    return f"{original} serves again; {_answers(target)}"


def _vercel(call: Callable[[], T]) -> T:
    try:
        return call()
    except VercelError as error:
        raise DrillFailure(str(error)) from None


def _expect_serving(cli: VercelCli, expected: str) -> None:
    serving = _vercel(cli.serving_deployment)
    if serving != expected:
        raise DrillFailure(f"production is served by {serving}, not {expected}")


def _answers(target: VercelDrillTarget) -> str:
    url = target.app_url.rstrip("/") + target.settings.health_path
    deadline = time.monotonic() + target.settings.health_budget_s
    last = "no answer"
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        while True:
            try:
                status = client.get(url).status_code
                if status < 400:
                    return f"{url} answered {status}"
                last = f"answered {status}"
            except httpx.HTTPError as error:
                last = type(error).__name__
            if time.monotonic() >= deadline:
                raise DrillFailure(
                    f"{url} did not answer with success within {target.settings.health_budget_s:g} s ({last})"
                )
            time.sleep(HEALTH_POLL_S)
