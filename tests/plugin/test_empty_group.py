"""A gate group that selects nothing is a failure with one sentence, never exit 5 and "N deselected"."""

from __future__ import annotations

import pytest

from gates.empty_selection import named_gate_markers

pytest_plugins = ["pytester"]

GATES = """
import pytest

@pytest.mark.pre_deploy
@pytest.mark.migration_lint
def test_lint():
    pass

@pytest.mark.post_deploy
@pytest.mark.fly_health
def test_health():
    pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_gates=GATES)
    return pytester.runpytest("test_gates.py", "-p", "no:cacheprovider", *args)


def sentences(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "ran no gate" in line]


def test_a_group_no_collected_test_carries_fails_naming_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "rollback_drill")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert sentences(result) == [
        "deploy-gates: -m 'rollback_drill' ran no gate: none of the 2 collected tests carries the "
        "rollback_drill marker, so this run holds no gate of that group"
    ]


def test_a_group_whose_gates_are_all_deselected_fails_saying_so(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "post_deploy and drill_fly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert sentences(result) == [
        "deploy-gates: -m 'post_deploy and drill_fly' ran no gate: 1 collected test carries post_deploy or "
        "drill_fly, and the rest of the selection (-m, -k) deselected every one"
    ]


def test_a_group_that_selects_gates_runs_as_before(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "post_deploy")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, deselected=1)
    assert sentences(result) == []


def test_an_expression_naming_no_gate_marker_keeps_pytests_exit_code(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "slow")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert sentences(result) == []


def test_without_a_gates_toml_the_sentence_says_the_gates_were_not_collected(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-m", "pre_deploy", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert sentences(result) == [
        "deploy-gates: -m 'pre_deploy' ran no gate: no test was collected, and no gates.toml was found in this "
        "folder or above it, so the installed gates were not collected (run where gates.toml is, or pass "
        "--gates-config=PATH)"
    ]


def test_a_negated_group_is_not_a_request_for_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "not pre_deploy and not post_deploy")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert sentences(result) == []


def test_only_the_groups_the_expression_asks_for_are_named(pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "rollback_drill and not (post_deploy or drill_vercel)")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert sentences(result) == [
        "deploy-gates: -m 'rollback_drill and not (post_deploy or drill_vercel)' ran no gate: none of the 2 "
        "collected tests carries the rollback_drill marker, so this run holds no gate of that group"
    ]


@pytest.mark.parametrize(
    ("expression", "asked"),
    [
        ("post_deploy", ["post_deploy"]),
        ("not smoke", []),
        ("not (not smoke)", ["smoke"]),
        ("smoke or not smoke", []),
        ("not (smoke and fly_health)", []),
        ("rollback_drill and not drill_vercel", ["rollback_drill"]),
        ("pre_deploy and fly_config", ["pre_deploy", "fly_config"]),
        ("(smoke or slow) and not post_deploy", ["smoke"]),
        ("slow or (pre_deploy and not slow)", ["pre_deploy"]),
        ("slow and not slow and smoke", []),
        ("smoke(stage=1)", ["smoke"]),
        ("slow", []),
        ("", []),
    ],
)
def test_a_marker_is_asked_for_when_its_presence_can_select_a_test(expression: str, asked: list[str]) -> None:
    assert named_gate_markers(expression) == asked
