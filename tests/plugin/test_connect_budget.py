"""The gates of one session share the plugin's connect budget: an unreachable database is waited for once."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

GATES = """
import socket, time
import pytest
from gates.connect import ConnectError, connect

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    PORT = probe.getsockname()[1]

@pytest.mark.parametrize("gate", ["first", "second"])
def test_gate(gate, connect_budget):
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(f"postgresql://app@127.0.0.1:{PORT}/app", budget=connect_budget)
    print(f"\\n{gate} waited {time.monotonic() - started:.2f} of {connect_budget.seconds:g}")
"""


def test_a_second_gate_does_not_wait_again_for_an_unreachable_server(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", gates="[migrations]\nconnect_budget_s = 1.5\n")
    pytester.makepyfile(test_gates=GATES)
    result = pytester.runpytest_subprocess("test_gates.py", "-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    lines = [line.split() for line in result.outlines if " waited " in line]
    waited = {words[0]: (float(words[2]), float(words[4])) for words in lines}
    assert waited["first"][1] == 1.5, "the session's budget comes from [migrations] connect_budget_s"
    assert waited["first"][0] >= 1.4 and waited["second"][0] < 0.5, waited
