"""What a gate does when it cannot decide: fail, or (locally, outside CI) skip with the reason.

A gate that cannot decide never passes. On a developer's machine, in the `local` environment, a
platform that is simply absent may be skipped so the rest of the suite still runs; in staging,
production, or anywhere `CI` is set, the same sentence fails the gate.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from gates.config import Environment


def must_fail(environment: Environment) -> bool:
    """True where an undecidable gate has to fail rather than skip."""
    return not environment.is_local or bool(os.environ.get("CI"))


def cannot_decide(environment: Environment, sentence: str) -> NoReturn:
    """Stop the current gate with `sentence`: fail where it must, skip locally."""
    if must_fail(environment):
        pytest.fail(sentence, pytrace=False)
    pytest.skip(sentence)
