"""The staging_green gate module run by pytest, as a workflow runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import gates
from tests.helpers.fake_github import HEAD, FakeGitHub, running_fake

pytest_plugins = ["pytester"]
GATE = Path(gates.__file__).parent / "gate_staging_green.py"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with running_fake(monkeypatch) as fake:
        yield fake


def run_gate(pytester: pytest.Pytester, env: str = "production") -> pytest.RunResult:
    pytester.makefile(".toml", gates="[github]\npending_budget_s = 0.5\nretry_budget_s = 2\n")
    pytester.makeini("[pytest]\n")
    return pytester.runpytest_inprocess(
        str(GATE),
        "-c",
        "tox.ini",
        "--rootdir",
        str(pytester.path),
        "--gates-env",
        env,
        "--gates-config=gates.toml",
        "-rs",
    )


def test_green_passes(pytester: pytest.Pytester, fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "success", "deploy/staging")
    run_gate(pytester).assert_outcomes(passed=1)


def test_its_own_runs_jobs_are_not_waited_for(
    pytester: pytest.Pytester, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    fake.add_status(HEAD, "success", "deploy/staging")
    job = "https://github.com/acme/atlaris/actions/runs/4242/job/77"
    fake.add_check_run(HEAD, "deploy", status="in_progress", conclusion=None, run_url=job)
    run_gate(pytester).assert_outcomes(passed=1)


def test_red_fails_with_the_sentence(pytester: pytest.Pytester, fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "error", "deploy/staging", "fly deploy failed")
    result = run_gate(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"*staging is not green for {HEAD[:12]}: staging status deploy/staging is error*fly deploy failed"]
    )


def test_missing_sha_fails(pytester: pytest.Pytester, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_SHA")
    result = run_gate(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*staging_green cannot decide: GITHUB_SHA is not set*"])


def test_a_wrong_sha_is_named_before_a_missing_token(
    pytester: pytest.Pytester, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SHA", "HEAD")
    monkeypatch.delenv("GITHUB_TOKEN")
    result = run_gate(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*staging_green cannot decide: GITHUB_SHA='HEAD' is not a commit SHA (7 to 40 hexadecimal digits); "
            "GITHUB_TOKEN is not set*"
        ]
    )
    assert "During handling" not in result.stdout.str() and fake.requests == []


def test_an_http_failure_fails(pytester: pytest.Pytester, fake: FakeGitHub) -> None:
    from gates.github.local_store import Answer

    fake.fail("/branches/", Answer(401, {"message": "Bad credentials"}))
    result = run_gate(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*staging_green cannot decide: GET /repos/acme/atlaris/branches/main answered 401*"])


def test_other_environments_show_it_as_skipped_with_the_reason(pytester: pytest.Pytester, fake: FakeGitHub) -> None:
    result = run_gate(pytester, env="staging")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*staging_green gates production deploys only; this is staging*"])
    assert fake.requests == []
