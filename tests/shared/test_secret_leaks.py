"""No secret reaches the terminal, JUnit or the JSON report when pytest-timeout fires inside a call
into the driver, the HTTP library or a CLI's subprocess, with `-vv --tb=long --showlocals`.

A `Dsn` masks its own repr, but psycopg turns it into plain strings and dicts (`conninfo`,
`params`) in its own frames, httpx's frames hold the request headers and subprocess's the argument
list and environment: only cutting those frames off at our call (`SecretBoundary`) keeps them out
of the traceback.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers.developer_env import developer_environ
from tests.helpers.leaks import run_reported

PASSWORD = "Pw-never-shown-81"
TOKEN = "tok-never-shown-29"

HANGING_CALLS = textwrap.dedent(
    """
    import os
    import socket

    import httpx
    import pytest

    from drills.vercel_cli import VercelCli
    from gates.connect import ConnectBudget, connect
    from gates.dsn import Dsn
    from gates.secret import BearerAuth, Secret, SecretBoundary

    SILENT = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    PORT = SILENT.getsockname()[1]


    @pytest.mark.timeout(1, method="signal")
    @pytest.mark.parametrize("form", ["uri", "keywords"])
    def test_connect_hangs(form):
        password = Secret(os.environ["LEAK_PASSWORD"])
        if form == "uri":
            url = Dsn(f"postgresql://app:{password.reveal()}@127.0.0.1:{PORT}/app")
        else:
            url = Dsn(f"host=127.0.0.1 port={PORT} user=app password={password.reveal()} dbname=app")
        connect(url, budget=ConnectBudget(30))


    @pytest.mark.timeout(1, method="signal")
    def test_request_hangs():
        with httpx.Client(timeout=30) as client, SecretBoundary():
            client.get(f"http://127.0.0.1:{PORT}/", auth=BearerAuth(Secret(os.environ["LEAK_TOKEN"])))


    @pytest.mark.timeout(1, method="signal")
    def test_vercel_hangs():
        VercelCli(Secret(os.environ["LEAK_TOKEN"]), "team_x", "prj_x", executable="./vercel").promote("dpl_x", 30)
    """
)
HANGING_CLI = "#!/bin/sh\nsleep 30\n"


@pytest.mark.timeout(120)
def test_a_timeout_inside_the_driver_or_http_library_shows_no_secret(tmp_path: Path) -> None:
    (tmp_path / "test_hanging.py").write_text(HANGING_CALLS)
    (tmp_path / "vercel").write_text(HANGING_CLI)
    (tmp_path / "vercel").chmod(0o755)
    env = developer_environ(LEAK_PASSWORD=PASSWORD, LEAK_TOKEN=TOKEN)
    # -vv: pytest no longer cuts long locals, so subprocess's argument lists show in full
    code, written = run_reported(tmp_path, ["-v", "test_hanging.py"], env)
    assert code == 1 and written.count("Timeout (>1.0s) from pytest-timeout") >= 4, written
    assert PASSWORD not in written and TOKEN not in written


# Our own code holding a secret while something slow runs: each test makes that step hang (a stand-in
# for a slow or stuck moment), so the timeout's traceback shows every local of our frames around it.
HELD_SECRETS = textwrap.dedent(
    """
    import os
    import time

    import httpx
    import pytest

    import fly.gate_host_checks
    import smoke.auth
    from fly.host_probe import WorkerProcess
    from gates.config import load_config
    from gates.secret import Secret
    from smoke.auth import ClerkCredentials, ClerkSessionTokens
    from tests.helpers.fake_clerk import FakeClerk


    def hang(*_args):
        time.sleep(30)


    @pytest.mark.timeout(1, method="signal")
    def test_reading_a_minted_token_hangs(monkeypatch):
        monkeypatch.setattr(smoke.auth, "_expiry", hang)
        clerk = FakeClerk(jwt=os.environ["LEAK_TOKEN"])
        with clerk.serving(), httpx.Client() as client:
            credentials = ClerkCredentials(Secret(os.environ["LEAK_KEY"]), "user_1", clerk.url)
            ClerkSessionTokens(credentials, client).auth()


    @pytest.mark.timeout(1, method="signal")
    def test_comparing_database_url_hashes_hangs(monkeypatch):
        monkeypatch.setattr(fly.gate_host_checks, "value_hash", hang)
        config = load_config(None)
        staging = config.environment("staging")
        worker = WorkerProcess(pid=1, hashes={"DATABASE_URL": "0" * 64})
        fly.gate_host_checks._isolation_problems(config, staging, ("DATABASE_URL",), worker)
    """
)


@pytest.mark.timeout(120)
def test_a_timeout_while_our_code_holds_a_token_or_database_url_shows_neither(tmp_path: Path) -> None:
    (tmp_path / "test_held.py").write_text(HELD_SECRETS)
    env = developer_environ(
        LEAK_TOKEN=f"eyJhbGciOiJSUzI1NiJ9.e30.{TOKEN}",
        LEAK_KEY=f"sk_test_{TOKEN}-key",
        DATABASE_URL_STAGING=f"postgresql://app:{PASSWORD}@db.staging.example:5432/app",
        DATABASE_URL_PROD=f"postgresql://app:{PASSWORD}-prod@db.prod.example:5432/app",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),  # for tests.helpers.fake_clerk
    )
    # Without the report masking (tests/shared/test_report_masking.py), which would hide a leak of
    # these variables: this is about what our frames hold.
    code, written = run_reported(tmp_path, ["-vv", "-p", "no:gates.report_masking", "test_held.py"], env)
    assert code == 1 and written.count("Timeout (>1.0s) from pytest-timeout") >= 2, written
    assert "_isolation_problems" in written and "_mint" in written, written
    assert PASSWORD not in written and TOKEN not in written
