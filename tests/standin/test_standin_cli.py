"""`python -m standin up|status|down` by hand, as a user runs it: a whole stack, then nothing left."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import httpx
import pytest

from standin.stack import Stack, free_port
from tests.helpers.config import write_example_config
from tests.helpers.developer_env import developer_environ
from tests.helpers.gate_run import run_in_child

REPO = Path(__file__).resolve().parents[2]


def _standin(
    cwd: Path, *args: str, env: dict[str, str], config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "standin", "--config", str(config or write_example_config(cwd / "config")), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _postgres_serving(pgdata: Path) -> list[int]:
    """Pids of the processes whose command line names `pgdata` (a postmaster started on it)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(pgdata.resolve()).encode() in command:
            pids.append(int(proc.name))
    return pids


@pytest.fixture
def standin_folder() -> Iterator[Path]:
    """A folder to run `up` in, outside pytest's temporary root.

    Run as root, pgserver runs Postgres as a user of its own, which must be able to enter every
    folder above the data; pgserver opens them up at start. pytest keeps its temporary root private
    (mode 700) and narrows it again whenever a pytest session starts on the machine (another
    engineer's, a child run), so an `up` under `tmp_path` fails at random with "Permission denied"
    in initdb or pg_ctl, the more often the longer a loaded machine makes its start-up.
    """
    folder = Path(tempfile.mkdtemp(prefix="standin-cli-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _local_smoke(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> tuple[pytest.RunResult, str]:
    """`pytest -m smoke --gates-env local` as the README says, in the current folder, with no input given."""
    result = run_in_child(pytester, monkeypatch, "-m", "smoke", "--gates-env", "local", "-rA", environ=env)
    return result, result.stdout.str() + result.stderr.str()


def test_up_serves_the_whole_stack_and_down_stops_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, standin_folder: Path
) -> None:
    monkeypatch.chdir(standin_folder)  # the smoke runs at the root of the folder the stand-in was started in
    key = "cli-test-key-never-printed"
    env = developer_environ(STANDIN_API_KEY=key, MOCK_GENERATION_DELAY_MS="100", WORKER_POLL_INTERVAL_MS="50")
    port = free_port()
    write_example_config(standin_folder)
    up = _standin(standin_folder, "up", "--port", str(port), env=env, config=standin_folder / "gates.toml")
    try:
        assert up.returncode == 0, up.stderr
        assert "0000_initial_schema" in up.stdout and key not in up.stdout + up.stderr
        state = standin_folder / ".gates" / "standin"
        smoke_env = state / "smoke.env"
        assert smoke_env.stat().st_mode & 0o777 == 0o600 and f"SMOKE_TEST_API_KEY={key}" in smoke_env.read_text()
        smoke, output = _local_smoke(pytester, monkeypatch, env)  # finds the running stand-in's inputs by itself
        smoke.assert_outcomes(passed=1)
        assert key not in output
        status = _standin(standin_folder, "status", env=env)
        assert status.returncode == 0 and status.stdout.count("ready") == 3, status.stdout
        answer = httpx.get(f"http://127.0.0.1:{port}/api/health/worker", headers={"Authorization": f"Bearer {key}"})
        assert answer.json()["status"] == "healthy"
        again = _standin(standin_folder, "up", "--port", str(port), env=env)
        assert again.returncode == 1 and "already running" in again.stderr
        stack = Stack.from_json(json.loads((state / "state.json").read_text()))
    finally:
        down = _standin(standin_folder, "down", env=env)
    assert down.returncode == 0 and "stopped Postgres" in down.stdout, down.stderr
    assert all(component.exit_code() is not None for component in stack.components)  # gone (or a zombie)
    assert not (state / "pgdata" / "postmaster.pid").exists() and not smoke_env.exists()
    assert _standin(standin_folder, "status", env=env).returncode == 1


FAILED_UPS = {  # (gates.toml, environment of `up`, what stderr says)
    "bad migrations path": (
        '[migrations]\npath = "no_such_migrations"\n',
        {},
        "no_such_migrations ([migrations] path) does not exist",
    ),
    "bad knob": (None, {"STANDIN_FAULTS": "worker_sleepy"}, "STANDIN_FAULTS='worker_sleepy' names an unknown fault"),
}


@pytest.mark.parametrize(("config_text", "variables", "message"), FAILED_UPS.values(), ids=FAILED_UPS.keys())
def test_an_up_with_a_bad_input_fails_before_starting_anything(
    tmp_path: Path, config_text: str | None, variables: dict[str, str], message: str
) -> None:
    config = write_example_config(tmp_path / "config")
    if config_text is not None:
        config = tmp_path / "gates.toml"
        config.write_text(config_text)
    env = {**os.environ, **variables}
    up = _standin(tmp_path, "up", "--port", str(free_port()), env=env, config=config)
    try:
        assert up.returncode == 1, up.stdout + up.stderr
        assert message in up.stderr and "Traceback" not in up.stderr
        assert up.stdout == "" and not (tmp_path / ".gates").exists()  # not even initdb ran
    finally:
        _standin(tmp_path, "down", env=env, config=config)


BROKEN_DATA = {  # what is wrong in a data folder that claims to be initialised, what stderr says
    "no configuration": (False, "(pg_ctl exited with 1)", "could not access the server configuration file"),
    "log not writable": (True, "Is a directory", "cannot create"),
}


@pytest.mark.parametrize(("log_is_a_folder", "why", "detail"), BROKEN_DATA.values(), ids=BROKEN_DATA.keys())
def test_an_up_whose_postgres_does_not_start_says_so_in_one_sentence(
    standin_folder: Path, log_is_a_folder: bool, why: str, detail: str
) -> None:
    pgdata = standin_folder / ".gates" / "standin" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")  # so pgserver skips initdb and starts a server with nothing to run
    if log_is_a_folder:
        (pgdata / "log").mkdir()
    up = _standin(standin_folder, "up", "--port", str(free_port()), env=dict(os.environ))
    assert up.returncode == 1, up.stdout + up.stderr
    assert "standin: the embedded Postgres in .gates/standin/pgdata did not start (" in up.stderr
    assert why in up.stderr and detail in up.stderr and "Traceback" not in up.stderr
    assert _postgres_serving(pgdata) == [] and not (pgdata / "postmaster.pid").exists()


def test_an_up_whose_postgres_outlasts_pgservers_wait_says_so_in_one_sentence(standin_folder: Path) -> None:
    # postgresql.conf as a named pipe: Postgres blocks opening it, so pg_ctl waits past pgserver's 10 s.
    pgdata = standin_folder / ".gates" / "standin" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "log").touch(mode=0o666)  # for pgserver's error path, which shows the log
    os.mkfifo(pgdata / "postgresql.conf", 0o666)
    try:
        up = _standin(standin_folder, "up", "--port", str(free_port()), env=dict(os.environ))
    finally:
        _release_waiting_reader(pgdata / "postgresql.conf")
    assert up.returncode == 1, up.stdout + up.stderr
    assert up.stderr.strip().splitlines()[-1] == (
        "standin: the embedded Postgres in .gates/standin/pgdata did not start (pg_ctl not done within 10 s, "
        "pgserver's limit); it may still be starting: run `python -m standin up` again to use it, or "
        "`python -m standin down` to stop it"
    )
    assert "Traceback" not in up.stderr


