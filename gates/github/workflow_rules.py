"""Structural rules for the deploy workflows: order, concurrency, permissions, pins, timeouts, secrets.

Each rule reads the workflow as YAML (and, for the version comments PyYAML drops, the raw lines)
and reports `Problem`s naming the file, the job and the rule. The deploy order is the seed's:
pre_deploy gates, migrate, smoke on the old release, both Fly deploys (never `--detach`),
post_deploy gates, the Vercel deploy, smoke, and the final commit status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEPLOY_ORDER = (
    "pre_deploy",
    "migrate",
    "smoke",
    "fly_deploy",
    "fly_deploy",
    "post_deploy",
    "vercel_deploy",
    "smoke",
    "status",
)
_PINNED = re.compile(r"^\s*-?\s*uses:\s*[^\s@]+@[0-9a-f]{40}\s+#\s*v?\d[\w.\-]*\s*$")
_USES = re.compile(r"^\s*-?\s*uses:\s*(\S+)")
_STEP_KINDS = (
    ("staging_green", re.compile(r"pytest\b.*-m\s+[\"']?pre_deploy and staging_green")),
    ("pre_deploy", re.compile(r"pytest\b.*-m\s+[\"']?pre_deploy")),
    ("migrate", re.compile(r"(migrations_checks|gates)\s+migrate\b")),
    ("smoke", re.compile(r"pytest\b.*-m\s+[\"']?smoke\b")),
    ("post_deploy", re.compile(r"pytest\b.*-m\s+[\"']?post_deploy")),
    ("fly_deploy", re.compile(r"\b(flyctl|fly)\s+deploy\b")),
    ("vercel_deploy", re.compile(r"\bvercel\s+deploy\b")),
    ("status", re.compile(r"gates\.github\.commit_status|\bgates\s+status\b")),
)


WORKFLOW = "(workflow)"  # the job of a problem in the workflow's top level, or in no job in particular


@dataclass(frozen=True)
class Problem:
    file: str
    job: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.job if self.job == WORKFLOW else f"job {self.job}"
        return f"{self.file}: {where}: [{self.rule}] {self.message}"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    # YAML 1.1 reads the key `on` as True; GitHub reads it as the trigger list.
    if True in data:
        data["on"] = data.pop(True)
    return dict(data)


def check_workflow(path: Path) -> list[Problem]:
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    name = path.name
    problems: list[Problem] = []
    jobs: dict[str, Any] = workflow.get("jobs") or {}
    deploys = _is_deploy(jobs)
    production = "production" in name or any("--gates-env production" in _runs(job) for job in jobs.values())
    problems += _pins(name, text)
    if workflow.get("permissions") not in (None, {}):
        problems.append(
            Problem(name, WORKFLOW, "permissions", "workflow-level permissions must be {}; grant them per job")
        )
    if deploys and _cancels(workflow.get("concurrency")):
        problems.append(Problem(name, WORKFLOW, "concurrency", "a deploy workflow must queue, not cancel in progress"))
    for job_id, job in jobs.items():
        problems += _job_problems(name, job_id, job, deploys=deploys, production=production)
    problems += _secret_scope(name, workflow)
    return problems


def _job_problems(name: str, job_id: str, job: dict[str, Any], *, deploys: bool, production: bool) -> list[Problem]:
    problems = []

    def problem(rule: str, message: str) -> None:
        problems.append(Problem(name, job_id, rule, message))

    if "timeout-minutes" not in job:
        problem("timeout", "every job needs timeout-minutes")
    permissions = job.get("permissions")
    if not isinstance(permissions, dict):
        problem("permissions", "every job needs its own least-privilege permissions map (not read-all/write-all)")
    elif any(value == "write" for key, value in permissions.items() if key not in _WRITES_NEEDED.get(_kind(job), ())):
        problem("permissions", f"grants write permissions the job does not need: {sorted(permissions)}")
    if deploys and _cancels(job.get("concurrency")):
        problem("concurrency", "a deploy job must queue, not cancel in progress")
    if production and _environment(job) != "production":
        problem("environment", "production jobs must use the production GitHub environment")
    steps = job.get("steps") or []
    for step in steps:
        run = str(step.get("run", ""))
        if _kind_of(run) == "fly_deploy" and "--detach" in run:
            problem("no-detach", "fly deploy --detach skips health and smoke checks")
    if deploys:
        problems += _order(name, job_id, steps, production)
    return problems


_WRITES_NEEDED = {"deploy": ("statuses",), "review": ("pull-requests", "security-events", "statuses"), "other": ()}


def _kind(job: dict[str, Any]) -> str:
    runs = _runs(job)
    if "migrations_checks lint" in runs or "gates review" in runs:
        return "review"
    return "deploy" if _is_deploy({"job": job}) else "other"


def _order(name: str, job_id: str, steps: list[dict[str, Any]], production: bool) -> list[Problem]:
    kinds: list[tuple[str, dict[str, Any]]] = [
        (kind, step) for step in steps if (kind := _kind_of(str(step.get("run", ""))))
    ]
    sequence = [kind for kind, _ in kinds]
    problems = []
    if production:
        if (
            "staging_green" not in sequence
            or "migrate" not in sequence
            or sequence.index("staging_green") > sequence.index("migrate")
        ):
            problems.append(
                Problem(name, job_id, "staging-green-first", "production must pass staging_green before migrate")
            )
        for kind, step in kinds[: sequence.index("migrate") if "migrate" in sequence else len(kinds)]:
            if step.get("continue-on-error"):
                problems.append(
                    Problem(
                        name, job_id, "staging-green-first", f"a {kind} step before migrate may not continue on error"
                    )
                )
        migrate = next((step for kind, step in kinds if kind == "migrate"), {})
        if re.search(r"always\(\)|failure\(\)|cancelled\(\)", str(migrate.get("if", ""))):
            problems.append(Problem(name, job_id, "staging-green-first", "migrate must not run after a failed gate"))
        green = next((step for kind, step in kinds if kind == "staging_green"), None)
        problems += [Problem(name, job_id, "staging-green-first", p) for p in _staging_green_step(green)]
    # staging_green is a pre_deploy gate run on its own; consecutive pre_deploy runs count as one.
    gates = ["pre_deploy" if kind == "staging_green" else kind for kind in sequence]
    collapsed = [
        kind for index, kind in enumerate(gates) if not (kind == "pre_deploy" and gates[index - 1 : index] == [kind])
    ]
    if tuple(collapsed) != DEPLOY_ORDER:
        problems.append(
            Problem(
                name,
                job_id,
                "order",
                f"steps run {' → '.join(collapsed)}; the deploy order is {' → '.join(DEPLOY_ORDER)}",
            )
        )
    smoke_old = next((step for kind, step in kinds if kind == "smoke"), None)
    if smoke_old is not None and not production and "if" in smoke_old:
        problems.append(
            Problem(name, job_id, "order", "smoke on the old release is required in staging; it may not have an if:")
        )
    status = next((step for kind, step in kinds if kind == "status"), None)
    if status is not None and "always()" not in str(status.get("if", "")):
        problems.append(
            Problem(name, job_id, "order", "the status step must run if: always(), so a failed deploy reports failure")
        )
    return problems


def _staging_green_step(step: dict[str, Any] | None) -> list[str]:
    """What lets production pass its staging_green step without the gate passing."""
    if step is None:
        return []
    run = str(step.get("run", "")).strip()
    problems = []
    if str(step.get("if", "success()")).strip() not in ("success()", "${{ success() }}"):
        problems.append("the staging_green step may not have an if: a skipped gate lets migrate run")
    if "\n" in run or re.search(r"\|\||;|(?<![&>])&(?!&)", run):
        problems.append("the staging_green step must be the pytest command alone: its exit code is the verdict")
    if not re.search(r"--gates-env[= ]production\b", run):
        problems.append("the staging_green step must say --gates-env production: elsewhere the gate skips")
    return problems


def _pins(name: str, text: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _USES.match(line)
        if match and not match.group(1).startswith(("./", "docker://")) and not _PINNED.match(line):
            problems.append(
                Problem(
                    name,
                    WORKFLOW,
                    "pinned-actions",
                    f"line {number}: {match.group(1)} must be pinned to a full commit SHA, version in a comment",
                )
            )
    return problems


def _secret_scope(name: str, workflow: dict[str, Any]) -> list[Problem]:
    problems = []
    if "secrets." in str(workflow.get("env", "")):
        problems.append(Problem(name, WORKFLOW, "secret-scope", "a secret in workflow-level env reaches every step"))
    for job_id, job in (workflow.get("jobs") or {}).items():
        if "secrets." in str(job.get("env", "")):
            problems.append(
                Problem(
                    name,
                    job_id,
                    "secret-scope",
                    "a secret in job-level env reaches every step; give it only to the steps that use it",
                )
            )
        for step in job.get("steps") or []:
            if "secrets." in str(step.get("run", "")):
                problems.append(
                    Problem(
                        name,
                        job_id,
                        "secret-scope",
                        f"step {step.get('name', step.get('run'))!r} puts a secret in its script; use the step's env",
                    )
                )
    return problems


def _is_deploy(jobs: dict[str, Any]) -> bool:
    return any(
        _kind_of(str(step.get("run", ""))) in ("fly_deploy", "vercel_deploy", "migrate")
        for job in jobs.values()
        for step in job.get("steps") or []
    )


def _kind_of(run: str) -> str | None:
    return next((kind for kind, pattern in _STEP_KINDS if pattern.search(run)), None)


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps") or [])


def _cancels(concurrency: Any) -> bool:
    return isinstance(concurrency, dict) and concurrency.get("cancel-in-progress", False) is not False


def _environment(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def run_lines(path: Path) -> Iterator[tuple[str, str]]:
    """(job, command line) for every line of every `run:` script, continuation lines joined."""
    for job_id, job in (load(path).get("jobs") or {}).items():
        for step in job.get("steps") or []:
            for line in str(step.get("run", "")).replace("\\\n", " ").splitlines():
                if line.strip():
                    yield job_id, line.strip()
