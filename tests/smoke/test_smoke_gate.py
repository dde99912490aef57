"""`pytest -m smoke --gates-env local` for real, in a child process at an app folder's root, against a stand-in.

It passes on a healthy stack and prints its timing line, fails on a broken one naming the stage,
and cleans up after itself even when pytest-timeout or a Ctrl-C (SIGINT) interrupts it. The API
key never appears in its output.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack
from tests.helpers.developer_env import developer_environ
from tests.helpers.gate_run import run_in_child

Factory = Callable[..., Any]


GATE_ARGS = ("-m", "smoke", "--gates-env", "local")


@pytest.fixture
def app_folder(tmp_path: Path) -> Path:
    """An application's repository root with the default gates.toml: the installed gates are collected."""
    (tmp_path / "gates.toml").write_text("")
    return tmp_path


def _environ(stack: Stack, database_url: str, api_key: str, **budgets: str) -> dict[str, str]:
    # Run as a developer would, outside CI, where only a missing input may skip the gate.
    return developer_environ(
        SMOKE_TEST_API_URL=stack.api_url,
        SMOKE_TEST_DATABASE_URL=database_url,
        SMOKE_TEST_API_KEY=api_key,
        SMOKE_TEST_CLERK_USER_ID=DEFAULT_TEST_USER,
        **budgets,
    )


def _gate(folder: Path, stack: Stack, database_url: str, api_key: str, **budgets: str) -> subprocess.Popen[str]:
    """The gate in a child process that the test can signal."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *GATE_ARGS, "-p", "no:cacheprovider"],
        cwd=folder,
        env=_environ(stack, database_url, api_key, **budgets),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _run(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    stack: Stack,
    database_url: str,
    api_key: str,
    **budgets: str,
) -> tuple[pytest.RunResult, str]:
    """The gate run to its end through pytester, with its whole output."""
    (pytester.path / "gates.toml").write_text("")
    environ = _environ(stack, database_url, api_key, **budgets)
    result = run_in_child(pytester, monkeypatch, *GATE_ARGS, environ=environ, timeout=60)
    return result, result.stdout.str() + result.stderr.str()


def _finish(gate: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = gate.communicate(timeout=60)
    return gate.returncode, output


def test_the_gate_passes_on_a_healthy_stack_and_prints_its_timing(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    with standin() as stack:
        result, output = _run(pytester, monkeypatch, stack, scratch_database, standin_api_key)
    result.assert_outcomes(passed=1)
    assert "smoke timing: claimed " in output
    assert standin_api_key not in output
    assert tagged_plans() == []


def test_the_gate_fails_when_no_worker_runs_and_says_so(
    app_folder: Path,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    with standin(("api", "generator"), STANDIN_FAULTS="worker_exit") as stack:
        code, output = _finish(_gate(app_folder, stack, scratch_database, standin_api_key, SMOKE_POLL_BUDGET_S="1"))
    assert code == 1, output
    assert "smoke failed at stage generation after" in output and "the job was never claimed" in output
    assert standin_api_key not in output
    assert tagged_plans() == []


def test_a_mistyped_input_fails_the_gate_even_locally(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
) -> None:
    with standin() as stack:
        result, output = _run(pytester, monkeypatch, stack, scratch_database, standin_api_key, SMOKE_POLL_BUDGET_S="6O")
    result.assert_outcomes(failed=1)
    assert "smoke gate cannot run: SMOKE_POLL_BUDGET_S='6O' is not a number" in output


def test_reaching_the_total_budget_is_the_stage_sentence_and_cleans_up(
    app_folder: Path,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    with standin(("api", "generator"), STANDIN_FAULTS="worker_hang") as stack:
        # Polling would end just after the whole-run budget (it starts later): pytest-timeout fires mid-poll.
        gate = _gate(
            app_folder, stack, scratch_database, standin_api_key, SMOKE_POLL_BUDGET_S="1.999", SMOKE_TOTAL_BUDGET_S="2"
        )
        code, output = _finish(gate)
    assert code == 1, output
    assert re.search(
        r"smoke failed at stage generation after [\d.]+ s: stopped by Timeout \(>2.0s\) from pytest-timeout\.; "
        r"last seen: status '(pending|processing)' for plan [0-9a-f-]{36}; cleanup done",
        output,
    ), output
    assert "Traceback" not in output and "poller.py" not in output, output
    assert output.count("smoke failed at stage") == 2, output
    assert tagged_plans() == []


def _created_its_plan(gate: subprocess.Popen[str], tagged_plans: Callable[[], list[str]]) -> None:
    deadline = time.monotonic() + 30
    while not tagged_plans():  # the run has created its plan and is polling
        assert time.monotonic() < deadline and gate.poll() is None, "the gate never created its plan"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_cleanup_runs_after_ctrl_c_sigterm_and_sighup(
    app_folder: Path,
    signum: signal.Signals,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    with standin(("api", "generator"), STANDIN_FAULTS="worker_hang") as stack:
        gate = _gate(
            app_folder, stack, scratch_database, standin_api_key, SMOKE_POLL_BUDGET_S="30", SMOKE_TOTAL_BUDGET_S="40"
        )
        _created_its_plan(gate, tagged_plans)
        gate.send_signal(signum)
        code, output = _finish(gate)
    assert code == 2, output  # pytest's exit code for an interrupted session
    assert ("KeyboardInterrupt" if signum == signal.SIGINT else f"Terminated: {signum.name} received") in output
    assert tagged_plans() == []


def test_a_burst_of_ctrl_c_cannot_cut_the_cleanup_short(
    app_folder: Path,
    standin: Factory,
    scratch_database: str,
    standin_api_key: str,
    tagged_plans: Callable[[], list[str]],
) -> None:
    with standin(("api", "generator"), STANDIN_FAULTS="worker_hang") as stack:
        gate = _gate(
            app_folder, stack, scratch_database, standin_api_key, SMOKE_POLL_BUDGET_S="30", SMOKE_TOTAL_BUDGET_S="40"
        )
        _created_its_plan(gate, tagged_plans)
        for _ in range(20):  # the first stops the run; the rest arrive while it cleans up
            gate.send_signal(signal.SIGINT)
            time.sleep(0.001)
        code, output = _finish(gate)
    # Signals left over after cleanup may stop pytest itself: only the cleanup is ours to guarantee.
    assert code != 0, output
    assert tagged_plans() == []
