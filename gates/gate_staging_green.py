"""Gate `pre_deploy and staging_green`: production runs only what staging ran green.

`pytest -m "pre_deploy and staging_green" --gates-env production`. It reads `GITHUB_API_URL`,
`GITHUB_REPOSITORY`, `GITHUB_TOKEN`, `GITHUB_SHA` and `GITHUB_RUN_ID` (this run's own jobs are
not waited for), and the `[github]` table of gates.toml (staging context, staging branch, pending
budget). The gate applies to production deploys only:
on another environment it is reported as skipped with that reason, never as passed. Every
unusable variable is named in one sentence, wrong ones (a `GITHUB_REPOSITORY` without a slash, a
`GITHUB_API_URL` that is no URL) first.
"""

from __future__ import annotations

import os

import pytest

from gates.config import Environment, GatesConfig
from gates.failclosed import fail
from gates.github.client import GitHubClient, GitHubError, commit_sha, read_repository
from gates.github.staging_green import staging_green
from gates.inputs import Inputs

pytestmark = [pytest.mark.pre_deploy, pytest.mark.staging_green]


def test_deployed_commit_is_green_on_staging(gates_config: GatesConfig, gates_env: Environment) -> None:
    if not gates_env.is_production:
        pytest.skip(f"staging_green gates production deploys only; this is {gates_env.name}")
    settings = gates_config.github
    inputs = Inputs()
    deployed = inputs.read(lambda: commit_sha(os.environ))
    repository = inputs.read(lambda: read_repository(os.environ))
    inputs.settle(gates_env, "staging_green cannot decide: ")
    assert deployed is not None and repository is not None
    try:
        with GitHubClient(repository, retry_budget_s=settings.retry_budget_s) as client:
            verdict = staging_green(
                client,
                deployed,
                branch=settings.staging_branch,
                context=settings.staging_context,
                pending_budget_s=settings.pending_budget_s,
                own_run_id=os.environ.get("GITHUB_RUN_ID", "").strip() or None,
            )
    except GitHubError as error:
        fail(f"staging_green cannot decide: {error}")
    if not verdict.green:
        fail(f"staging is not green for {deployed[:12]}: {verdict.sentence}")
