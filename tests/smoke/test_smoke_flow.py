"""The smoke run against the stand-in: it passes on a healthy stack, fails at the right stage on
each injected fault, says why, and leaves no row of its own behind (and every other row alone)."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
import pytest

from gates.connect import ConnectBudget
from gates.dsn import Dsn
from gates.secret import Secret
from smoke import flow
from smoke.auth import ClerkCredentials
from smoke.flow import SmokeFailure, run_smoke
from smoke.settings import SmokeSettings
from standin.settings import DEFAULT_TEST_USER
from tests.helpers.fake_clerk import SECRET, FakeClerk

Factory = Callable[..., Any]
Settings = Callable[..., SmokeSettings]


def _fail(settings: SmokeSettings) -> SmokeFailure:
    with pytest.raises(SmokeFailure) as caught:
        run_smoke(settings, connect_budget=ConnectBudget(20), report=lambda line: None)
    return caught.value


def test_a_healthy_stack_passes_and_the_run_leaves_nothing(
    standin: Factory, smoke_settings: Settings, tagged_plans: Callable[[], list[str]]
) -> None:
    lines: list[str] = []
    with standin() as stack:
        result = run_smoke(smoke_settings(stack), connect_budget=ConnectBudget(20), report=lines.append)
    assert result.modules >= 3 and result.tasks >= 9 and result.polls >= 1
    assert 0 < result.claimed_s <= result.completed_s <= result.verified_s
    assert re.fullmatch(
        r"smoke timing: claimed [\d.]+ s, completed [\d.]+ s, verified [\d.]+ s, \d+ polls; "
        r"database clock: queued [\d.]+ s, ran [\d.]+ s; regenerated [\d.]+ s \(run [0-9a-f]{12}\)",
        result.timing_line(),
    )
    assert tagged_plans() == []


FAULT_CASES = [  # (fault, stage it fails at, what the failure must say)
    ("api_error", "create", r"POST /api/v1/plans answered HTTP 500: \{\"error\": \"Internal Server Error\""),
    ("worker_exit", "generation", r"never claimed .*no worker is taking jobs .*attempts 0/3"),
    (
        "worker_job_error",
        "generation",
        r"re-queued 1 time\(s\): the worker is failing it, last error "
        r"'RuntimeError: injected fault worker_job_error",
    ),
    (
        "worker_crash",
        "generation",
        r"not ready within 1.5 s of polling \(\d+ polls, last status processing\): "
        r"the job is stuck in processing for [\d.]+ s: the worker hung or was killed",
    ),
    ("worker_hang", "generation", r"stuck in processing for [\d.]+ s: the worker hung or was killed"),
    ("worker_empty", "verify", r"0 modules and 0 tasks in the database and 0 modules and 0 tasks through the API"),
]


@pytest.mark.parametrize(("fault", "stage", "evidence"), FAULT_CASES, ids=[case[0] for case in FAULT_CASES])
def test_each_broken_deploy_fails_at_its_stage_and_is_cleaned_up(
    standin: Factory,
    smoke_settings: Settings,
    tagged_plans: Callable[[], list[str]],
    fault: str,
    stage: str,
    evidence: str,
) -> None:
    with standin(("api", "generator"), STANDIN_FAULTS=fault, STANDIN_SHUTDOWN_GRACE_S="0.2") as stack:
        failure = _fail(smoke_settings(stack, poll_budget_s=1.5))
    assert failure.stage == stage
    assert re.search(evidence, failure.detail), failure.detail
    assert str(failure).startswith(f"smoke failed at stage {stage} after ")
    assert tagged_plans() == []


class StatusProxy:
    """The app behind a proxy that passes every status answer through `rewrite`."""

    def __init__(self, upstream: str, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._forward()

            def do_POST(self) -> None:
                self._forward()

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                answer = httpx.request(
                    self.command,
                    upstream + self.path,
                    content=self.rfile.read(length),
                    headers={
                        "Authorization": self.headers.get("Authorization", ""),
                        "Content-Type": "application/json",
                    },
                )
                body = answer.content
                if self.path.endswith("/status"):
                    body = json.dumps(rewrite(answer.json())).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _without_status_until_ready(answer: dict[str, Any]) -> dict[str, Any]:
    return answer if answer.get("status") == "ready" else {k: v for k, v in answer.items() if k != "status"}


def _ready_reported_failed(answer: dict[str, Any]) -> dict[str, Any]:
    return {**answer, "status": "failed"} if answer.get("status") == "ready" else answer


def test_an_answer_without_a_status_does_not_count_as_claimed(standin: Factory, smoke_settings: Settings) -> None:
    with standin(MOCK_GENERATION_DELAY_MS="1000") as stack:
        proxy = StatusProxy(stack.api_url, _without_status_until_ready)
        try:
            result = run_smoke(
                dataclasses.replace(smoke_settings(stack), api_url=proxy.url),
                connect_budget=ConnectBudget(20),
                report=lambda _: None,
            )
        finally:
            proxy.close()
    # The job was claimed at once, but no answer said so until the plan was ready, a second later.
    assert result.claimed_s >= 1.0 and result.claimed_s <= result.completed_s


def test_an_app_that_reports_the_plan_failed_fails_the_run(standin: Factory, smoke_settings: Settings) -> None:
    with standin() as stack:
        proxy = StatusProxy(stack.api_url, _ready_reported_failed)
        try:
            failure = _fail(dataclasses.replace(smoke_settings(stack), api_url=proxy.url))
        finally:
            proxy.close()
    assert failure.stage == "verify" and "the status answer said 'failed'" in failure.detail


def test_a_status_answer_slower_than_the_poll_budget_does_not_overrun_it(
    standin: Factory, smoke_settings: Settings
) -> None:
    def slow(answer: dict[str, Any]) -> dict[str, Any]:
        time.sleep(4)
        return answer

    with standin() as stack:
        proxy = StatusProxy(stack.api_url, slow)
        started = time.monotonic()
        try:
            failure = _fail(dataclasses.replace(smoke_settings(stack), api_url=proxy.url, poll_budget_s=1.0))
        finally:
            elapsed = time.monotonic() - started
            proxy.close()
    assert failure.stage == "generation"
    assert elapsed < 3.5  # the budget plus the one second of grace a status call gets, not the 4 s answer


def test_without_a_worker_the_timeout_names_the_stall(standin: Factory, smoke_settings: Settings) -> None:
    with standin(("api",)) as stack:
        failure = _fail(smoke_settings(stack, poll_budget_s=0.5))
    assert failure.stage == "generation"
    assert "not ready within 0.5 s of polling" in failure.detail and "last status pending" in failure.detail
    assert "locked_by None, locked_at None, error None" in failure.detail


def _insert_plans(smoke_db: psycopg.Connection, plans: list[tuple[str, str, str]], *, active: bool = False) -> None:
    """Plans as earlier runs (or the user) left them: (clerk user, topic, age); `active` ones count
    towards the app's active-plan limit."""
    for clerk_id, topic, age in plans:
        smoke_db.execute(
            "INSERT INTO learning_plans (user_id, topic, skill_level, weekly_hours, learning_style, "
            "generation_status, is_quota_eligible, created_at) SELECT id, %s, 'beginner', 1, 'mixed', 'ready', "
            "%s, now() - %s::interval FROM users WHERE clerk_user_id = %s",
            (topic, active, age, clerk_id),
        )


