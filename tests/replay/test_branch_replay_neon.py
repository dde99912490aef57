"""The branch replay's Neon copies, against the fake Neon API on 127.0.0.1 and a real Postgres.

The fake answers a new branch with a scratch database on the session's embedded Postgres that
holds the parent's schema and rows, so the pending migration really runs on it; deleting the
branch drops that database. The replay runs in this process, through the real `NeonClient`; the
gate's own tests run it with `pytester` in this process too, as a staging workflow would.
"""

from __future__ import annotations

import importlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from gates.config import BranchReplaySettings, MigrationSettings
from gates.connect import ConnectBudget
from gates.neon import NeonClient, OperationError
from gates.scratch_db import ScratchServer
from gates.secret import Secret
from migrations_checks.db.branch_copy import CopyError, copy_name
from migrations_checks.db.branch_copy_neon import NeonBranchCopies
from migrations_checks.db.branch_replay import BranchReplay, replay_on_a_new_copy
from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import MigrationSet, read_folder
from tests.helpers.config import REPO
from tests.helpers.fake_neon import API_KEY, FakeNeonState, fake_neon
from tests.helpers.history import write_history

GATE = REPO / "migrations_checks" / "gate_migration_replay_branch.py"
# An in-process pytester run takes out of sys.modules what it first imported, and later imports would
# make second copies of those classes; the gate and all it imports are imported here first.
importlib.import_module("migrations_checks.gate_migration_replay_branch")

PROJECT = "proj-replay-neon"
PARENT = "staging"
BASELINE = "CREATE TABLE users (id serial PRIMARY KEY, email text);"
ROWS = "INSERT INTO users (email) VALUES ('a'), (NULL)"


@dataclass
class NeonWorld:
    state: FakeNeonState
    client: NeonClient
    provider: NeonBranchCopies
    folder: Path
    api_url: str
    made: list[str]
    dropped: list[str]

    def replay(self, pending_sql: str) -> BranchReplay:
        folder = write_history(self.folder, [("0000_base", BASELINE, None), ("0001_next", pending_sql, None)])
        settings = MigrationSettings(path=folder, connect_budget_s=5)
        return replay_on_a_new_copy(
            self.provider,
            read_folder(folder),
            settings,
            BranchReplaySettings(),
            run_id=secrets.token_hex(4),
            connect_budget=ConnectBudget(5),
        )

    def branch_names(self) -> list[str]:
        return sorted(branch["name"] for branch in self.state.branches.values())

    def requests(self, method: str, path_part: str) -> int:
        return sum(1 for verb, path in self.state.requests if verb == method and path_part in path)


@pytest.fixture
def world(scratch_server: ScratchServer, tmp_path: Path) -> Iterator[NeonWorld]:
    made: list[str] = []
    dropped: list[str] = []
    baseline = read_folder(write_history(tmp_path / "baseline", [("0000_base", BASELINE, None)]))

    def make_database(parent_id: str, parent_timestamp: str | None) -> str:
        """The new branch: the parent's schema (the baseline applied) and its rows."""
        url = scratch_server.create_database()
        made.append(url)
        _apply(url, baseline)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(ROWS)
        return url

    def drop_database(url: str) -> None:
        dropped.append(url)
        scratch_server.drop_database(url)

    state = FakeNeonState(PROJECT, make_database, drop_database)
    state.add_branch("production", default=True)
    state.add_branch(PARENT)
    with (
        fake_neon(state) as api_url,
        NeonClient(Secret(API_KEY), PROJECT, api_url=api_url, poll_interval_s=0.01) as client,
    ):
        provider = NeonBranchCopies(
            client, project_id=PROJECT, parent=PARENT, database="neondb", role="neondb_owner", budget_s=5, protected={}
        )
        try:
            yield NeonWorld(state, client, provider, tmp_path / "migrations", api_url, made, dropped)
        finally:
            for url in set(made) - set(dropped):
                scratch_server.drop_database(url)


def _apply(url: str, migrations: MigrationSet) -> None:
    apply_pending(url, migrations, lock_timeout="5s", statement_timeout="30s", connect_budget=ConnectBudget(5))


