"""The smoke gate's pure parts: backoff and polling, diagnosis, inputs, tags."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from gates.config import Environment
from gates.secret import Secret
from smoke.auth import ClerkCredentials, StaticToken
from smoke.db import JobRow
from smoke.diagnosis import diagnose
from smoke.poller import Backoff, poll
from smoke.regeneration import REGENERATOR
from smoke.settings import InputError, MissingInput, resolve
from smoke.tagging import ANY_RUN_TOPIC, RunTag

NOW = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_starts_fast_grows_with_jitter_and_is_capped() -> None:
    delays = Backoff(first_s=0.1, factor=2, cap_s=1.0, jitter=0.2).delays(random.Random(7))
    taken = [next(delays) for _ in range(10)]
    assert 0.08 <= taken[0] <= 0.12
    assert all(0.8 * 0.1 * 2**i <= delay <= min(1.0, 1.2 * 0.1 * 2**i) for i, delay in enumerate(taken[:3]))
    assert max(taken) <= 1.0 and taken[-1] >= 0.8
    assert len(set(taken)) > 5  # jittered, not lockstep


def test_polling_stops_when_finished_and_never_overruns_its_budget() -> None:
    fake = FakeTime()
    answers = iter(["pending", "processing", "ready"])
    done = poll(
        lambda remaining: next(answers),
        lambda status: status == "ready",
        budget_s=60,
        backoff=Backoff(),
        rng=random.Random(1),
        clock=fake.clock,
        sleep=fake.sleep,
    )
    assert (done.done, done.last, done.polls) == (True, "ready", 3)

    fake = FakeTime()
    left: list[float] = []

    def pending(remaining: float) -> str:
        left.append(remaining)
        return "pending"

    timed_out = poll(
        pending,
        lambda status: False,
        budget_s=5,
        backoff=Backoff(),
        rng=random.Random(1),
        clock=fake.clock,
        sleep=fake.sleep,
    )
    assert not timed_out.done and timed_out.last == "pending"
    assert fake.now == pytest.approx(5) and timed_out.elapsed_s == pytest.approx(5)
    assert timed_out.polls == len(fake.sleeps) and max(fake.sleeps) <= 1.0
    # each observation is told how much of the budget is left, to bound its own wait
    assert left[0] == pytest.approx(5 - fake.sleeps[0]) and left[-1] == pytest.approx(0)


def _job(
    status: str,
    attempts: int = 0,
    *,
    error: str | None = None,
    last_history_error: str | None = None,
    locked_by: str | None = None,
    locked_at: str | None = None,
    started_at: datetime | None = None,
) -> JobRow:
    """A job row created 61 s before the database's now."""
    return JobRow(
        status=status,
        attempts=attempts,
        max_attempts=3,
        error=error,
        last_history_error=last_history_error,
        locked_by=locked_by,
        locked_at=locked_at,
        started_at=started_at,
        completed_at=None,
        created_at=NOW,
        database_now=NOW + timedelta(seconds=61),
    )


def test_the_diagnosis_tells_no_worker_from_a_failing_or_hung_one() -> None:
    assert diagnose(None).startswith("no job_queue row exists")
    assert diagnose(_job("pending")).startswith("the job was never claimed in 61.0 s: no worker is taking jobs")
    failing = diagnose(_job("pending", 2, last_history_error="timeout"))
    assert failing.startswith(
        "the job was claimed and re-queued 2 time(s): the worker is failing it, last error 'timeout'"
    )
    hung = diagnose(
        _job(
            "processing",
            0,
            started_at=NOW + timedelta(seconds=1),
            locked_by="gen-1",
            locked_at="2025-11-25T12:00:01+00:00",
        )
    )
    assert hung.startswith("the job is stuck in processing for 60.0 s: the worker hung or was killed")
    assert "locked_by gen-1, locked_at 2025-11-25T12:00:01+00:00" in hung
    assert diagnose(_job("failed", 4, error="Generation attempt cap reached")).startswith(
        "the job failed: Generation attempt cap reached (status failed, attempts 4/3"
    )


def test_the_regeneration_legs_verdicts_name_the_regenerator() -> None:
    never = diagnose(_job("pending"), REGENERATOR)
    assert never.startswith("the job was never claimed in 61.0 s: no regenerator is taking jobs")
    failing = diagnose(_job("pending", 2), REGENERATOR)
    assert failing.startswith("the job was claimed and re-queued 2 time(s): the regenerator is failing it")
    hung = diagnose(_job("processing", 0, started_at=NOW), REGENERATOR)
    assert hung.startswith("the job is stuck in processing for 61.0 s: the regenerator hung or was killed")


