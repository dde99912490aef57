"""drill_neon against the fake Neon API (branches restored from real copies) and on the local platform."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from drills.neon_drill import NeonDrillTarget, run_neon_drill
from gates.config import DrillSettings
from gates.connect import ConnectBudget
from gates.local_neon import LocalNeon
from gates.neon import Operation
from tests.helpers.drill_production import MIGRATIONS, FakeNeon, Production
from tests.helpers.gate_run import run_gates


def _target(neon: FakeNeon, production: Production, settings: DrillSettings) -> NeonDrillTarget:
    return NeonDrillTarget(
        neon.client,
        "production",
        production.url,
        settings,
        production.settings,
        ConnectBudget(5),
        production.migrations,
    )


def _assert_branch_deleted(neon: FakeNeon) -> None:
    assert [branch["name"] for branch in neon.state.branches.values()] == ["production"]
    assert not neon.live_copies


def test_happy_path_restores_a_usable_branch(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings
) -> None:
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.passed, report.message
    assert "time_to_usable_branch_s" in report.timings
    assert [step.phase for step in report.steps].count("restore") == 0  # the branch was deleted as a drill step
    assert any(step.name == "delete the drill branch" and step.outcome == "passed" for step in report.steps)
    _assert_branch_deleted(neon)
    created = [path for method, path in neon.state.requests if method == "POST"]
    assert created == [f"/api/v2/projects/{neon.state.project_id}/branches"]


def test_operation_failed_once_then_finished_passes(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings
) -> None:
    neon.state.operation_script = ["running", "failed", "finished"]
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.passed, report.message
    _assert_branch_deleted(neon)


def test_operation_error_fails_and_deletes_the_branch(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings
) -> None:
    neon.state.operation_script = ["running", "error"]
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.outcome == "failed"
    assert "create_branch) error: compute failed to start" in report.message
    assert "delete the drill branch ran and succeeded" in report.message
    _assert_branch_deleted(neon)


def test_production_migrated_since_the_point_is_rolled_forward(
    neon: FakeNeon, production: Production, drill_settings: DrillSettings
) -> None:
    production.migrate(1)
    production.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    production.local.record_point(production.name)
    production.migrate(2)
    report = run_neon_drill(_target(neon, production, drill_settings))
    assert report.passed, report.message
    assert any("rolled forward by 1 migration" in step.detail for step in report.steps)
    _assert_branch_deleted(neon)


def test_schema_changed_outside_migrations_fails(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings
) -> None:
    migrated.execute("ALTER TABLE users ADD COLUMN nickname text")
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.outcome == "failed"
    assert "schema differs from production's in 1 line(s): - column public.users.nickname text" in report.message
    _assert_branch_deleted(neon)


def test_tracking_rows_production_never_had_fail(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings
) -> None:
    migrated.execute("UPDATE drizzle.__drizzle_migrations SET hash = 'edited' WHERE id = 2")
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.outcome == "failed"
    assert "tracking rows" in report.message and "not the first 2 of production's" in report.message
    _assert_branch_deleted(neon)


def test_empty_table_on_the_branch_fails(neon: FakeNeon, production: Production, drill_settings: DrillSettings) -> None:
    production.migrate(2)
    production.local.record_point(production.name)  # before any user exists
    production.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    report = run_neon_drill(_target(neon, production, drill_settings))
    assert report.outcome == "failed"
    assert "table(s) users have no rows on the branch" in report.message
    _assert_branch_deleted(neon)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_while_waiting_deletes_the_branch(
    neon: FakeNeon, migrated: Production, drill_settings: DrillSettings, signum: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    neon.state.operation_script = ["running"]  # never finishes on its own
    sent: list[int] = []
    original = neon.client.operation

    def interrupting(operation_id: str) -> Operation:
        if not sent:
            sent.append(signum)
            os.kill(os.getpid(), signum)
        return original(operation_id)

    monkeypatch.setattr(neon.client, "operation", interrupting)
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.outcome == "interrupted"
    assert signal.Signals(signum).name in report.message
    _assert_branch_deleted(neon)


def test_leftover_drill_branches_are_swept(neon: FakeNeon, migrated: Production, drill_settings: DrillSettings) -> None:
    neon.state.add_branch("gates-drill-old", created_at=datetime.now(UTC) - timedelta(hours=2))
    neon.state.add_branch("gates-drill-running-now")
    report = run_neon_drill(_target(neon, migrated, drill_settings))
    assert report.passed, report.message
    assert sorted(branch["name"] for branch in neon.state.branches.values()) == [
        "gates-drill-running-now",
        "production",
    ]


def test_local_platform_runs_the_same_drill(migrated: Production, drill_settings: DrillSettings) -> None:
    target = NeonDrillTarget(
        migrated.local,
        migrated.name,
        migrated.url,
        drill_settings,
        migrated.settings,
        ConnectBudget(5),
        migrated.migrations,
    )
    report = run_neon_drill(target)
    assert report.passed, report.message
    names = [branch.name for branch in migrated.local.list_branches()]
    assert not [name for name in names if name.startswith(drill_settings.branch_prefix)]


def test_local_platform_without_a_recorded_point_fails(production: Production, drill_settings: DrillSettings) -> None:
    production.migrate(2)
    target = NeonDrillTarget(
        LocalNeon(production.url, connect_budget=ConnectBudget(5)),
        production.name,
        production.url,
        drill_settings,
        production.settings,
        ConnectBudget(5),
    )
    report = run_neon_drill(target)
    assert report.outcome == "failed"
    assert "no point in time of" in report.message and "is recorded at or before" in report.message


def _local_gates_toml(production: Production) -> str:
    folder = production.migrations.root
    assert folder is not None
    return f"""
[migrations]
path = "{folder}"

[drills]
point_age_minutes = 0.001  # the test's point is seconds old
tables_with_rows = ["users"]
"""


def test_local_gate_passes_on_a_recorded_point_and_fails_without_one(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, production: Production
) -> None:
    (tmp_path / "gates.toml").write_text(_local_gates_toml(production), encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    environ = {"DATABASE_URL": str(production.url)}
    production.migrate(len(MIGRATIONS))
    production.execute("INSERT INTO users (email) VALUES ('a@example.com')")

    code, output = run_gates(
        pytester, monkeypatch, tmp_path, "rollback_drill and drill_neon", "local", environ, "drills"
    )
    assert code == 1
    assert f"no point in time of '{production.name}' is recorded" in output
    assert "the local platform records one each time the local migrate runs" in output

    production.local.record_point(production.name)
    run_gates(
        pytester, monkeypatch, tmp_path, "rollback_drill and drill_neon", "local", environ, "drills"
    ).assert_outcomes(passed=1)
    assert [name for name in _databases(production) if name.startswith("gates-drill-")] == []


def test_local_gate_fails_closed_in_ci_without_the_database(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, production: Production
) -> None:
    (tmp_path / "gates.toml").write_text(_local_gates_toml(production), encoding="utf-8")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, output = run_gates(
        pytester, monkeypatch, tmp_path, "rollback_drill and drill_neon", "local", {"CI": "true"}, "drills"
    )
    assert code == 1
    assert (
        "drill_neon cannot run: DATABASE_URL is not set: the restored branch is compared with local's database"
        in output
    )


def _databases(production: Production) -> list[str]:
    with psycopg.connect(production.url, autocommit=True) as connection:
        return [row[0] for row in connection.execute("SELECT datname FROM pg_database")]
