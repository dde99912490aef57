"""One comment per pull request, found by marker and author, over real HTTP to the fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gates.github.client import GitHubClient
from gates.github.sticky_comment import StickyComment
from tests.helpers.fake_github import FakeGitHub, running_fake

MARKER = "<!-- tool -->"
COMMENT = StickyComment(number=3, marker=MARKER, author="github-actions[bot]")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with running_fake(monkeypatch) as fake:
        yield fake


@pytest.fixture
def client(fake: FakeGitHub) -> Iterator[GitHubClient]:
    with GitHubClient.from_environ(retry_budget_s=5) as client:
        yield client


def comment(comment_id: int, body: str, login: str = "github-actions[bot]") -> dict[str, object]:
    return {"id": comment_id, "body": body, "user": {"login": login}}


def test_the_marker_is_added_to_a_body_without_it(fake: FakeGitHub, client: GitHubClient) -> None:
    outcome, comment_id = COMMENT.publish(client, "report")

    assert outcome == "posted"
    assert [(c["id"], c["body"]) for c in fake.comments[3]] == [(comment_id, f"{MARKER}\nreport")]


def test_duplicates_left_by_racing_runs_are_reduced_to_the_first(fake: FakeGitHub, client: GitHubClient) -> None:
    fake.comments[3] = [comment(10, f"{MARKER} old"), comment(11, "unrelated"), comment(12, f"{MARKER} older")]

    assert COMMENT.publish(client, f"{MARKER} new") == ("updated", 10)

    assert [(c["id"], c["body"]) for c in fake.comments[3]] == [(10, f"{MARKER} new"), (11, "unrelated")]


def test_withdraw_deletes_only_ours(fake: FakeGitHub, client: GitHubClient) -> None:
    fake.comments[3] = [comment(10, f"{MARKER} ours"), comment(11, f"{MARKER} quoted", login="alice")]

    assert COMMENT.withdraw(client) == "deleted"
    assert COMMENT.withdraw(client) == "absent"

    assert [c["id"] for c in fake.comments[3]] == [11]


def test_comments_beyond_the_first_page_are_found(fake: FakeGitHub, client: GitHubClient) -> None:
    fake.comments[3] = [comment(index, f"note {index}", login="alice") for index in range(1, 151)]
    fake.comments[3].append(comment(500, f"{MARKER} ours"))

    assert COMMENT.publish(client, f"{MARKER} new") == ("updated", 500)
    assert len(fake.comments[3]) == 151
