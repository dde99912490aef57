"""host_checks against a fake flyctl whose `ssh console -C` runs on this machine, where each test starts
stand-in worker processes (uid 10001, a /health endpoint) carrying a command line unique to the test."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from testinfra.host import Host

from fly.flyctl import Flyctl, FlyctlError
from fly.flyctl_platform import FlyctlPlatform
from fly.host_backend import FlySshBackend
from fly.host_probe import value_hash
from gates.config import Environment
from standin.stack import free_port
from tests.helpers.fake_flyctl import FakeFlyctl, machine, release
from tests.helpers.gate_run import run_gates

WORKER, REGENERATOR = "atlaris-worker-staging", "atlaris-worker-regenerator-staging"
STAGING_URL = "postgresql://app:s3cret-staging@staging.db.example/atlaris"
PROD_URL = "postgresql://app:s3cret-prod@prod.db.example/atlaris"
# A worker: binds its health port as root, then drops to the image's user 10001, as the Dockerfile runs it.
WORKER_CODE = """
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers()
    def log_message(self, *a): pass
server = http.server.HTTPServer(("127.0.0.1", int(os.environ["WORKER_HEALTH_PORT"])), H)
os.setgid(10001); os.setuid(10001)
server.serve_forever()
"""


@pytest.fixture
def entrypoints() -> dict[str, str]:
    token = secrets.token_hex(4)
    return {"worker": f"src/workers/index-{token}.ts", "regenerator": f"src/workers/plan-regenerator-{token}.ts"}


@pytest.fixture
def fake(tmp_path: Path, entrypoints: dict[str, str]) -> FakeFlyctl:
    files = {}
    for role, entry in entrypoints.items():
        path = tmp_path / f"fly.{role}.toml"
        path.write_text(f'[processes]\napp = "pnpm tsx {entry}"\n', encoding="utf-8")
        files[role] = path.name
    (tmp_path / "gates.toml").write_text(
        f"""
[fly]
required_secrets = ["DATABASE_URL", "AI_API_KEY"]
[environments.staging]
fly_apps = {{ worker = "{WORKER}", regenerator = "{REGENERATOR}" }}
[environments.staging.fly]
config_files = {{ worker = "{files["worker"]}", regenerator = "{files["regenerator"]}" }}
""",
        encoding="utf-8",
    )
    fake = FakeFlyctl.install(tmp_path)
    for app in (WORKER, REGENERATOR):
        fake.app(app, [release(app, 8, "v8")], [machine("3d8d1a2b3c4d5e", app, "v8")])
    return fake


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., None]]:
    """`start_worker(entry, files, **env)`: a worker process running `entry`, in its own directory under
    tmp_path holding `files` (relative path -> text), as the image's WORKDIR."""
    started: list[subprocess.Popen[bytes]] = []

    def start(entry: str, files: dict[str, str] | None = None, workdir: Path | None = None, **env: str) -> None:
        folder = tmp_path / f"machine-{len(started)}"
        folder.mkdir()
        for name, text in (files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        port = str(free_port())
        environment = {"APP_ENV": "staging", "DATABASE_URL": STAGING_URL, "WORKER_HEALTH_PORT": port, **env}
        started.append(
            subprocess.Popen([sys.executable, "-c", WORKER_CODE, entry], cwd=workdir or folder, env=environment)
        )
        time.sleep(0.3)

    yield start
    for process in started:
        process.kill()
        process.wait()


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeFlyctl, tmp_path: Path
) -> Callable[[], tuple[int, str]]:
    def gate() -> tuple[int, str]:
        environ = {**fake.environ(), "DATABASE_URL_STAGING": STAGING_URL, "DATABASE_URL_PROD": PROD_URL}
        return run_gates(pytester, monkeypatch, tmp_path, "post_deploy and host_checks", "staging", environ)

    return gate


def _both(
    start_worker: Callable[..., None],
    entrypoints: dict[str, str],
    files: dict[str, str] | None = None,
    **worker_env: str,
) -> None:
    start_worker(entrypoints["worker"], files, **worker_env)
    start_worker(entrypoints["regenerator"], files)