def test_preflight_removes_the_plans_of_runs_that_are_over_and_nothing_else(
    standin: Factory,
    smoke_settings: Settings,
    smoke_db: psycopg.Connection,
    scratch_database: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    now = int(time.time())
    with standin() as stack:
        smoke_db.execute("INSERT INTO users (clerk_user_id, email) VALUES ('user_someone_else', 'else@x.invalid')")
        _insert_plans(
            smoke_db,
            [
                ("user_smoke_test", "gates-smoke 0123456789ab deploy check", "2 hours"),  # an old crashed run's: goes
                ("user_smoke_test", "gates-smoke ba9876543210 deploy check", "1 second"),  # an old-style run's: stays
                ("user_smoke_test", f"gates-smoke 0000000000d1 until {now - 5} deploy check", "1 minute"),  # over
                # killed a second ago, well before its deadline: no session of it is left, so it goes at once
                ("user_smoke_test", f"gates-smoke 0000000000d2 until {now + 300} deploy check", "1 second"),
                # a concurrent run, alive: its session is connected (below); stays
                ("user_smoke_test", f"gates-smoke 0000000000a1 until {now + 300} deploy check", "1 second"),
                ("user_smoke_test", "my own learning plan", "2 hours"),  # untagged: stays
                ("user_smoke_test", "gates-smoke is a phrase too", "2 hours"),  # not the tag pattern: stays
                ("user_someone_else", "gates-smoke 00000000000a deploy check", "2 hours"),  # another user's: stays
            ],
        )
        lines: list[str] = []
        with psycopg.connect(scratch_database, application_name="gates-smoke 0000000000a1 run"):
            run_smoke(smoke_settings(stack), connect_budget=ConnectBudget(20), report=lines.append)
    assert lines == ["smoke preflight: removed 3 leftover smoke plan(s) of runs that are over"]
    assert tagged_plans() == [
        "gates-smoke 00000000000a deploy check",
        f"gates-smoke 0000000000a1 until {now + 300} deploy check",
        "gates-smoke ba9876543210 deploy check",
        "gates-smoke is a phrase too",
    ]
    untagged = smoke_db.execute("SELECT count(*) FROM learning_plans WHERE topic = 'my own learning plan'")
    assert untagged.fetchone() == (1,)


def test_a_create_refused_by_the_apps_limits_names_the_suites_own_leftovers(
    standin: Factory, smoke_settings: Settings, smoke_db: psycopg.Connection, scratch_database: str
) -> None:
    now = int(time.time())
    live = [f"gates-smoke 0000000000a{n} until {now + 300} deploy check" for n in range(3)]
    with standin() as stack:
        _insert_plans(smoke_db, [("user_smoke_test", topic, "1 second") for topic in live], active=True)
        names = [f"gates-smoke 0000000000a{n} run" for n in range(3)]
        sessions = [psycopg.connect(scratch_database, application_name=name) for name in names]
        try:
            failure = _fail(smoke_settings(stack))
        finally:
            for session in sessions:
                session.close()
    assert failure.stage == "create" and "answered HTTP 500" in failure.detail
    assert "the test user still has 3 smoke plan(s)" in failure.detail
    assert "the suite's own leftovers are the likely cause" in failure.detail


def test_a_missing_test_user_fails_the_preflight(standin: Factory, smoke_settings: Settings) -> None:
    with standin(("api",)) as stack:
        failure = _fail(smoke_settings(stack, test_user="user_not_there"))
    assert failure.stage == "preflight" and "the test user user_not_there has no users row" in failure.detail


def test_an_unreachable_database_fails_with_the_password_masked(
    monkeypatch: pytest.MonkeyPatch, standin: Factory, smoke_settings: Settings
) -> None:
    monkeypatch.setattr(flow, "CONNECT_BUDGET_S", 0.3)
    with standin(("api",)) as stack:
        settings = smoke_settings(stack, database_url=Dsn("postgresql://smoke:s3cret-pw@127.0.0.1:9/app"))
    failure = _fail(settings)
    assert failure.stage == "preflight" and "smoke:***@127.0.0.1:9/app" in failure.detail
    assert "s3cret-pw" not in str(failure)


@pytest.mark.parametrize("fault", ["", "api_error"], ids=["pass", "failure"])
def test_the_clerk_session_is_revoked_after_a_pass_and_a_failure(
    standin: Factory, smoke_settings: Settings, standin_api_key: str, fault: str
) -> None:
    # This Clerk mints the key the stand-in accepts, so the run authenticates the way it does
    # against the real app: one session, a token from it, and the session revoked at the end.
    with FakeClerk(jwt=standin_api_key).serving() as clerk, standin(STANDIN_FAULTS=fault) as stack:
        settings = smoke_settings(stack, auth=ClerkCredentials(Secret(SECRET), DEFAULT_TEST_USER, clerk.url))
        if fault:
            assert _fail(settings).stage == "create"
        else:
            run_smoke(settings, connect_budget=ConnectBudget(20), report=lambda _: None)
    assert clerk.paths() == ["/v1/sessions", "/v1/sessions/sess_123/tokens", "/v1/sessions/sess_123/revoke"]


def test_a_session_left_signed_in_fails_the_cleanup(
    standin: Factory, smoke_settings: Settings, standin_api_key: str, tagged_plans: Callable[[], list[str]]
) -> None:
    with FakeClerk(jwt=standin_api_key, revoke_status=500).serving() as clerk, standin() as stack:
        settings = smoke_settings(stack, auth=ClerkCredentials(Secret(SECRET), DEFAULT_TEST_USER, clerk.url))
        failure = _fail(settings)
    assert failure.stage == "cleanup"
    assert "Clerk refused to revoke session sess_123 for user " in failure.detail
    assert "the session stays signed in until Clerk expires it" in failure.detail
    assert SECRET not in str(failure) and standin_api_key not in str(failure)
    assert tagged_plans() == []


BROKEN_FINISHES = {  # a deploy whose generation half-finishes: (database change, what the failure says)
    "plan never marked ready": (
        "CREATE FUNCTION keep_generating() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.generation_status := 'generating'; RETURN NEW; END $$; "
        "CREATE TRIGGER keep_generating BEFORE UPDATE ON learning_plans "
        "FOR EACH ROW EXECUTE FUNCTION keep_generating()",
        "the plan's generation_status is 'generating'",
    ),
    "attempt not recorded as a success": (
        "CREATE FUNCTION fail_attempt() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.status := 'failure'; RETURN NEW; END $$; "
        "CREATE TRIGGER fail_attempt BEFORE INSERT ON generation_attempts FOR EACH ROW EXECUTE FUNCTION fail_attempt()",
        "no successful generation attempt is recorded",
    ),
}


@pytest.mark.parametrize(("change", "evidence"), BROKEN_FINISHES.values(), ids=BROKEN_FINISHES.keys())
def test_a_generation_that_half_finishes_fails_verify(
    standin: Factory,
    smoke_settings: Settings,
    smoke_db: psycopg.Connection,
    tagged_plans: Callable[[], list[str]],
    change: str,
    evidence: str,
) -> None:
    with standin() as stack:
        smoke_db.execute(change)
        failure = _fail(smoke_settings(stack))
    assert failure.stage == "verify"
    assert evidence in failure.detail
    assert tagged_plans() == []


def test_an_app_acting_as_another_user_fails_and_its_plan_is_still_removed(
    standin: Factory, smoke_settings: Settings, smoke_db: psycopg.Connection, tagged_plans: Callable[[], list[str]]
) -> None:
    # As the real app does on a non-production deploy with DEV_CLERK_USER_ID set (contract §1.1).
    with standin() as stack:
        smoke_db.execute("INSERT INTO users (clerk_user_id, email) VALUES ('user_configured', 'c@example.com')")
        failure = _fail(smoke_settings(stack, test_user="user_configured"))
    assert failure.stage == "create"
    assert "it does not act as the test user" in failure.detail
    assert tagged_plans() == []
