"""Stage 9 (the commit status) and production's staging_green on the local status store, each on its own:
they pass on a store that holds what they need and fail, in one sentence, on one that does not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rehearse.context import Rehearsal
from rehearse.history import example_history
from rehearse.releases import Release
from rehearse.stages import StageFailed
from rehearse.status_stages import commit_status, staging_green
from rehearse.status_store import StatusStore, status_store


@pytest.fixture
def store() -> Iterator[StatusStore]:
    with status_store() as running:
        yield running


def _rehearsal(tmp_path: Path, store: StatusStore, environment: str) -> Rehearsal:
    return Rehearsal(
        Release("v1"),
        Release("v2", migrations=("release_v2",)),
        example_history(),
        workspace=tmp_path / environment,
        environment=environment,
        store=store,
    )


def test_commit_status_writes_the_legs_context_through_the_status_command(tmp_path: Path, store: StatusStore) -> None:
    rehearsal = _rehearsal(tmp_path, store, "staging")
    try:
        assert commit_status(rehearsal) == f"deploy/staging success on {store.commit[:12]} in the local status store"
    finally:
        rehearsal.close()
    assert store.state("deploy/staging") == "success"
    assert store.state("deploy/production") is None


def test_commit_status_fails_when_the_store_refuses_the_commit(tmp_path: Path, store: StatusStore) -> None:
    rehearsal = _rehearsal(tmp_path, replace(store, commit="0" * 40), "staging")
    try:
        with pytest.raises(StageFailed, match="the commit status deploy/staging was not written") as failure:
            commit_status(rehearsal)
    finally:
        rehearsal.close()
    assert "No commit found" in str(failure.value)


def test_staging_green_passes_once_staging_posted_success(tmp_path: Path, store: StatusStore) -> None:
    store.store.add_status(store.commit, "success", "deploy/staging")
    rehearsal = _rehearsal(tmp_path, store, "production")
    try:
        assert "1 gate test(s) passed" in staging_green(rehearsal)
    finally:
        rehearsal.close()


@pytest.mark.parametrize(("state", "cause"), [("failure", "failure"), ("error", "error")])
def test_staging_green_fails_on_a_staging_status_that_is_not_success(
    tmp_path: Path, store: StatusStore, state: str, cause: str
) -> None:
    store.store.add_status(store.commit, state, "deploy/staging")
    rehearsal = _rehearsal(tmp_path, store, "production")
    try:
        with pytest.raises(StageFailed, match=f"staging is not green for {store.commit[:12]}") as failure:
            staging_green(rehearsal)
    finally:
        rehearsal.close()
    assert cause in str(failure.value)


def test_staging_green_fails_when_staging_never_reported(tmp_path: Path, store: StatusStore) -> None:
    rehearsal = _rehearsal(tmp_path, store, "production")
    try:
        with pytest.raises(StageFailed, match="staging is not green"):
            staging_green(rehearsal)
    finally:
        rehearsal.close()
