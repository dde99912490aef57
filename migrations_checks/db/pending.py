"""Which migrations a gate treats as pending for the environment it gates.

Gates report on (lint) or roll back (replay) only what the deploy is about to apply: the journal
entries pending on the environment's database, read over a read-only connection. The `local`
environment has no deployed database, so there everything is pending; elsewhere a missing
database URL means the gate cannot decide, and it says which variable to set, and one that libpq
would misread is named as wrong.
"""

from __future__ import annotations

import os

from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.inputs import InputError, database_url, stop
from migrations_checks.db.status import check_no_drift, read_status
from migrations_checks.lint.reader import MigrationSet


def pending_tags(
    config: GatesConfig, environment: Environment, migrations: MigrationSet, *, connect_budget: ConnectBudget
) -> frozenset[str] | None:
    """Tags pending on the environment's database; None on `local` (everything is pending).

    Raises the library's InputError / ConnectError / DriftError for the caller to report.
    """
    if environment.is_local:
        return None
    how = (
        f"the gate reads the {environment.name} database (read-only) to know which migrations are pending; "
        "set it to that database's URL"
    )
    try:
        url = database_url(os.environ, environment.database_url_env, how)
    except InputError as error:
        stop(environment, error)
    status = read_status(url, migrations, connect_budget=connect_budget)
    # Linting or rolling back only the pending files would pass a history that is already wrong here.
    check_no_drift(status, f"the {environment.name} database")
    return frozenset(item.tag for item in status.with_state("pending"))
