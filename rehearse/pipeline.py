"""The stages of the staging pipeline, in the order of deploy-staging.yml, and of production's.

Stage 0 (`prepare`) is staging as it stands before the deploy: the database with release v1's
history, v1's API promoted on the local "Vercel", v1's workers running. The rest moves it to v2.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import replace

from fly.platform import PlatformError
from gates.connect import ConnectBudget, connect
from gates.github import actionlint
from gates.neon import NeonError
from rehearse import processes
from rehearse.context import Rehearsal
from rehearse.gate_run import run_gate
from rehearse.local_fly import STRATEGY
from rehearse.local_vercel import DeployError, serving
from rehearse.releases import PACE, ReleaseError
from rehearse.stages import Stage, StageFailed
from rehearse.status_stages import commit_status, staging_green
from standin.schema import bootstrap

SMOKE_BUDGETS = {"SMOKE_POLL_BUDGET_S": "4", "SMOKE_TOTAL_BUDGET_S": "30"}  # the mock answers in 0.3 s
MIGRATE_TIMEOUT_S = 120.0
TIER_CONNECT_BUDGET_S = 10.0
WORKERS_UP_BUDGET_S = 30.0
# The stand-in's workers are healthy within a second of starting; its queue is watched for 2 s.
POST_DEPLOY_BUDGETS = {"GATES_FLY_HEALTH_BUDGET_S": "10", "GATES_QUEUE_DRAIN_WINDOW_S": "2"}


def prepare(rehearsal: Rehearsal) -> str:
    _server, url = rehearsal.start_server()
    bootstrap(url, rehearsal.migration_settings(rehearsal.old), rehearsal.test_user)
    _smoke_user_tier(url, rehearsal.test_user)
    rehearsal.snapshot_staging()
    try:
        point = rehearsal.record_point()
        vercel = rehearsal.start_vercel()
        vercel.promote(vercel.deploy(rehearsal.old))
        rehearsal.deploy_workers(rehearsal.old)
        problems = rehearsal.local_fly().healthy(WORKERS_UP_BUDGET_S)
    except (DeployError, ReleaseError, PlatformError, NeonError) as error:
        raise StageFailed(str(error)) from None
    if problems:
        raise StageFailed(f"release {rehearsal.old.version}'s workers did not come up: {'; '.join(problems)}")
    return f"{rehearsal.environment} runs release {rehearsal.old.version}; {point}"


def _smoke_user_tier(url: str, user: str) -> None:
    # One rehearsal smokes six times (old release, new release, each drill_fly app twice), each with a
    # regeneration: more than the free tier's monthly quota of 5, so its smoke user is on the pro tier.
    with connect(url, budget=ConnectBudget(TIER_CONNECT_BUDGET_S)) as connection:
        connection.execute("UPDATE users SET subscription_tier = 'pro' WHERE clerk_user_id = %s", (user,))


# workflow_lint checks that need a tool no Python registry ships (docs/github.md): the rehearsal
# leaves them out where the tool is absent and says so; in CI the gate itself fails closed on them.
# The gates run with the platform variables removed, so only PATH can offer the tool to them.
_TOOL_CHECKS = {"test_actionlint_finds_nothing": "actionlint", "test_cli_lines_use_real_flags": "vercel"}


def _on_path(tool: str) -> str | None:
    # actionlint comes in two builds; the gate takes either (gates.github.actionlint).
    return actionlint.find({}) if tool == "actionlint" else shutil.which(tool)


def pre_deploy(rehearsal: Rehearsal) -> str:
    # migration_replay_branch replays on a copy of what DATABASE_URL names: the idle snapshot of staging.
    env = {**processes.clean_environment(), "DATABASE_URL": rehearsal.snapshot()}
    notes = ["fly_secrets not run: the local Fly platform has no secrets store to read"]
    missing = {test: tool for test, tool in _TOOL_CHECKS.items() if _on_path(tool) is None}
    deselect = " or ".join(missing) or None
    notes += [f"{test} not run: {tool} is not on PATH" for test, tool in missing.items()]
    passed = _gate(rehearsal, "pre_deploy and not fly_secrets", env=env, name="pre_deploy", deselect=deselect)
    return "; ".join([passed, *notes])


def migrate(rehearsal: Rehearsal) -> str:
    finished = processes.run(
        [sys.executable, "-m", "migrations_checks", "migrate", "--config", str(rehearsal.config(rehearsal.new))],
        cwd=rehearsal.workspace,
        env={**processes.clean_environment(), "DATABASE_URL": rehearsal.database()},
        timeout_s=MIGRATE_TIMEOUT_S,
    )
    lines = [line for line in (finished.stderr + finished.stdout).splitlines() if line.strip()]
    last = lines[-1].removeprefix("migrations-checks: ") if lines else f"exit code {finished.returncode}"
    if finished.returncode != 0:
        raise StageFailed(last)
    return last


def smoke_old_release(rehearsal: Rehearsal) -> str:
    return _smoke(rehearsal, rehearsal.old.version)


def deploy_workers(rehearsal: Rehearsal) -> str:
    try:
        image = rehearsal.deploy_workers(rehearsal.new)
    except PlatformError as error:
        raise StageFailed(str(error)) from None
    return f"both workers deployed from {image} (strategy {STRATEGY}, as flyctl deploy --detach)"


def post_deploy(rehearsal: Rehearsal) -> str:
    # In the rehearsal's workspace the local Fly platform's state file is where the gates look for it.
    env = {**processes.clean_environment(), **POST_DEPLOY_BUDGETS, "DATABASE_URL": rehearsal.database()}
    return _gate(rehearsal, "post_deploy", env=env)


def deploy_app(rehearsal: Rehearsal) -> str:
    vercel = rehearsal.app()
    try:
        vercel.promote(vercel.deploy(rehearsal.new))
        served = serving(vercel.url)
    except (DeployError, ReleaseError) as error:
        raise StageFailed(str(error)) from None
    if served != rehearsal.new.version:
        raise StageFailed(f"the app's URL serves release {served} after promoting {rehearsal.new.version}")
    return f"{vercel.url} serves release {served}"


def smoke(rehearsal: Rehearsal) -> str:
    return _smoke(rehearsal, rehearsal.new.version)


DRILL_NOTE = (
    "drill_vercel not run: it drives the vercel CLI against Vercel's API, which the local platform does not serve"
)


def rollback_drill(rehearsal: Rehearsal) -> str:
    report = rehearsal.workspace / "drill-report.json"
    # The smoke's inputs (each release the drill deploys is smoked), the health wait's, and the pace
    # of the workers the drill starts: the image carries the build, the platform the knobs.
    env = {
        **_smoke_env(rehearsal),
        **POST_DEPLOY_BUDGETS,
        **PACE,
        "STANDIN_TEST_USER": rehearsal.test_user,
        "DATABASE_URL": rehearsal.database(),
    }
    try:
        passed = _gate(
            rehearsal,
            "rollback_drill and not drill_vercel",
            env=env,
            name="rollback_drill",
            options=[f"--drill-report={report}"],
        )
    finally:
        timings = rehearsal.read_drill_report(report)
    return "; ".join([passed, *timings, DRILL_NOTE])


def _smoke(rehearsal: Rehearsal, expected_release: str) -> str:
    served = serving(rehearsal.app().url)
    if served != expected_release:
        raise StageFailed(f"the app's URL serves release {served}, expected {expected_release}")
    return _gate(rehearsal, "smoke", env=_smoke_env(rehearsal), name=f"smoke-{expected_release}")


def _smoke_env(rehearsal: Rehearsal) -> dict[str, str]:
    return {
        **processes.clean_environment(),
        **SMOKE_BUDGETS,
        "SMOKE_TEST_API_URL": rehearsal.app().url,
        "SMOKE_TEST_DATABASE_URL": rehearsal.database(),
        "SMOKE_TEST_CLERK_USER_ID": rehearsal.test_user,
    }


def _gate(
    rehearsal: Rehearsal,
    group: str,
    *,
    env: dict[str, str] | None = None,
    name: str | None = None,
    deselect: str | None = None,
    options: Sequence[str] = (),
) -> str:
    server = rehearsal.server
    if server is None:
        raise StageFailed("the local Postgres is not running")
    verdict = run_gate(
        group,
        workspace=rehearsal.workspace,
        config=rehearsal.config(rehearsal.new),
        env={**(env or processes.clean_environment()), "GATES_SCRATCH_DATABASE_URL": server.admin_url},
        secrets={"SMOKE_TEST_API_KEY": rehearsal.api_key},
        name=name or group,
        deselect=deselect,
        options=options,
    )
    if not verdict.passed:
        raise StageFailed(verdict.sentence)
    return verdict.sentence


PREPARE = Stage("prepare", "staging before the deploy: release v1 migrated and running", prepare)
STAGING = (
    PREPARE,
    Stage("pre_deploy", "pytest -m pre_deploy --gates-env staging", pre_deploy),
    Stage("migrate", "gates migrate (DATABASE_URL_STAGING)", migrate),
    Stage("smoke_old_release", "pytest -m smoke --gates-env staging, before the deploy", smoke_old_release),
    Stage("deploy_workers", "flyctl deploy (worker and regenerator)", deploy_workers),
    Stage("post_deploy", "pytest -m post_deploy --gates-env staging", post_deploy),
    Stage("deploy_app", "vercel deploy, then promote", deploy_app),
    Stage("smoke", "pytest -m smoke --gates-env staging", smoke),
    Stage("rollback_drill", "pytest -m rollback_drill --gates-env staging", rollback_drill),
    Stage("commit_status", "the commit status of the deploy", commit_status),
)


def _in_production(stage: Stage) -> Stage:
    mirrors = stage.mirrors.replace("staging", "production").replace("_STAGING", "_PROD")
    return replace(stage, name=f"{stage.name} (production)", mirrors=mirrors)


# deploy-production.yml: staging_green first, then staging's steps but the drill (rollback-drill.yml runs it).
PRODUCTION = (
    _in_production(PREPARE),
    Stage("staging_green", 'pytest -m "pre_deploy and staging_green" --gates-env production', staging_green),
    *(_in_production(stage) for stage in STAGING[1:] if stage.name != "rollback_drill"),
)
# A target is its legs, each (environment, stages) on a stack of its own; production's staging_green
# reads the status the staging leg wrote, so the production target rehearses staging first.
Leg = tuple[str, tuple[Stage, ...]]
TARGETS: dict[str, tuple[Leg, ...]] = {
    "staging": (("staging", STAGING),),
    "production": (("staging", STAGING), ("production", PRODUCTION)),
}
