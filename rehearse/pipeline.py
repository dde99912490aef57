"""The stages of the staging pipeline, in the order of deploy-staging.yml, and of production's.

Stage 0 (`prepare`) is staging as it stands before the deploy: the database with release v1's
history, v1's API promoted on the local "Vercel", v1's workers running. The rest moves it to v2.
"""

from __future__ import annotations

import shutil
import sys

from fly.platform import PlatformError
from rehearse import adapters, processes
from rehearse.context import Rehearsal
from rehearse.gate_run import run_gate
from rehearse.local_fly import STRATEGY
from rehearse.local_vercel import DeployError, serving
from rehearse.releases import ReleaseError
from rehearse.stages import Stage, StageFailed
from standin.schema import bootstrap

SMOKE_BUDGETS = {"SMOKE_POLL_BUDGET_S": "4", "SMOKE_TOTAL_BUDGET_S": "30"}  # the mock answers in 0.3 s
MIGRATE_TIMEOUT_S = 120.0
WORKERS_UP_BUDGET_S = 30.0
# The stand-in's workers are healthy within a second of starting; its queue is watched for 2 s.
POST_DEPLOY_BUDGETS = {"GATES_FLY_HEALTH_BUDGET_S": "10", "GATES_QUEUE_DRAIN_WINDOW_S": "2"}


def prepare(rehearsal: Rehearsal) -> str:
    _server, url = rehearsal.start_server()
    bootstrap(url, rehearsal.migration_settings(rehearsal.old), rehearsal.test_user)
    rehearsal.snapshot_staging()
    try:
        vercel = rehearsal.start_vercel()
        vercel.promote(vercel.deploy(rehearsal.old))
        rehearsal.deploy_workers(rehearsal.old)
        problems = rehearsal.local_fly().healthy(WORKERS_UP_BUDGET_S)
    except (DeployError, ReleaseError, PlatformError) as error:
        raise StageFailed(str(error)) from None
    if problems:
        raise StageFailed(f"release {rehearsal.old.version}'s workers did not come up: {'; '.join(problems)}")
    return f"staging runs release {rehearsal.old.version}"


# workflow_lint checks that need a tool no Python registry ships (docs/github.md): the rehearsal
# leaves them out where the tool is absent and says so; in CI the gate itself fails closed on them.
# The gates run with the platform variables removed, so only PATH can offer the tool to them.
_TOOL_CHECKS = {"test_actionlint_finds_nothing": "actionlint", "test_cli_lines_use_real_flags": "vercel"}


def pre_deploy(rehearsal: Rehearsal) -> str:
    # migration_replay_branch replays on a copy of what DATABASE_URL names: the idle snapshot of staging.
    env = {**processes.clean_environment(), "DATABASE_URL": rehearsal.snapshot()}
    notes = ["fly_secrets not run: the local Fly platform has no secrets store to read"]
    missing = {test: tool for test, tool in _TOOL_CHECKS.items() if shutil.which(tool) is None}
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


def rollback_drill(rehearsal: Rehearsal) -> str | None:
    return adapters.rollback_drill(rehearsal)


def commit_status(rehearsal: Rehearsal) -> str | None:
    return adapters.commit_status(rehearsal, rehearsal.results)


def staging_green(rehearsal: Rehearsal) -> str | None:
    return adapters.staging_green(rehearsal)


def _smoke(rehearsal: Rehearsal, expected_release: str) -> str:
    url = rehearsal.app().url
    served = serving(url)
    if served != expected_release:
        raise StageFailed(f"the app's URL serves release {served}, expected {expected_release}")
    env = {
        **processes.clean_environment(),
        **SMOKE_BUDGETS,
        "SMOKE_TEST_API_URL": url,
        "SMOKE_TEST_DATABASE_URL": rehearsal.database(),
        "SMOKE_TEST_CLERK_USER_ID": rehearsal.test_user,
    }
    return _gate(rehearsal, "smoke", env=env, name=f"smoke-{expected_release}")


def _gate(
    rehearsal: Rehearsal,
    group: str,
    *,
    env: dict[str, str] | None = None,
    name: str | None = None,
    deselect: str | None = None,
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
PRODUCTION = (
    PREPARE,
    Stage("staging_green", 'pytest -m "pre_deploy and staging_green" --gates-env production', staging_green),
    *STAGING[1:],
)
TARGETS = {"staging": STAGING, "production": PRODUCTION}
