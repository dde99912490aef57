"""A gate group that selects nothing fails the run, with one sentence naming the group and why.

pytest ends a run that selected no test with exit code 5 and "N deselected", which a workflow step
easily reads as "nothing to check". For a marker expression that names one of our groups or gates
(`-m post_deploy`, `-m "pre_deploy and fly_config"`) it means a gate that should have decided did
not run, so the run fails (exit 1). A marker counts as asked for only when its presence can make the
expression select a test: `-m "not smoke"` asks for no gate, `-m "rollback_drill and not drill_vercel"`
for rollback_drill alone. The expression is read by pytest's own `-m` machinery, so `and`, `or`,
`not` and parentheses mean here exactly what they mean to pytest. Expressions asking for none of our
markers keep pytest's exit 5.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterator

import pytest
from _pytest.mark.expression import Expression  # pytest's own -m reader (no public name), in every pytest 8 and 9

from gates.plugin import GATE_GROUPS, GATE_MARKERS, config_path

# (collected, carrying one of the named markers), counted before -m and -k deselect; absent on an
# xdist controller, which collects nothing itself.
_COUNTS = pytest.StashKey[tuple[int, int]]()
_SENTENCE = pytest.StashKey[str]()
MAX_WORDS = 12  # every combination of the words is tried: 4096 evaluations per marker at most


def named_gate_markers(expression: str) -> list[str]:
    """Our group and gate markers a `-m` expression asks for, in the order pytest reads them: those whose
    presence turns it from false to true for some combination of the other words."""
    try:
        compiled = Expression.compile(expression)
    except Exception:  # pytest reports a malformed -m itself (a SyntaxError, a ParseError before pytest 9)
        return []
    words = _words(compiled)
    ours = [word for word in words if word in GATE_GROUPS or word in GATE_MARKERS]
    if len(words) > MAX_WORDS:
        return ours  # too many to try every combination: count each one written, failing closed
    return [marker for marker in ours if _asks_for(compiled, marker, [word for word in words if word != marker])]


def _words(compiled: Expression) -> list[str]:
    """The expression's identifiers in the order they come up (up to MAX_WORDS + 1). `and` and `or`
    stop early, so they are found by evaluating under every combination of those found so far."""
    words: list[str] = []
    explored = -1
    while explored != len(words) and len(words) <= MAX_WORDS:
        explored = len(words)
        for present in _combinations(words[:explored]):
            compiled.evaluate(_noting(words, present))
    return words


def _noting(words: list[str], present: set[str]) -> Callable[..., bool]:
    """A matcher that finds the markers in `present` and appends every name it is asked to `words`."""

    def ask(name: str, /, **_: str | int | bool | None) -> bool:
        if name not in words:
            words.append(name)
        return name in present

    return ask


def _asks_for(compiled: Expression, marker: str, others: list[str]) -> bool:
    return any(
        _selects(compiled, present | {marker}) and not _selects(compiled, present) for present in _combinations(others)
    )


def _combinations(words: list[str]) -> Iterator[set[str]]:
    for values in itertools.product((False, True), repeat=len(words)):
        yield {word for word, value in zip(words, values, strict=True) if value}


def _selects(compiled: Expression, present: set[str]) -> bool:
    """Whether a test carrying exactly the markers in `present` is selected."""
    return compiled.evaluate(lambda name, /, **_: name in present)


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
