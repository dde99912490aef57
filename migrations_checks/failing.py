"""Turn the migration library's one-sentence errors into gate failures without a traceback.

The library raises InputError, ConfigError, ConnectError, GuardError and StatementError with
messages written for people (passwords masked, file and line named); a gate shows exactly that
sentence and fails, whatever the environment: none of them is a reason to skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gates.config import ConfigError
from migrations_checks.connect import ConnectError
from migrations_checks.guard import GuardError
from migrations_checks.reader import InputError
from migrations_checks.run_sql import StatementError


@contextmanager
def failing_clearly(doing: str) -> Iterator[None]:
    """Fail the current gate with "<doing>: <error>" when the block raises a library error."""
    try:
        yield
        return
    except (InputError, ConfigError, ConnectError, GuardError, StatementError) as error:
        message = f"{doing}: {error}"
    pytest.fail(message, pytrace=False)  # outside `except`, so no "during handling" chain is shown