def test_a_branch_is_created_its_operations_polled_the_migration_run_and_the_branch_deleted(world: NeonWorld) -> None:
    replay = world.replay("ALTER TABLE users ADD COLUMN nickname text;")

    assert replay.outcome.problems == []
    assert replay.outcome.pending == ["0001_next"]
    (statement,) = replay.outcome.statements
    assert statement.command == "ALTER TABLE"
    assert ("users", "ACCESS EXCLUSIVE") in {(lock.name, lock.mode) for lock in statement.locks}
    assert replay.copy.id.startswith("br-") and replay.copy.name.startswith("gates_copy_")
    assert replay.copy.target == f"the Neon branch {PARENT} of project {PROJECT}"
    assert world.requests("POST", "/branches") == 1
    assert world.requests("GET", "/operations/") == 4  # create_branch and start_compute: running, then finished
    assert world.requests("DELETE", f"/branches/{replay.copy.id}") == 1
    assert world.branch_names() == ["production", PARENT]
    assert world.dropped == world.made and len(world.made) == 1


def test_the_migration_failing_on_the_branch_is_named_and_the_branch_still_deleted(world: NeonWorld) -> None:
    replay = world.replay("ALTER TABLE users ALTER COLUMN email SET NOT NULL;")

    (problem,) = replay.outcome.problems
    assert "the migration fails on the copy: " in problem and "[SQLSTATE 23502]" in problem
    assert world.branch_names() == ["production", PARENT]
    assert world.dropped == world.made


def test_an_operation_failed_once_is_polled_until_it_finishes(world: NeonWorld) -> None:
    world.state.operation_script = ["running", "failed", "running", "finished"]

    replay = world.replay("ALTER TABLE users ADD COLUMN nickname text;")

    assert replay.outcome.problems == []
    assert world.requests("GET", "/operations/") == 8  # each operation: failed (Neon retries it), then finished
    assert world.branch_names() == ["production", PARENT]


def test_an_operation_in_error_fails_and_the_branch_is_still_deleted(world: NeonWorld) -> None:
    world.state.operation_script = ["error"]

    with pytest.raises(OperationError, match=r"^Neon operation \w+ \(create_branch\) error: compute failed to start$"):
        world.replay("ALTER TABLE users ADD COLUMN nickname text;")

    assert world.requests("DELETE", "/branches/") == 1
    assert world.branch_names() == ["production", PARENT]
    assert world.dropped == world.made


def test_a_429_with_retry_after_is_retried(world: NeonWorld) -> None:
    world.state.throttle_next = 2  # the sweep's list and the parent's lookup are answered 429 first

    replay = world.replay("ALTER TABLE users ADD COLUMN nickname text;")

    assert replay.outcome.problems == []
    assert world.requests("GET", "/branches") >= 4  # two throttled, then the sweep's and the lookup's
    assert world.branch_names() == ["production", PARENT]


def test_deleting_a_branch_already_gone_answers_204_and_counts_as_deleted(world: NeonWorld) -> None:
    copy = world.provider.create(copy_name(secrets.token_hex(4), time.time()))
    with world.state.lock:
        del world.state.branches[copy.id]  # gone already (deleted by hand, or by Neon)

    world.provider.delete(copy)

    assert world.client.delete_branch(copy.id) is False
    assert world.branch_names() == ["production", PARENT]


def test_a_stale_branch_of_a_killed_run_is_swept_at_the_start_and_a_fresh_one_kept(world: NeonWorld) -> None:
    now = datetime.now(UTC)
    stale = copy_name(secrets.token_hex(4), (now - timedelta(hours=2)).timestamp())
    fresh = copy_name(secrets.token_hex(4), (now - timedelta(minutes=10)).timestamp())
    world.state.add_branch(stale, created_at=now - timedelta(hours=2))
    world.state.add_branch(fresh, created_at=now - timedelta(minutes=10))
    world.state.add_branch("gates_copy_by_hand", created_at=now - timedelta(days=3))  # not a name this suite gives

    replay = world.replay("ALTER TABLE users ADD COLUMN nickname text;")

    assert replay.copy.swept == (stale,)
    assert world.branch_names() == sorted(["production", PARENT, fresh, "gates_copy_by_hand"])


def test_a_parent_that_is_not_a_branch_of_the_project_is_refused_before_anything_is_created(
    world: NeonWorld,
) -> None:
    provider = NeonBranchCopies(
        world.client,
        project_id=PROJECT,
        parent="ep-cool-darkness-123456",
        database="neondb",
        role="r",
        budget_s=5,
        protected={},
    )

    with pytest.raises(CopyError) as refused:
        provider.create(copy_name(secrets.token_hex(4), time.time()))

    assert str(refused.value) == (
        f"refusing to replay: 'ep-cool-darkness-123456' is not a branch of Neon project {PROJECT} "
        f"(Neon project {PROJECT} has no branch named 'ep-cool-darkness-123456')"
    )
    assert world.requests("POST", "/branches") == 0
    assert world.made == []


