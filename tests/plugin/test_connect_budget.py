"""The gates of one session share one connect budget per server: an unreachable database is waited for once."""

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
def test_gate(gate):
    started = time.monotonic()
    with pytest.raises(ConnectError):
        connect(f"postgresql://app@127.0.0.1:{PORT}/app", budget_s=1.5)
    print(f"\\n{gate} waited {time.monotonic() - started:.2f}")
"""


def test_a_second_gate_does_not_wait_again_for_an_unreachable_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=GATES)
    result = pytester.runpytest_subprocess("test_gates.py", "-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    waited = {line.split()[0]: float(line.split()[-1]) for line in result.outlines if " waited " in line}
    assert waited["first"] >= 1.4 and waited["second"] < 0.5, waited
