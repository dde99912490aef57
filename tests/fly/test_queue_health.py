"""queue_health on a real database: an empty queue passes (a drained one, after a healthy local
deploy, in test_local_platform); a stranded job and an undrained
queue fail, naming the jobs."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests.helpers.gate_run import GateRun, run_gates, run_in_child


@pytest.fixture
def gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, worker_db: str
) -> Callable[[], GateRun]:
    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    environ = {"DATABASE_URL": worker_db, "GATES_QUEUE_DRAIN_WINDOW_S": "0.3"}
    return lambda: run_gates(pytester, monkeypatch, tmp_path, "post_deploy and queue_health", "local", environ)


def add_job(url: str, status: str, started: str | None, scheduled: str = "now()") -> str:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "INSERT INTO job_queue (user_id, job_type, status, payload, started_at, scheduled_for) "
            f"SELECT id, 'plan_regeneration', %s, '{{}}', {started or 'NULL'}, {scheduled} FROM users LIMIT 1 "
            "RETURNING id::text",
            (status,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def queue(url: str) -> list[tuple[object, ...]]:
    """Every job row, whole, in id order."""
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute("SELECT j.* FROM job_queue j ORDER BY id").fetchall()


def test_an_empty_queue_passes(gate: Callable[[], GateRun]) -> None:
    code, output = gate()
    assert code == 0, output


def test_a_job_stranded_in_processing_fails_naming_it(gate: Callable[[], GateRun], worker_db: str) -> None:
    job = add_job(worker_db, "processing", "now() - interval '10 minutes'")
    add_job(worker_db, "processing", "now() - interval '2 seconds'")  # a job in hand is fine
    before = queue(worker_db)
    code, output = gate()
    assert code == 1
    assert "1 job(s) stranded in processing longer than the 35 s graceful bound" in output
    assert f"plan_regeneration job {job} (600 s)" in output
    assert queue(worker_db) == before  # read-only: the stranded job is named, never reclaimed


def test_due_pending_jobs_nobody_claims_fail(gate: Callable[[], GateRun], worker_db: str) -> None:
    job = add_job(worker_db, "pending", None, "now() - interval '1 minute'")
    add_job(worker_db, "pending", None, "now() + interval '1 hour'")  # a retry waiting for its time is not due
    code, output = gate()
    assert code == 1
    assert "1 due pending job(s) were not drained: no job was claimed or finished in 0.3 s" in output
    assert job in output


def test_a_wrong_drain_window_fails_locally_naming_the_missing_database_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    environ = {"GATES_QUEUE_DRAIN_WINDOW_S": "abc"}
    code, output = run_gates(pytester, monkeypatch, tmp_path, "post_deploy and queue_health", "local", environ)
    assert code == 1, output
    assert (
        "queue_health cannot run: GATES_QUEUE_DRAIN_WINDOW_S='abc' is not a number; "
        "DATABASE_URL is not set: queue_health reads the job queue there"
    ) in output


def test_a_misread_database_url_fails_locally_named_by_its_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    environ = {"DATABASE_URL": "postgresql://app:X/Pw-never-shown@db.example.com/app"}
    code, output = run_gates(pytester, monkeypatch, tmp_path, "post_deploy and queue_health", "local", environ)
    assert code == 1, output
    assert "queue_health cannot run: DATABASE_URL is unusable: postgresql://***@db.example.com/app" in output
    assert "Pw-never-shown" not in output


def test_a_timeout_while_connecting_shows_no_password_in_the_gates_locals(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pytester.path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"postgresql://app:Pw-never-shown@127.0.0.1:{silent.getsockname()[1]}/app"
        result = run_in_child(
            pytester,
            monkeypatch,
            *("--pyargs", "fly", "-o", "python_files=gate_*.py", "-m", "post_deploy and queue_health"),
            *("--gates-env", "local", "--gates-config=gates.toml", "--timeout=1", "-vv", "--tb=long", "--showlocals"),
            environ={**os.environ, "DATABASE_URL": url},
        )
    output = "\n".join(result.outlines + result.errlines)
    assert "Timeout (>1.0s) from pytest-timeout" in output and "test_no_stranded_jobs" in output, output
    assert "Pw-never-shown" not in output