def test_a_branch_whose_url_is_a_protected_database_is_refused_and_deleted(world: NeonWorld) -> None:
    production = "postgresql://owner:pw@127.0.0.1:5432/prod"
    dropped: list[str] = []
    world.state.make_database = lambda parent_id, parent_timestamp: production
    world.state.drop_database = dropped.append
    provider = NeonBranchCopies(
        world.client,
        project_id=PROJECT,
        parent=PARENT,
        database="neondb",
        role="r",
        budget_s=5,
        protected={"DATABASE_URL_PROD": production},
    )

    with pytest.raises(CopyError, match=r"is the database in DATABASE_URL_PROD; refusing it$"):
        provider.create(copy_name(secrets.token_hex(4), time.time()))

    assert world.branch_names() == ["production", PARENT]
    assert dropped == [production]  # the fake's branch deletion, not a DROP on that server


def run_gate_on_staging(
    world: NeonWorld, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, target: str, parent: str
) -> tuple[int, str]:
    """The gate as a staging workflow runs it (in this process): Neon settings from the environment."""
    write_history(
        world.folder,
        [("0000_base", BASELINE, None), ("0001_next", "ALTER TABLE users ADD COLUMN nickname text;", None)],
    )
    config = world.folder.parent / "gates.toml"
    config.write_text(
        f'[migrations]\npath = "migrations"\nconnect_budget_s = 5\n[environments.staging]\nneon_branch = "{parent}"\n'
    )
    for name in ("DATABASE_URL_PROD", "GITHUB_STEP_SUMMARY", "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "NEON_API_KEY": API_KEY,
        "NEON_PROJECT_ID": PROJECT,
        "NEON_API_URL": world.api_url,
        "DATABASE_URL_STAGING": target,
        "GITHUB_RUN_ID": secrets.token_hex(4),
    }.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest(
        str(GATE), "-p", "no:cacheprovider", "-q", "-s", f"--gates-config={config}", "--gates-env", "staging"
    )
    return int(result.ret), "\n".join(result.outlines + result.errlines)


def test_the_gate_on_staging_replays_on_a_new_neon_branch_and_deletes_it(
    world: NeonWorld, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, scratch_server: ScratchServer
) -> None:
    target = scratch_server.create_database()
    try:
        code, output = run_gate_on_staging(world, pytester, monkeypatch, target, PARENT)
    finally:
        scratch_server.drop_database(target)

    assert code == 0, output
    assert "0001_next.sql" in output
    assert world.requests("POST", "/branches") == 1
    assert world.branch_names() == ["production", PARENT]
    assert world.dropped == world.made and len(world.made) == 1


def test_the_gate_refuses_a_neon_branch_outside_the_project_in_one_sentence(
    world: NeonWorld, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = run_gate_on_staging(world, pytester, monkeypatch, "postgresql://u:pw@127.0.0.1:1/app", "br-other")

    assert code == 1, output
    assert (
        f"cannot replay the pending migrations on a copy of the Neon branch br-other of project {PROJECT}: "
        f"refusing to replay: 'br-other' is not a branch of Neon project {PROJECT}" in output
    )
    assert "Traceback" not in output and API_KEY not in output
    assert world.requests("POST", "/branches") == 0


def test_the_gate_names_every_unusable_input_at_once_wrong_first(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_history(pytester.path / "migrations", [("0000_base", BASELINE, None)])
    config = pytester.path / "gates.toml"
    config.write_text('[migrations]\npath = "migrations"\n')
    for name in ("NEON_API_KEY", "NEON_PROJECT_ID", "DATABASE_URL_STAGING", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEON_API_URL", "ftp://neon.example")

    result = pytester.runpytest(
        str(GATE), "-p", "no:cacheprovider", "-q", f"--gates-config={config}", "--gates-env", "staging"
    )

    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == 1, output
    named = [
        "cannot replay on a copy: NEON_API_URL is not an http(s) URL",
        "NEON_API_KEY is not set",
        "NEON_PROJECT_ID is not set",
        "the Neon branch of staging is not set",
        "DATABASE_URL_STAGING is not set",
    ]
    places = [output.find(sentence) for sentence in named]
    assert -1 not in places and places == sorted(places), output
