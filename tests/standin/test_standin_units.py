"""The stand-in's pure parts: status rules, body validation, the mock provider, faults and settings."""

from __future__ import annotations

import json

import pytest

from standin.api import status_rules
from standin.api.errors import AppError
from standin.api.validation import parse_create
from standin.faults import Fault, FaultError, parse_faults
from standin.settings import SettingsError, StandinSettings
from standin.worker import mock_provider


@pytest.mark.parametrize(
    ("jobs", "modules", "expected"),
    [
        ([], False, "pending"),
        (["pending"], False, "pending"),
        (["processing"], True, "processing"),  # modules exist before the job completes
        (["pending", "processing"], False, "processing"),  # any processing row wins
        (["completed"], True, "ready"),
        (["failed"], False, "failed"),
        (["completed"], False, "failed"),  # completed without modules
        (["pending", "completed"], True, "pending"),  # a newer regeneration is waiting
    ],
)
def test_the_status_route_rules(jobs: list[str], modules: bool, expected: str) -> None:
    assert status_rules.status_route(jobs, modules) == expected


@pytest.mark.parametrize(
    ("modules", "job", "attempt", "count", "expected"),
    [
        (True, "processing", None, 1, "ready"),  # detail never says processing
        (False, "failed", None, 1, "failed"),
        (False, "pending", ("failure", "validation"), 1, "failed"),
        (False, "pending", ("failure", "provider_error"), 2, "pending"),
        (False, "pending", ("failure", "provider_error"), 3, "failed"),
        (False, None, None, 0, "pending"),
    ],
)
def test_the_detail_route_rules(
    modules: bool, job: str | None, attempt: tuple[str, str | None] | None, count: int, expected: str
) -> None:
    assert status_rules.detail_route(modules, job, attempt, count) == expected


def test_validation_follows_the_apps_schema() -> None:
    body = {
        "topic": "  Rust  ",
        "skillLevel": "advanced",
        "weeklyHours": 0,
        "learningStyle": "video",
        "deadlineDate": "2030-01-31T00:00:00Z",
        "unknown": 1,
    }
    plan = parse_create(json.dumps(body).encode())
    assert (plan.topic, plan.weekly_hours, plan.visibility) == ("Rust", 0, "private")
    assert plan.job_payload()["deadlineDate"] == "2030-01-31"
    for broken in (
        {**body, "weeklyHours": True},
        {**body, "weeklyHours": 81},
        {**body, "notes": "x" * 2001},
        {**body, "startDate": "soon"},
        {**body, "origin": "import"},
    ):
        with pytest.raises(AppError) as caught:
            parse_create(json.dumps(broken).encode())
        assert caught.value.status == 400
    with pytest.raises(AppError):
        parse_create(b"not json")


def test_the_mock_provider_writes_the_real_mocks_shape_after_its_delay() -> None:
    slept: list[float] = []
    modules = mock_provider.generate("Go", "beginner", "reading", delay_s=1.5, sleep=slept.append)
    assert slept == [1.5]
    assert 3 <= len(modules) <= 5 and all(3 <= len(module.tasks) <= 5 for module in modules)
    assert modules[0].title == "Getting Started: Go"
    assert all(5 <= task.estimated_minutes <= 120 for module in modules for task in module.tasks)
    assert all(15 <= module.estimated_minutes <= 480 for module in modules)
    assert modules == mock_provider.generate("Go", "beginner", "reading", delay_s=0, sleep=slept.append)


def test_faults_and_settings_refuse_unknown_or_bad_values() -> None:
    assert parse_faults(" api_error, worker_hang ,") == {Fault.API_ERROR, Fault.WORKER_HANG}
    with pytest.raises(FaultError, match="unknown fault"):
        parse_faults("worker_sleepy")
    settings = StandinSettings.from_env({"DATABASE_URL": "postgresql:///x", "MOCK_GENERATION_DELAY_MS": "250"})
    assert settings.mock_delay_s == 0.25 and settings.poll_interval_s == 2.0
    assert settings.regeneration_quota is None  # the contract's per-tier quotas
    for environ, message in (
        ({}, "DATABASE_URL is not set"),
        ({"WORKER_POLL_INTERVAL_MS": "5"}, "WORKER_POLL_INTERVAL_MS='5' must be at least 10"),
        ({"STANDIN_RECLAIM_AFTER_S": "soon"}, "STANDIN_RECLAIM_AFTER_S='soon' is not a number"),
        ({"STANDIN_FAULTS": "nope"}, "unknown fault"),
        ({"STANDIN_REGENERATION_QUOTA": "-1"}, "STANDIN_REGENERATION_QUOTA='-1' must be at least 0"),
    ):
        with pytest.raises(SettingsError, match=message):
            StandinSettings.from_env({"DATABASE_URL": "x", **environ} if environ else environ)