def _release_waiting_reader(fifo: Path) -> None:
    """Let a Postgres still blocked on opening `fifo` read it empty and stop for want of a data folder."""
    with contextlib.suppress(OSError):  # no reader: nothing waits
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.fixture
def foreign_server() -> Iterator[int]:
    """Another program on a port: it answers every request with 200, as any web server would."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_up_on_a_port_another_process_serves_fails_and_leaves_nothing(
    standin_folder: Path, foreign_server: int
) -> None:
    env = {**os.environ, "WORKER_POLL_INTERVAL_MS": "50"}
    up = _standin(standin_folder, "up", "--port", str(foreign_server), env=env)
    try:
        assert up.returncode == 1, up.stdout + up.stderr
        assert "not every part came up (api)" in up.stderr
        assert f"cannot listen on 127.0.0.1:{foreign_server}: Address already in use" in up.stdout
        assert not (standin_folder / ".gates" / "standin" / "state.json").exists()
        assert _postgres_serving(standin_folder / ".gates" / "standin" / "pgdata") == []
    finally:
        _standin(standin_folder, "down", env=env)


def test_up_with_worker_exit_starts_the_fault_warns_and_succeeds(standin_folder: Path) -> None:
    env = {**os.environ, "STANDIN_FAULTS": "worker_exit", "WORKER_POLL_INTERVAL_MS": "50"}
    up = _standin(standin_folder, "up", "--port", str(free_port()), env=env)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        for worker in ("generator", "regenerator"):
            assert f"standin: warning: {worker} is down on purpose (STANDIN_FAULTS has worker_exit)" in up.stderr
        status = _standin(standin_folder, "status", env=env)
        assert status.returncode == 1 and status.stdout.count("exited") == 2 and "ready" in status.stdout
    finally:
        down = _standin(standin_folder, "down", env=env)
    assert down.returncode == 0 and "stopped Postgres" in down.stdout, down.stderr


def test_the_local_smoke_without_a_running_standin_says_what_to_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_example_config(pytester.path)
    smoke, output = _local_smoke(pytester, monkeypatch, developer_environ())
    smoke.assert_outcomes(skipped=1)
    assert "or, for the local stand-in: no stand-in runs in " in output
    assert "run `python -m standin up` there" in output