def test_all_good_passes(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    _both(start_worker, entrypoints)
    code, output = run()
    assert code == 0, output
    assert "2 passed" in output


def test_a_staging_worker_on_the_production_database_fails(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    _both(start_worker, entrypoints, DATABASE_URL=PROD_URL)
    code, output = run()
    assert code == 1
    assert f"{WORKER} machine 3d8d1a2b3c4d5e" in output
    assert "its DATABASE_URL is production's database (DATABASE_URL_PROD)" in output
    assert "s3cret" not in output and value_hash(PROD_URL) not in output


def test_a_dotenv_file_fails(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    start_worker(entrypoints["worker"], {".env": "DATABASE_URL=x\n"})
    start_worker(entrypoints["regenerator"])
    code, output = run()
    assert code == 1
    assert "a .env file is in its working directory" in output


def test_a_secret_assigned_in_the_images_files_fails_naming_file_line_and_name(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    start_worker(entrypoints["worker"], {"config/app.env": "LOG_LEVEL=info\n  export AI_API_KEY = 'sk-s3cret'\n"})
    start_worker(entrypoints["regenerator"], {"src/settings.sh": f"DATABASE_URL={PROD_URL}\n"})
    code, output = run()
    assert code == 1
    assert "config/app.env line 2 assigns AI_API_KEY: a secret is baked into the image" in output
    assert "src/settings.sh line 1 assigns DATABASE_URL: a secret is baked into the image" in output
    assert "s3cret" not in output


def test_empty_assignments_and_dependency_folders_are_not_the_images_secrets(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    files = {
        "config/example.env": "DATABASE_URL=\nAI_API_KEY=''\nAI_API_KEY= # set by fly secrets\nMY_DATABASE_URL=x\n",
        "node_modules/pg/test.env": "DATABASE_URL=postgres://localhost/test\n",
        ".git/config.env": "AI_API_KEY=abc\n",
    }
    _both(start_worker, entrypoints, files=files)
    code, output = run()
    assert code == 0, output


def test_a_worker_without_a_workdir_fails(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    start_worker(entrypoints["worker"], workdir=Path("/"))
    start_worker(entrypoints["regenerator"])
    code, output = run()
    assert code == 1
    assert f"{WORKER} machine 3d8d1a2b3c4d5e pid" in output
    assert "its working directory is /, so the image's files cannot be checked for secrets: set WORKDIR" in output


def test_a_wrong_entrypoint_fails(
    run: Callable[[], tuple[int, str]], start_worker: Callable[..., None], entrypoints: dict[str, str]
) -> None:
    start_worker(entrypoints["worker"])
    start_worker(entrypoints["worker"].replace("index", "other"))
    code, output = run()
    assert code == 1
    assert (
        f"{REGENERATOR} machine 3d8d1a2b3c4d5e: no process runs the entry point {entrypoints['regenerator']}" in output
    )


@pytest.fixture
def ssh_platform(fake: FakeFlyctl, monkeypatch: pytest.MonkeyPatch) -> FlyctlPlatform:
    for name, value in fake.environ().items():
        monkeypatch.setenv(name, value)
    return FlyctlPlatform(Flyctl.find(Environment("staging", "DATABASE_URL_STAGING")))


def test_the_remote_exit_status_is_carried_back(ssh_platform: FlyctlPlatform, fake: FakeFlyctl) -> None:
    host = Host(FlySshBackend(ssh_platform, WORKER, "3d8d1a2b3c4d5e"))
    result = host.run("echo out; exit 7")
    assert (result.rc, result.stdout.strip()) == (7, "out")
    assert host.run("true").rc == 0
    assert fake.calls()[0][:6] == ["ssh", "console", "--app", WORKER, "--machine", "3d8d1a2b3c4d5e"]


def test_a_command_that_never_ran_fails_in_one_sentence(ssh_platform: FlyctlPlatform, fake: FakeFlyctl) -> None:
    fake.answer("ssh console", stderr="Error: app atlaris-worker-staging has no started VMs\n", exit=1)
    platform = ssh_platform
    with pytest.raises(FlyctlError, match="has no started VMs"):
        FlySshBackend(platform, WORKER, "3d8d1a2b3c4d5e").run("true")
