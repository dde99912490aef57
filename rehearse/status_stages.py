"""Stage 9 (the commit status) and the production leg's first stage (`staging_green`), on the local status store.

The status is posted by the workflow's own last step, `python -m gates.github.commit_status --env
ENV --state success`, run in the release's folder so it reads the rehearsal's gates.toml; the
stage then reads the store back, so a status that never arrived fails it. `staging_green` runs
the gate exactly as deploy-production.yml does, `pytest -m "pre_deploy and staging_green"
--gates-env production`, with the GitHub variables pointed at the store.
"""

from __future__ import annotations

import sys

from gates.config import load_config
from rehearse import processes
from rehearse.context import Rehearsal
from rehearse.gate_run import run_gate
from rehearse.stages import StageFailed
from rehearse.status_store import StatusStore

STATUS_TIMEOUT_S = 60.0


def commit_status(rehearsal: Rehearsal) -> str:
    store = _store(rehearsal)
    config = rehearsal.config(rehearsal.new)
    context = load_config(config).github.context(rehearsal.environment)
    # Every stage before this one passed, or the run would have stopped before it.
    description = f"{rehearsal.environment} rehearsal of {rehearsal.new.version}: every stage passed"
    command = ["-m", "gates.github.commit_status", "--env", rehearsal.environment, "--state", "success"]
    finished = processes.run(
        [sys.executable, *command, "--description", description],
        cwd=config.parent,
        env={**processes.clean_environment(), **store.environ()},
        secrets={"GITHUB_TOKEN": store.token},
        timeout_s=STATUS_TIMEOUT_S,
    )
    posted = store.state(context) if context else None
    if finished.returncode != 0 or posted != "success":
        lines = [line.strip() for line in (finished.stdout + finished.stderr).splitlines() if line.strip()]
        why = lines[-1] if lines else f"exit code {finished.returncode}"
        raise StageFailed(f"the commit status {context} was not written to the local status store: {why}")
    return f"{context} success on {store.commit[:12]} in the local status store"


def staging_green(rehearsal: Rehearsal) -> str:
    store = _store(rehearsal)
    verdict = run_gate(
        "pre_deploy and staging_green",
        workspace=rehearsal.workspace,
        config=rehearsal.config(rehearsal.new),
        env={**processes.clean_environment(), **store.environ()},
        secrets={"GITHUB_TOKEN": store.token},
        name="staging_green",
        gates_env="production",
    )
    if not verdict.passed:
        raise StageFailed(verdict.sentence)
    return f"{verdict.sentence}: {store.commit[:12]} is green on staging in the local status store"


def _store(rehearsal: Rehearsal) -> StatusStore:
    if rehearsal.store is None:
        raise StageFailed("the local status store is not running")
    return rehearsal.store
