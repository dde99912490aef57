"""Run the configured platform prelude on a database before any migration touches it.

Real histories assume what hosted Postgres provides (roles such as `authenticated`, extensions).
Every database that a history is applied to outside the platform, a replay's scratch database or
the local stand-in's, gets the `[migrations] prelude` first, so the history meets what it expects.
"""

from __future__ import annotations

import re

from gates.config import MigrationSettings
from gates.connect import ConnectBudget, connect
from migrations_checks.db.run_sql import StatementError, execute_file
from migrations_checks.lint.reader import InputError, read_text

BUNDLED_PRELUDE = "migrations_checks/db/preludes/neon_rls.sql"
UNDEFINED_OBJECT = "42704"
_MISSING_ROLE = re.compile(r'role "[^"]+" does not exist')


def missing_platform_role_hint(error: StatementError, settings: MigrationSettings) -> str:
    """What to do when a history names a role only the hosted platform creates (empty for other errors)."""
    if error.sqlstate != UNDEFINED_OBJECT or not _MISSING_ROLE.search(error.message):
        return ""
    where = (
        f"[migrations] prelude in gates.toml names {settings.prelude}"
        if settings.prelude
        else f"set [migrations] prelude in gates.toml (the bundled {BUNDLED_PRELUDE} creates Neon's and Supabase's)"
    )
    return (
        f"; hosted Postgres (Neon, Supabase) creates such roles, a plain Postgres does not: {where}; "
        "rerun with --prelude to run it first"
    )


def run_prelude(url: str, settings: MigrationSettings, *, connect_budget: ConnectBudget) -> None:
    """Run the configured `[migrations] prelude` file, if any, in one transaction."""
    if settings.prelude is None:
        return
    if not settings.prelude.is_file():
        raise InputError(f"the prelude {settings.prelude} named by [migrations] prelude in gates.toml does not exist")
    text = read_text(settings.prelude)
    with connect(url, budget=connect_budget) as connection, connection.transaction():
        execute_file(connection, settings.prelude, text)
