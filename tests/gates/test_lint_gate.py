"""`pytest -m "pre_deploy and migration_lint"` run for real, in a child pytest, on small histories."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from gates.connect import ConnectBudget
from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import read_folder
from tests.helpers import write_drizzle
from tests.helpers.gate_run import run_in_child

LintGate = Callable[..., pytest.RunResult]


@pytest.fixture
def run_lint_gate(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> LintGate:
    """The gate as a workflow runs it, at the root of an app folder holding only its gates.toml and
    `folder`, with none of the caller's gate variables."""

    def run(
        folder: str, extra_config: str = "", env_name: str = "local", env: Mapping[str, str] | None = None
    ) -> pytest.RunResult:
        (pytester.path / "gates.toml").write_text(f'[migrations]\npath = "{folder}"\n{extra_config}')
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "GATES_", "CI"))}
        return run_in_child(
            pytester,
            monkeypatch,
            "-m",
            "pre_deploy and migration_lint",
            "--gates-env",
            env_name,
            "-q",
            "-p",
            "no:xdist",
            environ={**environ, **(env or {})},
        )

    return run


@pytest.fixture
def run_gate(pytester: pytest.Pytester, run_lint_gate: LintGate) -> Callable[..., pytest.RunResult]:
    def run(migrations: dict[str, str], extra_config: str = "", env_name: str = "local") -> pytest.RunResult:
        write_drizzle(pytester.path / "migrations", migrations)
        return run_lint_gate("migrations", extra_config, env_name)

    return run


INIT = 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "email" text NOT NULL);'


RunGate = Callable[..., pytest.RunResult]


def output_of(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


def test_passes_on_a_safe_history(run_gate: RunGate) -> None:
    result = run_gate({"0000_init": INIT, "0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'})
    result.assert_outcomes(passed=1)
    assert result.ret == 0


def test_fails_on_an_error_finding_and_shows_it(run_gate: RunGate) -> None:
    result = run_gate({"0000_init": INIT, "0001_drop": 'ALTER TABLE "users" DROP COLUMN "email";'})
    result.assert_outcomes(failed=1)
    assert "0001_drop.sql:1:1: error [drop-column]" in output_of(result)
    assert "block the deploy to local" in output_of(result)


def test_fails_on_an_unsuppressed_warning(run_gate: RunGate) -> None:
    result = run_gate({"0000_init": INIT, "0001_index": 'CREATE INDEX "e" ON "users" ("email");'})
    result.assert_outcomes(failed=1)
    assert "warning [create-index-non-concurrently]" in output_of(result)


def test_passes_when_the_warning_is_acknowledged(run_gate: RunGate) -> None:
    sql = '-- gates: allow create-index-non-concurrently -- users has 40 rows\nCREATE INDEX "e" ON "users" ("email");'
    run_gate({"0000_init": INIT, "0001_index": sql}).assert_outcomes(passed=1)


def test_fails_on_an_out_of_order_journal(pytester: pytest.Pytester, run_lint_gate: LintGate) -> None:
    folder = write_drizzle(pytester.path / "other", {"0000_a": INIT, "0001_b": "SELECT 1;"})
    journal = json.loads((folder / "meta" / "_journal.json").read_text())
    journal["entries"][1]["when"] = 1
    (folder / "meta" / "_journal.json").write_text(json.dumps(journal))
    result = run_lint_gate("other")
    result.assert_outcomes(failed=1)
    assert "[journal-out-of-order]" in output_of(result)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("colour = 1\n", "migrations.colour in"),
        ('[migrations.severity]\n"drop-colum" = "info"\n', "migrations.severity.drop-colum"),
    ],
)
def test_fails_with_one_sentence_on_a_bad_config(run_gate: RunGate, extra: str, expected: str) -> None:
    result = run_gate({"0000_init": INIT}, extra_config=extra)
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # the run stops before any gate, printed once
    assert output_of(result).count(expected) == 1
    assert "Traceback" not in output_of(result)


def test_staging_without_its_database_url_fails_naming_the_variable(run_gate: RunGate) -> None:
    result = run_gate({"0000_init": INIT}, env_name="staging")
    result.assert_outcomes(failed=1)
    assert "DATABASE_URL_STAGING is not set" in output_of(result)


@pytest.fixture
def staged_history(
    pytester: pytest.Pytester, scratch_database: str
) -> Callable[[dict[str, str], dict[str, str]], Path]:
    """A history of which `applied` is already on the database (with drizzle's bookkeeping)."""

    def write(applied: dict[str, str], pending: dict[str, str]) -> Path:
        write_drizzle(pytester.path / "applied", applied)
        apply_pending(
            scratch_database,
            read_folder(pytester.path / "applied"),
            lock_timeout="5s",
            statement_timeout="60s",
            connect_budget=ConnectBudget(5),
        )
        return write_drizzle(pytester.path / "full", {**applied, **pending})

    return write


@pytest.fixture
def run_staging_gate(run_lint_gate: LintGate, scratch_database: str) -> Callable[[], pytest.RunResult]:
    return lambda: run_lint_gate("full", env_name="staging", env={"DATABASE_URL_STAGING": str(scratch_database)})


def test_staging_reports_only_what_is_pending_there(
    staged_history: Callable[..., Path], run_staging_gate: Callable[[], pytest.RunResult]
) -> None:
    # 0000 holds an error but is already applied on staging: only the pending 0001 is judged.
    staged_history(
        applied={"0000_init": INIT + '\nCREATE TABLE "old" ("id" int);\nDROP TABLE "old";'},
        pending={"0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'},
    )
    run_staging_gate().assert_outcomes(passed=1)


def test_staging_fails_on_a_pending_error(
    staged_history: Callable[..., Path], run_staging_gate: Callable[[], pytest.RunResult]
) -> None:
    staged_history(applied={"0000_init": INIT}, pending={"0001_drop": 'ALTER TABLE "users" DROP COLUMN "email";'})
    result = run_staging_gate()
    result.assert_outcomes(failed=1)
    assert "0001_drop.sql:1:1: error [drop-column]" in output_of(result)
    assert "0000_init" not in output_of(result)


def test_staging_fails_when_an_applied_migration_was_edited(
    staged_history: Callable[..., Path], run_staging_gate: Callable[[], pytest.RunResult]
) -> None:
    full = staged_history(
        applied={"0000_init": INIT}, pending={"0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'}
    )
    (full / "0000_init.sql").write_text(INIT + "\n-- edited after it was applied")
    result = run_staging_gate()
    result.assert_outcomes(failed=1)
    assert "the staging database has drifted" in output_of(result)
    assert "applied-migration-edited: 0000_init.sql changed after it was applied" in output_of(result)
