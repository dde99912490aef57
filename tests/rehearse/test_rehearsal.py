"""Whole rehearsals: clean, with each fault, interrupted; what they print, report and leave behind.

Most runs share the session's scratch Postgres (through GATES_SCRATCH_DATABASE_URL, as a CI service
container would be given); the runs that count leftovers start their own embedded one, in a
subprocess, exactly as a person would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from gates.scratch_db import SCRATCH_PREFIX, ScratchServer
from rehearse.cli import main
from rehearse.faults import FAULTS
from tests.helpers.leftovers import MARK_VARIABLE, answering, listening_ports, marked_processes

# What each fault's failing sentence must name.
CAUSES = {
    "drop_used_column": "[drop-column] drops column learning_plans.visibility",
    "fails_half_way": 'column "sumary" of relation "learning_plans" does not exist',
    "suppressed_drop": "smoke failed at stage create",
    "worker_empty": "smoke failed at stage verify",
    "worker_hang": "stuck",
    "api_error": "answered HTTP 500",
    "kill_timeout_short": "kill_timeout = '5s' (5 s as flyctl reads it) is under the workers' graceful-shutdown bound",
    "regenerator_cannot_start": "atlaris-worker-regenerator-local is not healthy",
    "previous_release_incompatible": "drill_fly drill on app atlaris-worker-local failed",
}


@pytest.fixture
def shared_server(scratch_server: ScratchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ScratchServer:
    monkeypatch.setenv("GATES_SCRATCH_DATABASE_URL", scratch_server.admin_url)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return scratch_server


def _scratch_databases(server: ScratchServer) -> set[str]:
    with psycopg.connect(server.admin_url, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (SCRATCH_PREFIX + "%",))
        return {row[0] for row in rows}


def _rehearse(tmp_path: Path, *args: str) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    code = main([*args, "--report", str(report)])
    return code, json.loads(report.read_text())


def _stages(report: dict) -> dict[str, dict]:
    return {stage["name"]: stage for stage in report["stages"]}


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_each_fault_stops_the_run_at_its_stage(fault, shared_server: ScratchServer, tmp_path: Path) -> None:
    before = _scratch_databases(shared_server)
    code, report = _rehearse(tmp_path, "--break", fault.name)
    failed = [stage for stage in report["stages"] if stage["outcome"] == "failed"]
    assert code == 1
    assert report["fault"] == fault.name
    assert [stage["name"] for stage in failed] == [fault.stage]
    assert CAUSES[fault.name] in failed[0]["sentence"]
    later = report["stages"][failed[0]["number"] + 1 :]
    assert {stage["outcome"] for stage in later} == {"not run"}
    assert _scratch_databases(shared_server) == before  # staging and its snapshot are dropped
    assert list(tmp_path.glob("gates-rehearse-*")) == []


def test_the_production_target_rehearses_staging_then_production_on_its_status(
    shared_server: ScratchServer, tmp_path: Path
) -> None:
    before = _scratch_databases(shared_server)
    code, report = _rehearse(tmp_path, "--target", "production")
    names = [stage["name"] for stage in report["stages"]]
    assert code == 0, report["stages"]
    assert names[:10] == [
        "prepare",
        "pre_deploy",
        "migrate",
        "smoke_old_release",
        "deploy_workers",
        "post_deploy",
        "deploy_app",
        "smoke",
        "rollback_drill",
        "commit_status",
    ]
    assert names[10:12] == ["prepare (production)", "staging_green"]
    assert "rollback_drill (production)" not in names  # deploy-production.yml has no drill step
    assert {stage["outcome"] for stage in report["stages"]} == {"passed"}
    sentences = dict(zip(names, (stage["sentence"] for stage in report["stages"]), strict=True))
    commit = sentences["commit_status"].split()[3]
    assert f"{commit} is green on staging in the local status store" in sentences["staging_green"]
    assert sentences["commit_status (production)"] == f"deploy/production success on {commit} in the local status store"
    assert _scratch_databases(shared_server) == before
    assert list(tmp_path.glob("gates-rehearse-*")) == []


def test_list_faults_names_every_fault_and_its_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-faults"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == len(FAULTS)
    for fault, line in zip(FAULTS, listing, strict=True):
        assert line.startswith(fault.name) and f"caught at {fault.stage} ({fault.gate})" in line


def test_an_unknown_fault_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--break", "no_such_fault"]) == 2
    assert "known: drop_used_column" in capsys.readouterr().err


@pytest.fixture
def short_temp() -> Iterator[Path]:
    """The run's TMPDIR: short, since Postgres' socket path (inside it) must stay under 108 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="rh-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _subprocess_env(temp: Path, mark: str) -> dict[str, str]:
    env = {**os.environ, "TMPDIR": str(temp / "tmp"), "CI": "true", MARK_VARIABLE: mark}
    # pgserver keeps a machine-wide lock file in the runtime folder, under TMPDIR when none is set:
    # it belongs to every pgserver user, not to the run, so it goes beside the folder counted.
    env.setdefault("XDG_RUNTIME_DIR", str(temp / "runtime"))
    (temp / "tmp").mkdir()
    env.pop("GATES_SCRATCH_DATABASE_URL", None)  # its own embedded Postgres, as on a fresh machine
    return env


