"""Every gate run reports: masks first, JUnit XML, the step summary, and the deploy context's status."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates.github.commit_status import fit_description, main
from gates.github.local_store import LocalStore
from tests.helpers.fake_github import HEAD, TOKEN, FakeGitHub, running_fake

pytest_plugins = ["pytester"]

GATES = """
import pytest

pytestmark = [pytest.mark.pre_deploy]

@pytest.fixture
def broken():
    raise RuntimeError("the fixture broke")

@pytest.mark.migration_lint
def test_passes():
    pass

@pytest.mark.fly_config
def test_fails():
    pytest.fail("fly.toml has no [deploy] | strategy", pytrace=False)

@pytest.mark.staging_green
def test_skips():
    pytest.skip("staging_green gates production deploys only; this is staging")

@pytest.mark.workflow_lint
def test_errors(broken):
    pass
"""
PASSING = "import pytest\n\n@pytest.mark.pre_deploy\ndef test_passes():\n    pass\n"
SLOW = "\n@pytest.mark.pre_deploy\ndef test_slow():\n    __import__('time').sleep(0.3)\n"
PASSWORD = "pw-never-shown"


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeGitHub]:
    with running_fake(monkeypatch) as fake:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
        monkeypatch.setenv("GITHUB_RUN_ID", "4242")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
        monkeypatch.setenv("GATES_REPORT_DIR", str(tmp_path / "reports"))
        monkeypatch.setenv("DATABASE_URL_PROD", f"postgresql://app:{PASSWORD}@db.example/app")
        yield fake


def run(pytester: pytest.Pytester, source: str, env: str = "staging") -> pytest.RunResult:
    pytester.makepyfile(test_gates=source)
    pytester.makeini("[pytest]\n")
    return pytester.runpytest_inprocess(
        "-c", "tox.ini", "--rootdir", str(pytester.path), "--gates-env", env, "-m", "pre_deploy"
    )


def test_every_outcome_reaches_the_summary(pytester: pytest.Pytester, actions: FakeGitHub, tmp_path: Path) -> None:
    run(pytester, GATES).assert_outcomes(passed=1, failed=1, skipped=1, errors=1)
    summary = (tmp_path / "summary.md").read_text()
    assert "### Deploy gates: pre_deploy on staging" in summary
    assert "1 error, 1 failed, 1 passed, 1 skipped" in summary
    assert "| migration_lint, pre_deploy | `test_gates.py::test_passes` | ✅ passed |" in summary
    assert "fly.toml has no [deploy] \\| strategy |" in summary
    assert "| staging_green gates production deploys only; this is staging |" in summary
    assert "RuntimeError: the fixture broke" in summary


def test_the_summary_shows_each_gate_duration(pytester: pytest.Pytester, actions: FakeGitHub, tmp_path: Path) -> None:
    run(pytester, PASSING + SLOW)
    summary = (tmp_path / "summary.md").read_text()
    assert "| gate | test | outcome | duration | why |" in summary
    durations = {
        test: float(seconds)
        for test, seconds in re.findall(r"\| `test_gates\.py::(\w+)` \| [^|]+ \| (\d+\.\d\d) s \|", summary)
    }
    assert set(durations) == {"test_passes", "test_slow"}
    assert 0.3 <= durations["test_slow"] < 5
    assert durations["test_passes"] < 0.3


def test_every_outcome_reaches_the_junit_xml(pytester: pytest.Pytester, actions: FakeGitHub, tmp_path: Path) -> None:
    run(pytester, GATES)
    cases = {
        case.get("name"): case
        for case in ET.parse(tmp_path / "reports" / "junit-staging-pre_deploy.xml").iter("testcase")
    }
    assert set(cases) == {"test_passes", "test_fails", "test_skips", "test_errors"}
    failure = cases["test_fails"].find("failure")
    assert failure is not None and failure.get("message") == "Failed: fly.toml has no [deploy] | strategy"
    assert cases["test_skips"].find("skipped") is not None
    assert cases["test_errors"].find("error") is not None


def test_secrets_are_masked_before_anything_prints(pytester: pytest.Pytester, actions: FakeGitHub) -> None:
    result = run(pytester, PASSING)
    masks = [line for line in result.outlines if line.startswith("::add-mask::")]
    assert f"::add-mask::{TOKEN}" in masks
    assert f"::add-mask::{PASSWORD}" in masks  # the password alone, not only the whole URL
    assert result.outlines.index(masks[-1]) < result.outlines.index(
        next(line for line in result.outlines if "test session starts" in line)
    )


def test_each_secret_the_suite_reads_is_masked(
    pytester: pytest.Pytester, actions: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ("CLERK_SECRET_KEY", "FLY_API_TOKEN", "VERCEL_TOKEN", "NEON_API_KEY", "SMOKE_TEST_API_KEY")
    for name in names:
        monkeypatch.setenv(name, f"{name.lower()}-value")
    masks = [line for line in run(pytester, PASSING).outlines if line.startswith("::add-mask::")]
    assert [name for name in names if f"::add-mask::{name.lower()}-value" not in masks] == []


def test_no_masks_are_printed_outside_actions(
    pytester: pytest.Pytester, actions: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS")
    result = run(pytester, PASSING)
    assert not [line for line in result.outlines if "add-mask" in line]
    assert TOKEN not in result.stdout.str()


def test_a_failing_run_posts_pending_then_failure(pytester: pytest.Pytester, actions: FakeGitHub) -> None:
    run(pytester, GATES)
    statuses = actions.statuses[HEAD]
    assert [status["state"] for status in statuses] == ["pending", "failure"]
    assert all(status["context"] == "deploy/staging" for status in statuses)
    assert statuses[0]["target_url"] == "https://github.com/acme/atlaris/actions/runs/4242"
    assert statuses[1]["description"] == "pre_deploy on staging: fly.toml has no [deploy] | strategy"


def test_a_long_failure_sentence_is_posted_cut_to_140_characters(
    pytester: pytest.Pytester, actions: FakeGitHub
) -> None:
    long = "migration 0007 drops column users.legacy_name while release v41 still reads it " * 3
    run(
        pytester,
        f"import pytest\n\n@pytest.mark.pre_deploy\ndef test_fails():\n    pytest.fail({long!r}, pytrace=False)\n",
    )
    failure = actions.statuses[HEAD][-1]
    assert failure["state"] == "failure"  # the store, as GitHub, answers 422 to a longer description
    assert len(failure["description"]) == 140 and failure["description"].endswith("…")
    assert failure["description"].startswith("pre_deploy on staging: migration 0007 drops column")


def test_a_passing_run_leaves_the_deploy_pending(pytester: pytest.Pytester, actions: FakeGitHub) -> None:
    run(pytester, PASSING, env="production")
    statuses = actions.statuses[HEAD]
    assert [(s["state"], s["context"]) for s in statuses] == [("pending", "deploy/production")] * 2
    assert statuses[1]["description"] == "pre_deploy on production: passed; the deploy goes on"


def test_a_rollback_drill_posts_no_status(pytester: pytest.Pytester, actions: FakeGitHub, tmp_path: Path) -> None:
    # A drill deploys nothing; a pending it left on main's head would hold production's staging_green.
    pytester.makepyfile(test_drill="import pytest\n\n@pytest.mark.rollback_drill\ndef test_drill():\n    pass\n")
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_inprocess(
        "-c", "tox.ini", "--rootdir", str(pytester.path), "--gates-env", "staging", "-m", "rollback_drill"
    )
    result.assert_outcomes(passed=1)
    assert actions.requests == [] and "::warning::" not in result.stdout.str()
    assert "### Deploy gates: rollback_drill on staging" in (tmp_path / "summary.md").read_text()


def test_local_runs_post_no_status(pytester: pytest.Pytester, actions: FakeGitHub) -> None:
    run(pytester, PASSING, env="local")
    assert actions.requests == []


def test_a_status_that_cannot_be_posted_is_a_warning_not_a_failure(
    pytester: pytest.Pytester, actions: FakeGitHub
) -> None:
    actions.branches.clear()
    actions.trees.clear()  # GitHub: 422 "No commit found for SHA"
    result = run(pytester, PASSING)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["::warning::commit status deploy/staging was not posted: POST *answered 422*"])


def test_descriptions_are_cut_to_140_characters() -> None:
    long = "migration 0007 drops column users.legacy_name " * 6
    cut = fit_description(long)
    assert len(cut) == 140
    assert cut.endswith("…")
    assert fit_description("two\nlines") == "two lines"
    assert fit_description("x" * 140) == "x" * 140


def test_the_store_refuses_a_long_description_as_github_does() -> None:
    store = LocalStore()
    store.add_commit(HEAD)
    answer = store.handle(
        "POST", f"/repos/local/app/statuses/{HEAD}", {}, {"state": "success", "description": "x" * 141}, {}
    )
    assert answer.status == 422
    assert "description is too long (maximum is 140 characters)" in str(answer.body)


def test_the_final_step_posts_success(actions: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--env", "staging", "--state", "success"]) == 0
    assert main(["--env", "production", "--state", "cancelled"]) == 0
    assert [(s["state"], s["context"]) for s in actions.statuses[HEAD]] == [
        ("success", "deploy/staging"),
        ("failure", "deploy/production"),
    ]


def test_the_final_step_names_every_unusable_variable(
    actions: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_SHA")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/atlaris/extra")
    assert main(["--env", "staging", "--state", "success"]) == 1
    printed = capsys.readouterr().out
    assert printed.startswith(
        "::error::commit status deploy/staging was not posted: GITHUB_REPOSITORY='acme/atlaris/extra' is not owner/repo"
    ), printed
    assert "; GITHUB_SHA is not set: Actions sets it" in printed and actions.statuses == {}


def test_two_runs_of_one_expression_keep_two_junit_files(
    pytester: pytest.Pytester, actions: FakeGitHub, tmp_path: Path
) -> None:
    # The deploy workflows run `pytest -m smoke` twice: on the old release, then on the new one.
    run(pytester, PASSING)
    run(pytester, GATES)
    reports = sorted(path.name for path in (tmp_path / "reports").iterdir())
    assert reports == ["junit-staging-pre_deploy-2.xml", "junit-staging-pre_deploy.xml"]
    second = ET.parse(tmp_path / "reports" / "junit-staging-pre_deploy-2.xml")
    assert {case.get("name") for case in second.iter("testcase")} == {
        "test_passes",
        "test_fails",
        "test_skips",
        "test_errors",
    }
