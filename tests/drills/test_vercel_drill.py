"""drill_vercel with the real `vercel` CLI pointed (`--api`) at a fake Vercel REST API.

The CLI comes from npm (`vercel@58.10.0`); `GATES_VERCEL_CLI` names its executable when it is not
on PATH (the CI script installs it). Without it these tests report themselves skipped.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from drills.vercel_cli import VercelCli
from drills.vercel_drill import VercelDrillTarget, refusal, run_vercel_drill
from gates.config import DrillSettings
from gates.secret import Secret
from tests.helpers.fake_vercel import ORG_ID, PROJECT_ID, TOKEN, FakeVercelState, fake_vercel

CLI = os.environ.get("GATES_VERCEL_CLI") or shutil.which("vercel")
needs_cli = pytest.mark.skipif(CLI is None, reason="the vercel CLI is not installed (set GATES_VERCEL_CLI)")


@dataclass
class Fake:
    state: FakeVercelState
    target: VercelDrillTarget


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    # The CLI keeps its config under HOME and would send telemetry; neither belongs to the test.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("VERCEL_TELEMETRY_DISABLED", "1")
    monkeypatch.chdir(tmp_path)
    state = FakeVercelState()
    settings = DrillSettings(allow_production_drill=True, vercel_timeout_s=10, health_path="/health", health_budget_s=2)
    with fake_vercel(state) as url:
        cli = VercelCli(Secret(TOKEN), ORG_ID, PROJECT_ID, executable=str(CLI), api_url=url)
        yield Fake(state, VercelDrillTarget(cli, f"{url}/app", settings))


@needs_cli
def test_happy_path_rolls_back_and_restores(fake: Fake) -> None:
    report = run_vercel_drill(fake.target)
    assert report.passed, report.message
    assert set(report.timings) >= {"time_to_rolled_back_s", "time_to_healthy_s", "time_to_restored_s"}
    posts = [path.split("?")[0] for method, path in fake.state.requests if method == "POST"]
    assert posts == [f"/v9/projects/{PROJECT_ID}/rollback/dpl_old", f"/v10/projects/{PROJECT_ID}/promote/dpl_new"]
    assert fake.state.serving == "dpl_new"


@needs_cli
def test_failed_rollback_restores_the_original(fake: Fake) -> None:
    fake.state.rollback_job = "failed"
    report = run_vercel_drill(fake.target)
    assert report.outcome == "failed"
    assert "`vercel rollback dpl_old` exited 1" in report.message
    assert "promote the original deployment ran and succeeded" in report.message
    assert fake.state.serving == "dpl_new"


@needs_cli
def test_health_never_passing_fails_and_restores(fake: Fake) -> None:
    fake.state.unhealthy = {"dpl_old"}
    report = run_vercel_drill(fake.target)
    assert report.outcome == "failed"
    assert "did not answer with success within 2 s (answered 503)" in report.message
    assert fake.state.serving == "dpl_new"


@needs_cli
def test_ctrl_c_during_the_rollback_restores(fake: Fake) -> None:
    fake.state.on_rollback = lambda: os.kill(os.getpid(), signal.SIGINT)
    report = run_vercel_drill(fake.target)
    assert report.outcome == "interrupted"
    assert fake.state.serving == "dpl_new"
    assert any(step.phase == "restore" and step.outcome == "passed" for step in report.steps)


@pytest.mark.parametrize(("config", "flag"), [(False, False), (True, False), (False, True)])
def test_refused_without_both_permissions(config: bool, flag: bool) -> None:
    reason = refusal(DrillSettings(allow_production_drill=config), flag)
    assert reason is not None and "refuses to run without" in reason
    assert ("gates.toml" in reason) is not config and ("--allow-production-drill on" in reason) is not flag


def test_allowed_with_both_permissions() -> None:
    assert refusal(DrillSettings(allow_production_drill=True), True) is None
