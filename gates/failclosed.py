"""What a gate does when it cannot decide: fail, or (locally, outside CI) skip with the reason.

A gate that cannot decide never passes. On a developer's machine, in the `local` environment, a
platform that is simply absent may be skipped so the rest of the suite still runs; in staging,
production, or whenever `CI` is set (to anything but an explicit `false`, `0` or `no`: a developer
saying "not CI"), the same sentence fails the gate. Any other value counts, so an unusual spelling
never turns a failing gate into a skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from gates.config import Environment

_NOT_CI = ("", "0", "false", "no")


def must_fail(environment: Environment) -> bool:
    """True where an undecidable gate has to fail rather than skip."""
    return not environment.is_local or os.environ.get("CI", "").strip().lower() not in _NOT_CI


def cannot_decide(environment: Environment, sentence: str) -> NoReturn:
    """Stop the current gate with `sentence`: fail where it must, skip locally."""
    if must_fail(environment):
        fail(sentence)
    raise pytest.skip.Exception(sentence) from None


def fail(sentence: str) -> NoReturn:
    """Fail the current gate with `sentence` alone. Raised from inside an `except` block, as gates
    usually are, pytest's own `pytest.fail` would also print the error being handled, joined by
    "During handling of the above exception"; this drops that context."""
    raise pytest.fail.Exception(sentence, pytrace=False) from None
