"""staging_green against a fake GitHub API: each answer GitHub can give, and the verdict it leads to."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from gates.github.client import GitHubClient, GitHubError, Repository
from gates.github.local_store import Answer
from gates.github.staging_green import Verdict, staging_green
from gates.secret import Secret
from tests.helpers.echo_app import echoing_app
from tests.helpers.fake_github import HEAD, REPO, TOKEN, FakeGitHub, running_fake

CONTEXT = "deploy/staging"


RUNS = f"https://github.com/{REPO}/actions/runs/"


def verdict(budget_s: float = 0.5, retry_budget_s: float = 3.0, sha: str = HEAD, run_id: str | None = None) -> Verdict:
    with GitHubClient.from_environ(retry_budget_s=retry_budget_s) as client:
        return staging_green(
            client,
            sha,
            branch="main",
            context=CONTEXT,
            pending_budget_s=budget_s,
            own_run_id=run_id,
            sleep=no_sleep,
        )


def no_sleep(_: float) -> None:
    time.sleep(0.01)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with running_fake(monkeypatch) as fake:
        yield fake


def green(fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "success", CONTEXT, "staging deployed")
    fake.add_check_run(HEAD, "test", conclusion="success")
    fake.add_check_run(HEAD, "docs", conclusion="skipped")


def test_green(fake: FakeGitHub) -> None:
    green(fake)
    result = verdict()
    assert result.green, result.sentence
    assert "2 check run(s)" in result.sentence


def test_requests_carry_githubs_headers_and_the_token(fake: FakeGitHub) -> None:
    green(fake)
    verdict()
    headers = {k.lower(): v for k, v in fake.headers[0].items()}
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"]
    assert headers["authorization"] == f"Bearer {TOKEN}"


def test_red_status(fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "failure", CONTEXT, "smoke failed")
    result = verdict()
    assert not result.green
    assert result.sentence == f"staging status {CONTEXT} is failure on main head {HEAD[:12]}: smoke failed"


def test_red_check_run_fails_though_the_status_is_green(fake: FakeGitHub) -> None:
    green(fake)
    fake.add_check_run(HEAD, "migration-review", conclusion="timed_out")
    result = verdict()
    assert not result.green
    assert "migration-review (timed_out)" in result.sentence


def test_pending_then_green(fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "pending", CONTEXT)

    def turn_green(store: FakeGitHub, method: str, path: str) -> None:
        if store.reads("/status") == 3 and path.endswith("/status"):
            store.add_status(HEAD, "success", CONTEXT)

    fake.hooks.append(turn_green)
    result = verdict(budget_s=30)
    assert result.green, result.sentence
    assert fake.reads("/status") == 3


def test_pending_forever_fails_after_the_budget(fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "pending", CONTEXT)
    result = verdict(budget_s=0.5)
    assert not result.green
    assert result.sentence.startswith(f"staging status {CONTEXT} is still pending on main head {HEAD[:12]} after")
    assert "github.pending_budget_s" in result.sentence


def test_only_check_runs_and_no_statuses_is_not_green(fake: FakeGitHub) -> None:
    fake.add_check_run(HEAD, "test", conclusion="success")
    result = verdict(budget_s=0.5)
    assert not result.green
    assert f"no {CONTEXT} status was reported" in result.sentence


def test_unfinished_check_run_is_waited_for(fake: FakeGitHub) -> None:
    fake.add_status(HEAD, "success", CONTEXT)
    fake.add_check_run(HEAD, "test", status="in_progress", conclusion=None)
    result = verdict(budget_s=0.5)
    assert not result.green
    assert "check run(s) test have not finished" in result.sentence


def test_this_deploys_own_check_runs_on_the_staging_head_are_not_waited_for(fake: FakeGitHub) -> None:
    # prod fast-forwarded to main: the production run's own jobs are check runs on the staging head,
    # in progress while this gate runs, and would be waited for until the budget ran out.
    green(fake)
    fake.add_check_run(HEAD, "deploy", status="in_progress", conclusion=None, run_url=RUNS + "4242/job/77")
    fake.add_check_run(HEAD, "deploy", conclusion="success", run_url=RUNS + "4100/job/70")
    result = verdict(run_id="4242")
    assert result.green, result.sentence
    assert "3 check run(s)" in result.sentence


def test_another_runs_unfinished_check_run_is_still_waited_for(fake: FakeGitHub) -> None:
    green(fake)
    fake.add_check_run(HEAD, "rollback-drill", status="in_progress", conclusion=None, run_url=RUNS + "42420/job/1")
    result = verdict(run_id="4242")
    assert not result.green
    assert "check run(s) rollback-drill have not finished" in result.sentence


def test_an_ancestor_of_the_staging_head_is_accepted(fake: FakeGitHub) -> None:
    older = "b" * 40
    fake.add_commit(older, tree="tree-old")
    fake.add_commit(HEAD, tree="tree-main", parents=(older,))
    green(fake)
    assert verdict(sha=older).green


def test_a_commit_not_on_the_staging_branch_fails(fake: FakeGitHub) -> None:
    stray = "c" * 40
    fake.add_commit(stray, tree="tree-stray")
    green(fake)
    result = verdict(sha=stray)
    assert not result.green
    assert result.sentence == (
        f"the deployed commit {stray[:12]} is not on main (head {HEAD[:12]}) and its tree differs from that head's: "
        "production would run code staging never deployed"
    )


def test_a_merge_commit_with_the_staging_heads_tree_is_accepted(fake: FakeGitHub) -> None:
    prod_tip, merge = "d" * 40, "e" * 40
    fake.add_commit(prod_tip, tree="tree-prod-old")
    fake.add_commit(merge, tree="tree-main", parents=(prod_tip, HEAD))
    green(fake)
    assert verdict(sha=merge).green


def test_401_is_a_sentence_naming_the_token(fake: FakeGitHub) -> None:
    fake.fail("/branches/", Answer(401, {"message": "Bad credentials"}))
    with pytest.raises(GitHubError) as raised:
        verdict()
    message = str(raised.value)
    assert message.startswith("GET /repos/acme/atlaris/branches/main answered 401 (Bad credentials)")
    assert "GITHUB_TOKEN" in message
    assert TOKEN not in message


def test_an_answer_repeating_the_request_shows_the_token_masked() -> None:
    with (
        echoing_app(403) as url,
        GitHubClient(Repository(url, REPO, Secret(TOKEN))) as client,
        pytest.raises(GitHubError) as raised,
    ):
        client.branch_head("main")
    assert TOKEN not in str(raised.value) and "(boom: Bearer ***)" in str(raised.value)


@pytest.mark.parametrize(
    ("status", "hint"), [(403, "lacks a permission"), (404, "does not exist or the token cannot see it")]
)
def test_403_and_404_name_the_cause(fake: FakeGitHub, status: int, hint: str) -> None:
    fake.fail("/status", Answer(status, {"message": "Resource not accessible by integration"}))
    with pytest.raises(GitHubError, match=hint):
        verdict()


def test_primary_rate_limit_then_fine(fake: FakeGitHub) -> None:
    green(fake)
    reset = str(int(time.time()) + 1)
    fake.fail(
        "/status",
        Answer(403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}),
    )
    fake.fail("/check-runs", Answer(429, {"message": "secondary rate limit"}, {"retry-after": "1"}))
    started = time.monotonic()
    assert verdict(retry_budget_s=5).green
    assert time.monotonic() - started >= 1  # it waited as GitHub asked


def test_secondary_rate_limit_without_retry_after_exceeds_a_short_budget(fake: FakeGitHub) -> None:
    fake.fail(
        "/branches/",
        Answer(403, {"message": "You have exceeded a secondary rate limit."}, {"x-ratelimit-remaining": "12"}),
    )
    with pytest.raises(GitHubError, match=r"hit GitHub's rate limit \(403\), and waiting again would exceed the 3 s"):
        verdict(retry_budget_s=3)


def test_secondary_rate_limit_403_obeys_its_retry_after(fake: FakeGitHub) -> None:
    green(fake)
    limited = Answer(403, {"message": "You have exceeded a secondary rate limit."}, {"retry-after": "1"})
    fake.fail("/status", limited)
    started = time.monotonic()
    assert verdict(retry_budget_s=5).green  # the default secondary wait (60 s) would exceed this budget
    assert 1 <= time.monotonic() - started < 5
    assert fake.reads("/status") == 2


def test_secondary_rate_limit_403_whose_retry_after_exceeds_the_budget_fails_at_once(fake: FakeGitHub) -> None:
    fake.fail(
        "/branches/", Answer(403, {"message": "You have exceeded a secondary rate limit."}, {"retry-after": "30"})
    )
    started = time.monotonic()
    with pytest.raises(GitHubError, match=r"hit GitHub's rate limit \(403\), and waiting again would exceed the 3 s"):
        verdict(retry_budget_s=3)
    assert time.monotonic() - started < 1


def test_a_few_502s_are_retried(fake: FakeGitHub) -> None:
    green(fake)
    fake.fail("/status", Answer(502, {"message": "Server Error"}), times=2)
    assert verdict(retry_budget_s=5).green


def test_repeated_502s_fail_within_the_retry_budget(fake: FakeGitHub) -> None:
    fake.fail("/branches/", Answer(502, {"message": "Server Error"}), times=100)
    started = time.monotonic()
    with pytest.raises(GitHubError, match=r"got 502 from GitHub, and waiting again would exceed the 2 s retry budget"):
        verdict(retry_budget_s=2)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("name", ["GITHUB_REPOSITORY", "GITHUB_TOKEN"])
def test_missing_variables_are_named(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv(name)
    with pytest.raises(GitHubError, match=f"^{name} is not set"):
        verdict()


def test_every_unusable_variable_is_named_at_once_wrong_first(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GITHUB_REPOSITORY", "atlaris")
    monkeypatch.setenv("GITHUB_API_URL", "api.github.com")
    with pytest.raises(GitHubError) as caught:
        verdict()
    assert str(caught.value) == (
        "GITHUB_API_URL is not an http(s) URL: set it to the API's base URL, or unset it; "
        "GITHUB_REPOSITORY='atlaris' is not owner/repo: Actions sets it; elsewhere export it (e.g. acme/app); "
        "GITHUB_TOKEN is not set: pass it to the step with `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`"
    )
    assert fake.requests == []
