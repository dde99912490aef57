"""The staged rule for production deploys: production only gets what staging already ran.

A migration reaches production only after the same file (same hash) ran on staging; a drop that
relies on an earlier `-- gates: deprecate ...` marker only runs where the deprecating migration is
already applied (otherwise the release that stopped using the object may not be live yet); and
neither database may carry drift drizzle-orm keeps quiet about (edited or skipped migrations).
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.db.status import DRIFT_STATES, DatabaseStatus, describe
from migrations_checks.lint.deprecations import relied_deprecations
from migrations_checks.lint.reader import MigrationFile


def drift_problems(name: str, status: DatabaseStatus) -> list[str]:
    """Every edited or skipped migration on the database called `name`."""
    return [
        f"{name}: {describe(item, status.newest_applied)}" for item in status.migrations if item.state in DRIFT_STATES
    ]


def unstaged_problems(production: DatabaseStatus, staging: DatabaseStatus) -> list[str]:
    """Migrations pending on production that staging has not applied with the same hash."""
    on_staging = {item.tag: item for item in staging.migrations}
    problems = []
    for item in production.with_state("pending"):
        staged = on_staging[item.tag]
        if staged.state != "applied":
            problems.append(
                f"{item.tag} is pending on production but {staged.state} on staging: "
                "deploy it to staging (and let it run there) before production"
            )
    return problems


def deprecation_problems(files: Sequence[MigrationFile], production: DatabaseStatus) -> list[str]:
    """Pending drops whose deprecating migration is not applied on production yet."""
    pending = {item.tag for item in production.with_state("pending")}
    states = {item.tag: item.state for item in production.migrations}
    return [
        f"{relied.migration} drops {relied.target}, deprecated in {relied.deprecated_in}, which is "
        f"{states[relied.deprecated_in]} on production: release the deprecation to production first"
        for relied in relied_deprecations(files, pending)
        if states[relied.deprecated_in] != "applied"
    ]
