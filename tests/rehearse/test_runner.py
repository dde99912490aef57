"""The runner and the verdict reader on their own: order, stop at the first failure, outcomes."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from rehearse.context import Rehearsal
from rehearse.gate_run import read_verdict
from rehearse.processes import Finished
from rehearse.releases import Release
from rehearse.runner import RehearsalInterrupted, run_stages
from rehearse.stages import Outcome, Stage, StageFailed, StageResult


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def started(self, number: int, total: int, stage: Stage) -> None:
        self.seen.append(f"start {number} {stage.name}")

    def finished(self, number: int, total: int, result: StageResult) -> None:
        self.seen.append(f"end {number} {result.outcome}")


def _stage(name: str, error: BaseException | None = None) -> Stage:
    def action(rehearsal: Rehearsal) -> str:
        if error is not None:
            raise error
        return f"{name} done"

    return Stage(name, f"step {name}", action)


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[Rehearsal]:
    made = Rehearsal(Release("v1"), Release("v2"), tmp_path, workspace=tmp_path / "workspace")
    yield made
    made.close()


def test_runs_in_order_and_stops_at_the_first_failure(rehearsal: Rehearsal) -> None:
    progress = Recorder()
    stages = [_stage("a"), _stage("b", StageFailed("b broke")), _stage("c")]
    results = run_stages(stages, rehearsal, progress)
    assert [(r.stage.name, r.outcome, r.sentence) for r in results] == [
        ("a", Outcome.PASSED, "a done"),
        ("b", Outcome.FAILED, "b broke"),
        ("c", Outcome.NOT_RUN, ""),
    ]
    assert progress.seen == ["start 0 a", "end 0 passed", "start 1 b", "end 1 failed"]


def test_a_crashing_stage_is_a_failure_with_its_error(rehearsal: Rehearsal) -> None:
    results = run_stages([_stage("a", ValueError("bad value")), _stage("b")], rehearsal, Recorder())
    assert results[0].outcome is Outcome.FAILED
    assert results[0].sentence == "unexpected ValueError: bad value"


def test_an_interrupt_records_the_stage_and_carries_the_results(rehearsal: Rehearsal) -> None:
    with pytest.raises(RehearsalInterrupted) as raised:
        run_stages([_stage("a"), _stage("b", KeyboardInterrupt()), _stage("c")], rehearsal, Recorder())
    assert [r.outcome for r in raised.value.results] == [Outcome.PASSED, Outcome.INTERRUPTED, Outcome.NOT_RUN]


def test_close_removes_the_workspace_and_records_teardown_problems(rehearsal: Rehearsal) -> None:
    def broken() -> None:
        raise OSError("cannot stop")

    rehearsal.on_close(broken)
    rehearsal.close()
    assert not rehearsal.workspace.exists()
    assert rehearsal.teardown_problems == ["OSError: cannot stop"]


def _junit(path: Path, cases: str) -> Path:
    path.write_text(f"<testsuites><testsuite>{cases}</testsuite></testsuites>")
    ElementTree.parse(path)
    return path


def test_verdict_takes_the_first_failure_as_one_line(tmp_path: Path) -> None:
    junit = _junit(
        tmp_path / "a.xml",
        '<testcase name="test_ok"/><testcase name="test_lint"><failure message="x">'
        "Failed: 1 migration finding(s) block the deploy to local:\n\nfile.sql:2:1: error [drop-column] drops"
        "</failure></testcase>",
    )
    verdict = read_verdict("pre_deploy", junit, Finished(1, "", ""))
    assert not verdict.passed
    assert verdict.sentence == (
        "test_lint: 1 migration finding(s) block the deploy to local: file.sql:2:1: error [drop-column] drops"
    )


def test_verdict_fails_when_no_gate_ran_or_pytest_failed_without_a_case(tmp_path: Path) -> None:
    junit = _junit(tmp_path / "empty.xml", "")
    assert read_verdict("post_deploy", junit, Finished(5, "", "")).sentence.startswith("pytest -m post_deploy exited 5")
    assert "ran no gate" in read_verdict("post_deploy", junit, Finished(0, "", "")).sentence
    missing = read_verdict("smoke", tmp_path / "none.xml", Finished(4, "", "ERROR: bad option"))
    assert (missing.passed, missing.sentence) == (False, "pytest -m smoke wrote no report: ERROR: bad option")


def test_verdict_passes_and_names_skips(tmp_path: Path) -> None:
    junit = _junit(
        tmp_path / "b.xml",
        '<testcase name="a"/><testcase name="b"><skipped message="production only"/></testcase>'
        '<testcase name="c"><skipped message="production only"/></testcase>',
    )
    verdict = read_verdict("pre_deploy", junit, Finished(0, "", ""))
    assert verdict.passed
    assert verdict.sentence == "1 gate test(s) passed; 2 skipped: production only"
