"""The Neon client against the fake Neon API: shapes, polling through `failed`, errors, 429, deletes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gates.neon import NeonClient, NeonError, OperationError
from gates.secret import Secret
from tests.helpers.echo_app import echoing_app
from tests.helpers.fake_neon import API_KEY, FakeNeonState, fake_neon

PROJECT = "proj-client-test"


@pytest.fixture
def state() -> FakeNeonState:
    dropped: list[str] = []
    state = FakeNeonState(PROJECT, lambda parent, at: f"postgresql://u:pw@127.0.0.1/{parent}", dropped.append)
    state.add_branch("production", default=True)
    return state


@pytest.fixture
def client(state: FakeNeonState) -> Iterator[NeonClient]:
    with fake_neon(state) as url, NeonClient(Secret(API_KEY), PROJECT, api_url=url, poll_interval_s=0.01) as client:
        yield client


def test_creates_a_branch_at_a_point_in_time_of_the_named_parent(client: NeonClient, state: FakeNeonState) -> None:
    parent = client.find_branch("production")
    created = client.create_branch(
        "drill-1", parent_id=parent.id, parent_timestamp=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    stored = state.branches[created.branch.id]
    assert (stored["parent_id"], stored["parent_timestamp"]) == (parent.id, "2026-01-02T03:04:05Z")
    assert [op.action for op in created.operations] == ["create_branch", "start_compute"]
    assert created.endpoint_ids and created.connection_uri is None
    finished = client.wait_for_operations(created.operations, budget_s=5)
    assert {op.status for op in finished} == {"finished"}
    uri = client.connection_uri(created.branch.id, database="neondb", role="neondb_owner")
    assert uri.endswith(f"/{parent.id}") and "pw" not in repr(uri)


def test_polls_through_failed_until_finished(client: NeonClient, state: FakeNeonState) -> None:
    state.operation_script = ["running", "failed", "failed", "finished"]
    created = client.create_branch("drill-2", parent_id=client.find_branch("production").id, parent_timestamp=None)
    seen: list[str] = []
    client.wait_for_operations(created.operations, budget_s=5, on_change=lambda op: seen.append(op.status))
    assert "failed" in seen and seen[-1] == "finished"


@pytest.mark.parametrize("status", ["error", "cancelled"])
def test_error_and_cancelled_end_the_wait(client: NeonClient, state: FakeNeonState, status: str) -> None:
    state.operation_script = ["running", status]
    created = client.create_branch("drill-3", parent_id=client.find_branch("production").id, parent_timestamp=None)
    with pytest.raises(OperationError, match=f"create_branch\\) {status}"):
        client.wait_for_operations(created.operations, budget_s=5)


def test_failed_forever_runs_out_of_budget(client: NeonClient, state: FakeNeonState) -> None:
    state.operation_script = ["failed"]
    created = client.create_branch("drill-4", parent_id=client.find_branch("production").id, parent_timestamp=None)
    with pytest.raises(OperationError, match=r"did not finish within 0\.2 s.*failed"):
        client.wait_for_operations(created.operations, budget_s=0.2)


def test_429_is_retried_after_retry_after(client: NeonClient, state: FakeNeonState) -> None:
    state.throttle_next = 2
    assert client.find_branch("production").name == "production"
    assert len(state.requests) == 3


def test_delete_counts_a_branch_already_gone_as_deleted(client: NeonClient, state: FakeNeonState) -> None:
    created = client.create_branch("drill-5", parent_id=client.find_branch("production").id, parent_timestamp=None)
    assert client.delete_branch(created.branch.id) is True
    assert client.delete_branch(created.branch.id) is False  # 204: already gone
    assert created.branch.id not in state.branches


def test_errors_are_one_sentence_without_the_key(state: FakeNeonState) -> None:
    with (
        fake_neon(state) as url,
        NeonClient(Secret("wrong-key-123"), PROJECT, api_url=url) as client,
        pytest.raises(NeonError) as caught,
    ):
        client.list_branches()
    assert "401" in str(caught.value) and "wrong-key-123" not in str(caught.value)
    assert "wrong-key-123" not in repr(client.__dict__)


def test_an_answer_repeating_the_request_shows_the_key_masked() -> None:
    with (
        echoing_app(403) as url,
        NeonClient(Secret("echoed-key-456"), PROJECT, api_url=url) as client,
        pytest.raises(NeonError) as caught,
    ):
        client.list_branches()
    assert "echoed-key-456" not in str(caught.value) and "boom: Bearer ***" in str(caught.value)


def test_unknown_branch_is_named(client: NeonClient) -> None:
    with pytest.raises(NeonError, match="has no branch named 'nope'"):
        client.find_branch("nope")


def test_from_environment_names_everything_missing_at_once() -> None:
    with pytest.raises(NeonError, match=r"NEON_API_KEY is not set: .*; NEON_PROJECT_ID is not set: "):
        NeonClient.from_environment({})


def test_a_wrong_api_url_is_named_before_what_is_missing() -> None:
    with pytest.raises(NeonError) as caught:
        NeonClient.from_environment({"NEON_API_URL": "console.neon.tech/api/v2", "NEON_PROJECT_ID": "p"})
    message = str(caught.value)
    assert message.index("NEON_API_URL is not an http(s) URL") < message.index("NEON_API_KEY is not set")
