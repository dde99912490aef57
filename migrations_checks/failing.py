"""Turn the migration library's one-sentence errors into gate failures without a traceback.

The library raises InputError, ConfigError, ConnectError, ScratchError, GuardError and
StatementError, and the Neon client NeonError, with messages written for people (passwords and
keys masked, file and line named); a gate shows exactly that sentence and fails, whatever the
environment: none of them is a reason to skip.
Any other error the database answers with (a lock wait that timed out, a missing privilege) is
shown as its message and SQLSTATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from gates.config import ConfigError
from gates.connect import ConnectError, refusal
from gates.failclosed import fail
from gates.neon import NeonError
from gates.scratch_db import ScratchError
from migrations_checks.db.branch_copy import CopyError
from migrations_checks.db.guard import GuardError
from migrations_checks.db.lock_sampler import SamplerError
from migrations_checks.db.run_sql import StatementError
from migrations_checks.db.status import DriftError
from migrations_checks.lint.reader import InputError


@contextmanager
def failing_clearly(doing: str) -> Iterator[None]:
    """Fail the current gate with "<doing>: <error>" when the block raises a library error."""
    try:
        yield
        return
    except (
        InputError,
        ConfigError,
        ConnectError,
        ScratchError,
        GuardError,
        StatementError,
        DriftError,
        CopyError,
        SamplerError,
        NeonError,
    ) as error:
        message = f"{doing}: {error}"
    except psycopg.Error as error:
        message = f"{doing}: {refusal(error)}"
    fail(message)  # without the error being handled, which pytest would print again
