"""Give a database the stand-in's schema: the platform prelude, then the example migrations.

The schema is never written by hand here. It is the configured Drizzle history (`gates.toml`
`[migrations]`), applied by our own Drizzle-compatible migrator after the prelude that stands in
for what Neon provides (the `authenticated` role the API's reads run as). So the smoke gate runs
against exactly the schema the migration gates check, and a migration that breaks the app's
queries breaks the stand-in too.
"""

from __future__ import annotations

from gates.config import MigrationSettings
from gates.connect import ConnectBudget, connect
from migrations_checks.db.migrator import ApplyResult, apply_pending
from migrations_checks.db.prelude import run_prelude
from migrations_checks.lint.reader import read_configured


def bootstrap(database_url: str, migrations: MigrationSettings, test_user: str) -> ApplyResult:
    """Run the prelude, apply pending migrations and make sure the test user's row exists.

    Safe to repeat: the prelude is idempotent, the migrator applies only what is pending, and the
    user row is inserted only when missing.
    """
    history = read_configured(migrations)
    budget = ConnectBudget(migrations.connect_budget_s)  # the stand-in's own, shared by its steps
    run_prelude(database_url, migrations, connect_budget=budget)
    result = apply_pending(
        database_url,
        history,
        lock_timeout=migrations.lock_timeout,
        statement_timeout=migrations.statement_timeout,
        connect_budget=budget,
    )
    ensure_user(database_url, test_user, budget=budget)
    return result


def ensure_user(database_url: str, clerk_user_id: str, *, budget: ConnectBudget) -> None:
    """The `users` row the real app needs before it accepts a plan (it never creates one itself)."""
    with connect(database_url, budget=budget) as connection:
        connection.execute(
            "INSERT INTO users (clerk_user_id, email, name) VALUES (%s, %s, %s) ON CONFLICT (clerk_user_id) DO NOTHING",
            (clerk_user_id, f"{clerk_user_id}@smoke.invalid", "Smoke test user"),
        )
