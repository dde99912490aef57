"""`python -m standin up|status|down` by hand, as a user runs it: a whole stack, then nothing left."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from standin.stack import Stack, free_port
from tests.helpers.config import write_example_config

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


def test_up_serves_the_whole_stack_and_down_stops_it(tmp_path: Path) -> None:
    key = "cli-test-key-never-printed"
    env = {**os.environ, "STANDIN_API_KEY": key, "MOCK_GENERATION_DELAY_MS": "100"}
    port = free_port()
    up = _standin(tmp_path, "up", "--port", str(port), env=env)
    try:
        assert up.returncode == 0, up.stderr
        assert "0000_initial_schema" in up.stdout and key not in up.stdout + up.stderr
        state = tmp_path / ".gates" / "standin"
        smoke_env = state / "smoke.env"
        assert smoke_env.stat().st_mode & 0o777 == 0o600 and f"SMOKE_TEST_API_KEY={key}" in smoke_env.read_text()
        status = _standin(tmp_path, "status", env=env)
        assert status.returncode == 0 and status.stdout.count("ready") == 3, status.stdout
        answer = httpx.get(f"http://127.0.0.1:{port}/api/health/worker", headers={"Authorization": f"Bearer {key}"})
        assert answer.json()["status"] == "healthy"
        again = _standin(tmp_path, "up", "--port", str(port), env=env)
        assert again.returncode == 1 and "already running" in again.stderr
        stack = Stack.from_json(json.loads((state / "state.json").read_text()))
    finally:
        down = _standin(tmp_path, "down", env=env)
    assert down.returncode == 0 and "stopped Postgres" in down.stdout, down.stderr
    assert all(component.exit_code() is not None for component in stack.components)  # gone (or a zombie)
    assert not (state / "pgdata" / "postmaster.pid").exists() and not smoke_env.exists()
    assert _standin(tmp_path, "status", env=env).returncode == 1


FAILED_UPS = {  # (gates.toml, environment of `up`, what stderr says)
    "bad migrations path": (
        '[migrations]\npath = "no_such_migrations"\n',
        {},
        "no_such_migrations ([migrations] path) does not exist",
    ),
    "bad knob": (None, {"STANDIN_FAULTS": "worker_sleepy"}, "STANDIN_FAULTS='worker_sleepy' names an unknown fault"),
    "a part that exits": (
        None,
        {"STANDIN_FAULTS": "worker_exit"},
        "not every part came up (generator, regenerator); everything was stopped",
    ),
}


@pytest.mark.parametrize(("config_text", "variables", "message"), FAILED_UPS.values(), ids=FAILED_UPS.keys())
def test_a_failed_up_leaves_nothing_running(
    tmp_path: Path, config_text: str | None, variables: dict[str, str], message: str
) -> None:
    config = write_example_config(tmp_path / "config")
    if config_text is not None:
        config = tmp_path / "gates.toml"
        config.write_text(config_text)
    env = {**os.environ, **variables}
    pgdata = tmp_path / ".gates" / "standin" / "pgdata"
    up = _standin(tmp_path, "up", "--port", str(free_port()), env=env, config=config)
    try:
        assert up.returncode == 1, up.stdout + up.stderr
        assert message in up.stderr and "Traceback" not in up.stderr
        assert pgdata.is_dir() and not (pgdata / "postmaster.pid").exists()
        assert _postgres_serving(pgdata) == []
        started = [int(pid) for pid in re.findall(r"^standin: \w+ pid (\d+) ", up.stdout, re.MULTILINE)]
        assert all(not Path(f"/proc/{pid}").exists() for pid in started)
        assert not (tmp_path / ".gates" / "standin" / "state.json").exists()
    finally:
        _standin(tmp_path, "down", env=env, config=config)