def test_a_clean_rehearsal_passes_every_stage_and_leaves_nothing(tmp_path: Path, short_temp: Path) -> None:
    mark = uuid.uuid4().hex
    env = _subprocess_env(short_temp, mark)
    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "rehearse", "--report", str(report)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads(report.read_text())
    assert set(data) == {
        "version",
        "target",
        "fault",
        "releases",
        "passed",
        "exit_code",
        "duration_s",
        "teardown_s",
        "teardown_problems",
        "stages",
        "drills",
    }
    assert (data["target"], data["fault"], data["releases"], data["passed"]) == (
        "staging",
        None,
        {"from": "v1", "to": "v2"},
        True,
    )
    assert data["teardown_problems"] == []
    for stage in data["stages"]:
        assert set(stage) == {"number", "name", "mirrors", "outcome", "duration_s", "sentence"}
    outcomes = {stage["name"]: stage["outcome"] for stage in data["stages"]}
    assert outcomes == {
        "prepare": "passed",
        "pre_deploy": "passed",
        "migrate": "passed",
        "smoke_old_release": "passed",
        "deploy_workers": "passed",
        "post_deploy": "passed",
        "deploy_app": "passed",
        "smoke": "passed",
        "rollback_drill": "passed",
        "commit_status": "passed",
    }
    sentences = {stage["name"]: stage["sentence"] for stage in data["stages"]}
    assert "fly_secrets not run" in sentences["pre_deploy"]
    assert "0006_plan_release_note" in sentences["migrate"]
    assert "deployed from local/atlaris-worker:v2" in sentences["deploy_workers"]
    assert "5 gate test(s) passed" in sentences["post_deploy"]  # fly_health, queue_health, host_checks
    assert "serves release v2" in sentences["deploy_app"]
    assert "point in time gates_pit_" in sentences["prepare"]
    # The drills ran for real, and their recovery times are in the stage's sentence and in the report.
    for drill in ("drill_fly on app atlaris-worker-local", "drill_fly on app atlaris-worker-regenerator-local"):
        assert f"{drill} passed (time_to_rolled_back " in sentences["rollback_drill"]
    assert "drill_neon on branch" in sentences["rollback_drill"]
    assert "drill_vercel not run: it drives the vercel CLI against Vercel's API" in sentences["rollback_drill"]
    timings = {(drill["drill"], drill["target"]): drill["timings"] for drill in data["drills"]}
    assert set(timings[("drill_fly", "app atlaris-worker-local")]) == {
        "time_to_rolled_back_s",
        "time_to_healthy_s",
        "time_to_restored_s",
    }
    assert [drill["outcome"] for drill in data["drills"]] == ["passed"] * 3
    assert "time_to_usable_branch_s" in next(t for (name, _), t in timings.items() if name == "drill_neon")
    assert sentences["commit_status"].startswith("deploy/staging success on ")
    # Plain output under CI: a line per stage start and end, the table, no terminal codes.
    assert "\x1b[" not in run.stdout
    assert "[8/9] rollback_drill: passed in" in run.stdout
    assert "gates rehearse" in run.stdout and "smoke_old_release" in run.stdout
    assert marked_processes(mark) == []
    assert list((short_temp / "tmp").iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_an_interrupted_rehearsal_leaves_nothing_behind(signum: int, tmp_path: Path, short_temp: Path) -> None:
    mark = uuid.uuid4().hex
    env = _subprocess_env(short_temp, mark)
    out = tmp_path / "out.txt"
    with out.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "rehearse"], env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while "smoke_old_release: pytest" not in out.read_text() and time.monotonic() < deadline:
                assert process.poll() is None, out.read_text()
                time.sleep(0.2)
            time.sleep(1.0)  # the smoke gate is running: pytest, the stand-in and Postgres are all up
            running = marked_processes(mark)
            ports = listening_ports(running)
            assert len(running) >= 5 and ports, out.read_text()
            process.send_signal(signum)
            assert process.wait(60) == 130, out.read_text()
        finally:
            if process.poll() is None:
                process.kill()
    text = out.read_text()
    assert "smoke_old_release: interrupted" in text
    assert marked_processes(mark) == []
    assert not [port for port in ports if answering(port)]
    assert list((short_temp / "tmp").iterdir()) == []