def test_inputs_come_from_smoke_variables_then_the_environments_config() -> None:
    staging = Environment(name="staging", database_url_env="DATABASE_URL_STAGING", api_url="https://staging.example")
    base = {"DATABASE_URL_STAGING": "postgresql://db/staging", "SMOKE_TEST_CLERK_USER_ID": "user_1"}
    clerk = resolve(staging, {**base, "CLERK_SECRET_KEY": "sk"})
    assert (clerk.api_url, clerk.database_url, clerk.poll_budget_s, clerk.total_budget_s) == (
        "https://staging.example",
        "postgresql://db/staging",
        60.0,
        90.0,
    )
    assert clerk.auth == ClerkCredentials(Secret("sk"), "user_1", "https://api.clerk.com")
    static = resolve(
        staging,
        {
            **base,
            "SMOKE_TEST_API_KEY": "k",
            "SMOKE_TEST_API_URL": "http://127.0.0.1:1",
            "SMOKE_TEST_DATABASE_URL": "postgresql://u:pw-x@db/x",
            "SMOKE_POLL_BUDGET_S": "2",
            "SMOKE_TOTAL_BUDGET_S": "5",
            "CLERK_API_URL": "http://unused",
        },
    )
    assert (static.api_url, static.database_url, static.auth) == (
        "http://127.0.0.1:1",
        "postgresql://u:pw-x@db/x",
        StaticToken(Secret("k")),
    )
    assert "pw-x" not in repr(static) and "'k'" not in repr(static)
    # A pasted newline around a key is dropped rather than sent in a header.
    assert resolve(staging, {**base, "CLERK_SECRET_KEY": "sk\n"}).auth == ClerkCredentials(
        Secret("sk"), "user_1", "https://api.clerk.com"
    )
    with pytest.raises(InputError, match=re.escape("set SMOKE_TEST_API_URL or api_url in [environments.prod")):
        resolve(Environment(name="production", database_url_env="DATABASE_URL_PROD"), {})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DATABASE_URL_STAGING": ""}, "set SMOKE_TEST_DATABASE_URL or DATABASE_URL_STAGING"),
        ({"SMOKE_TEST_CLERK_USER_ID": ""}, "SMOKE_TEST_CLERK_USER_ID is not set"),
        ({"CLERK_SECRET_KEY": ""}, "no credentials: set CLERK_SECRET_KEY"),
        ({"SMOKE_TEST_API_KEY": "k"}, "both SMOKE_TEST_API_KEY and CLERK_SECRET_KEY are set"),
        ({"SMOKE_POLL_BUDGET_S": "95"}, "must be below SMOKE_TOTAL_BUDGET_S"),
        ({"SMOKE_TOTAL_BUDGET_S": "-1"}, "SMOKE_TOTAL_BUDGET_S='-1' must be above 0"),
        ({"SMOKE_POLL_BUDGET_S": "nan"}, "SMOKE_POLL_BUDGET_S='nan' is not a finite number"),
        # a header cannot carry these, and the HTTP library's error would quote the whole header
        ({"CLERK_SECRET_KEY": "sk_live_sec ret"}, "CLERK_SECRET_KEY holds spaces, control or non-ASCII characters"),
        ({"CLERK_SECRET_KEY": "sk_live_s\u00e9cret"}, "CLERK_SECRET_KEY holds spaces"),
        # httpx would send user info as Basic auth instead of the key, to a server that may echo it
        ({"SMOKE_TEST_API_URL": "https://user:pw-x@s.example"}, "SMOKE_TEST_API_URL holds user info"),
        # libpq would read host X and the rest as the database name, not this password
        ({"DATABASE_URL_STAGING": "postgresql://u:X/pw-x@db/app"}, "DATABASE_URL_STAGING is unusable"),
        ({"SMOKE_TEST_DATABASE_URL": "postgresql://u:X/pw-x@db/app"}, "SMOKE_TEST_DATABASE_URL is unusable"),
    ],
)
def test_a_missing_or_bad_input_is_one_sentence(changes: dict[str, str], message: str) -> None:
    staging = Environment(name="staging", database_url_env="DATABASE_URL_STAGING", api_url="https://s.example")
    environ = {
        "DATABASE_URL_STAGING": "postgresql://db",
        "SMOKE_TEST_CLERK_USER_ID": "u",
        "CLERK_SECRET_KEY": "sk",
        **changes,
    }
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        resolve(staging, environ)
    assert "secret" not in str(caught.value).lower().replace("clerk_secret_key", "")
    assert "pw-x" not in str(caught.value)


def test_a_runs_tag_matches_its_own_pattern_and_the_any_run_pattern() -> None:
    tag = RunTag.new()
    payload = tag.plan_payload()
    assert 3 <= len(payload["topic"]) <= 200 and tag.run_id in payload["notes"]
    assert re.match(ANY_RUN_TOPIC, payload["topic"]) and payload["topic"].startswith(tag.topic_like[:-1])
    assert "deadlineDate" not in payload and RunTag.new().run_id != tag.run_id


def test_every_missing_input_is_named_in_one_run() -> None:
    staging = Environment(name="staging", database_url_env="DATABASE_URL_STAGING")
    with pytest.raises(MissingInput) as caught:
        resolve(staging, {})
    message = str(caught.value)
    for expected in (
        "set SMOKE_TEST_API_URL or api_url",
        "set SMOKE_TEST_DATABASE_URL or DATABASE_URL_STAGING",
        "SMOKE_TEST_CLERK_USER_ID is not set",
        "no credentials",
    ):
        assert expected in message, message
    assert "\n" not in message


def test_a_wrong_input_is_not_hidden_behind_missing_ones_and_is_named_first() -> None:
    staging = Environment(name="staging", database_url_env="DATABASE_URL_STAGING")
    environ = {"SMOKE_TOTAL_BUDGET_S": "abc", "SMOKE_POLL_BUDGET_S": "-1"}
    with pytest.raises(InputError) as caught:
        resolve(staging, environ)
    assert not isinstance(caught.value, MissingInput)  # wrong inputs fail even where missing ones may skip
    message = str(caught.value)
    assert message.index("SMOKE_TOTAL_BUDGET_S='abc'") < message.index("SMOKE_TEST_CLERK_USER_ID is not set")
    assert "SMOKE_POLL_BUDGET_S='-1'" in message
