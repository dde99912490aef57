"""A gate group that selects nothing fails the run, with one sentence naming the group and why.

pytest ends a run that selected no test with exit code 5 and "N deselected", which a workflow step
easily reads as "nothing to check". For a marker expression that names one of our groups or gates
(`-m post_deploy`, `-m "pre_deploy and fly_config"`) it means a gate that should have decided did
not run, so the run fails (exit 1). Expressions naming none of our markers keep pytest's exit 5.
"""

from __future__ import annotations

import re
from collections.abc import Generator

import pytest

from gates.plugin import GATE_GROUPS, GATE_MARKERS, config_path

# (collected, carrying one of the named markers), counted before -m and -k deselect; absent on an
# xdist controller, which collects nothing itself.
_COUNTS = pytest.StashKey[tuple[int, int]]()
_SENTENCE = pytest.StashKey[str]()


def named_gate_markers(expression: str) -> list[str]:
    """Our group and gate markers named in a `-m` expression, in the order written."""
    words = dict.fromkeys(re.findall(r"[A-Za-z_]\w*", expression))
    return [word for word in words if word in GATE_GROUPS or word in GATE_MARKERS]


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Generator[None]:
    markers = named_gate_markers(config.getoption("markexpr") or "")
    carrying = sum(1 for item in items if any(item.get_closest_marker(marker) for marker in markers))
    config.stash[_COUNTS] = (len(items), carrying)
    yield


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    expression = config.getoption("markexpr") or ""
    markers = named_gate_markers(expression)
    if exitstatus != pytest.ExitCode.NO_TESTS_COLLECTED or not markers or hasattr(config, "workerinput"):
        return
    config.stash[_SENTENCE] = f"deploy-gates: -m {expression!r} ran no gate: {_why(config, ' or '.join(markers))}"
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    sentence = config.stash.get(_SENTENCE, None)
    if sentence:
        terminalreporter.write_line(sentence, red=True, bold=True)


def _why(config: pytest.Config, markers: str) -> str:
    counts = config.stash.get(_COUNTS, None)
    if counts is None:
        return f"no selected test carries {markers}"
    collected, carrying = counts
    if collected == 0:
        reason = "no test was collected"
        if config.args_source != pytest.Config.ArgsSource.ARGS and config_path(config) is None:
            reason += (
                ", and no gates.toml was found in this folder or above it, so the installed gates were not "
                "collected (run where gates.toml is, or pass --gates-config=PATH)"
            )
        return reason
    if carrying == 0:
        tests = (
            "the 1 collected test does not carry"
            if collected == 1
            else f"none of the {collected} collected tests carries"
        )
        return f"{tests} the {markers} marker, so this run holds no gate of that group"
    tests = "1 collected test carries" if carrying == 1 else f"{carrying} collected tests carry"
    return f"{tests} {markers}, and the rest of the selection (-m, -k) deselected every one"
