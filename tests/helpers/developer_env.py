"""The environment of a developer's shell outside CI, for a gate run in a child process.

Outside CI only a missing input may skip a gate, and a smoke input or a pytest variable inherited
from the suite's own run would decide what the child sees: none of them is passed on.
"""

from __future__ import annotations

import os

_DROPPED_PREFIXES = ("PYTEST_", "SMOKE_")
_DROPPED = ("CI", "GITHUB_ACTIONS", "CLERK_SECRET_KEY")


def developer_environ(**variables: str) -> dict[str, str]:
    """This process's environment without CI markers, smoke inputs or pytest's variables, plus `variables`."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_DROPPED_PREFIXES) and name not in _DROPPED
    }
    return {**inherited, **variables}
