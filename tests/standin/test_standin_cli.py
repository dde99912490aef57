"""`python -m standin up|status|down` by hand, as a user runs it: a whole stack, then nothing left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from standin.stack import Stack, free_port

REPO = Path(__file__).resolve().parents[2]


def _standin(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "standin", "--config", str(REPO / "gates.toml"), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


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
