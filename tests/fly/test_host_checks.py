"""host_checks against a fake flyctl whose `ssh console -C` runs on this machine, where each test starts
stand-in worker processes (uid 10001, a /health endpoint) carrying a command line unique to the test
(fixtures in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from testinfra.host import Host

from fly.flyctl import Flyctl, FlyctlError
from fly.flyctl_platform import FlyctlPlatform
from fly.host_backend import FlySshBackend
from fly.host_probe import value_hash
from gates.config import Environment
from tests.helpers.fake_flyctl import FakeFlyctl
from tests.helpers.fly_hosts import APPS, MACHINE, PROD_URL, Entrypoints, both
from tests.helpers.gate_run import GateRun

WORKER, REGENERATOR = APPS["staging"]["worker"], APPS["staging"]["regenerator"]
STAGING_MACHINE = MACHINE["staging"]


def test_all_good_passes(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    both(start_worker, entrypoints)
    both(start_worker, entrypoints, "production")
    run().assert_outcomes(passed=2)


def test_a_staging_worker_on_the_production_database_fails(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    both(start_worker, entrypoints, DATABASE_URL=PROD_URL)
    code, output = run()
    assert code == 1
    assert f"{WORKER} machine {STAGING_MACHINE}" in output
    assert "its DATABASE_URL is production's database (DATABASE_URL_PROD)" in output
    assert "s3cret" not in output and value_hash(PROD_URL) not in output


OTHER_URL = "postgresql://app:s3cret-other@elsewhere.db.example/atlaris"
WORKER_FAULTS: dict[str, tuple[dict[str, str | None], str]] = {
    "running as root": ({"TEST_WORKER_UID": "0"}, "runs as root"),
    "another environment's name": ({"APP_ENV": "production"}, "APP_ENV is production, not staging"),
    "no APP_ENV": ({"APP_ENV": None}, "APP_ENV is (unset), not staging"),
    "a health endpoint failing": ({"TEST_HEALTH_STATUS": "503"}, "its health endpoint does not answer"),
    "a database of no environment": ({"DATABASE_URL": OTHER_URL}, "its DATABASE_URL is not DATABASE_URL_STAGING"),
    "an empty per-environment secret": ({"AI_API_KEY": " "}, "secret AI_API_KEY is empty"),
}


@pytest.mark.parametrize("case", sorted(WORKER_FAULTS))
def test_each_wrong_worker_fails_naming_app_machine_and_cause(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints, case: str
) -> None:
    worker_env, cause = WORKER_FAULTS[case]
    both(start_worker, entrypoints, **worker_env)
    ran = run()
    code, output = ran
    assert code == 1, output
    assert f"{WORKER} machine {STAGING_MACHINE} pid" in output and cause in output
    ran.assert_outcomes(failed=1, passed=1)
    assert "s3cret" not in output


def test_a_dotenv_file_fails(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    start_worker(entrypoints["staging"]["worker"], {".env": "DATABASE_URL=x\n"})
    start_worker(entrypoints["staging"]["regenerator"])
    code, output = run()
    assert code == 1
    assert "a .env file is in its working directory" in output


def test_a_secret_assigned_in_the_images_files_fails_naming_file_line_and_name(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    start_worker(
        entrypoints["staging"]["worker"],
        {
            "config/app.env": "LOG_LEVEL=info\n  export AI_API_KEY = 'sk-s3cret'\n",
            "deploy.yaml": "AI_API_KEY: sk-s3cret\n",
        },
    )
    start_worker(entrypoints["staging"]["regenerator"], {"src/settings.sh": f"DATABASE_URL={PROD_URL}\n"})
    code, output = run()
    assert code == 1
    assert "config/app.env line 2 assigns AI_API_KEY: a secret is baked into the image" in output
    assert "deploy.yaml line 1 assigns AI_API_KEY: a secret is baked into the image" in output
    assert "src/settings.sh line 1 assigns DATABASE_URL: a secret is baked into the image" in output
    assert "s3cret" not in output


def test_empty_values_references_source_code_and_dependencies_are_not_baked_secrets(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    files = {
        "config/example.env": "DATABASE_URL=\nAI_API_KEY=''\nAI_API_KEY= # set by fly secrets\nMY_DATABASE_URL=x\n",
        "config/compose.yml": 'DATABASE_URL: ${DATABASE_URL}\nAI_API_KEY: "$AI_API_KEY"\n',
        "src/settings.py": 'DATABASE_URL = "DATABASE_URL"  # the variable\'s name, not its value\n',
        "node_modules/pg/test.env": "DATABASE_URL=postgres://localhost/test\n",
        ".git/config.env": "AI_API_KEY=abc\n",
    }
    both(start_worker, entrypoints, "staging", files)
    both(start_worker, entrypoints, "production")
    code, output = run()
    assert code == 0, output


def test_a_worker_without_a_workdir_fails(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    start_worker(entrypoints["staging"]["worker"], workdir=Path("/"))
    start_worker(entrypoints["staging"]["regenerator"])
    code, output = run()
    assert code == 1
    assert f"{WORKER} machine {STAGING_MACHINE} pid" in output
    assert "its working directory is /, so the image's files cannot be checked for secrets: set WORKDIR" in output


def test_a_wrong_entrypoint_fails(
    run: Callable[..., GateRun], start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    start_worker(entrypoints["staging"]["worker"])
    start_worker(entrypoints["staging"]["worker"].replace("index", "other"))
    code, output = run()
    assert code == 1
    expected = entrypoints["staging"]["regenerator"]
    assert f"{REGENERATOR} machine {STAGING_MACHINE}: no process runs the entry point {expected}" in output


@pytest.fixture
def ssh_platform(fake: FakeFlyctl, monkeypatch: pytest.MonkeyPatch) -> FlyctlPlatform:
    for name, value in fake.environ().items():
        monkeypatch.setenv(name, value)
    return FlyctlPlatform(Flyctl.find(Environment("staging", "DATABASE_URL_STAGING")))


def test_the_remote_exit_status_is_carried_back(ssh_platform: FlyctlPlatform, fake: FakeFlyctl) -> None:
    host = Host(FlySshBackend(ssh_platform, WORKER, STAGING_MACHINE))
    result = host.run("echo out; exit 7")
    assert (result.rc, result.stdout.strip()) == (7, "out")
    assert host.run("true").rc == 0
    assert fake.calls()[0][:6] == ["ssh", "console", "--app", WORKER, "--machine", STAGING_MACHINE]


def test_a_command_that_never_ran_fails_in_one_sentence(ssh_platform: FlyctlPlatform, fake: FakeFlyctl) -> None:
    fake.answer("ssh console", stderr="Error: app atlaris-worker-staging has no started VMs\n", exit=1)
    platform = ssh_platform
    with pytest.raises(FlyctlError, match="has no started VMs"):
        FlySshBackend(platform, WORKER, STAGING_MACHINE).run("true")
