"""requires-newer-postgres: a statement uses syntax the target Postgres major version does not have.

A migration written and tried against a developer's newer local Postgres applies fine in CI on the
same version, then fails halfway through the production deploy on an older Neon branch, with the
whole pending batch rolled back. The target version is `[migrations] postgres_version` (default
16); the linter knows when each feature it recognises arrived (see `sql/features.py`). A new
built-in function is no feature where the history creates a function of that name itself, as
projects on older versions do to fill the gap (`any_value`, say).
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.sql.features import FEATURES, NEW_FUNCTIONS
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    target = context.options.postgres_version
    missing = sorted(
        (
            FEATURES[feature]
            for feature in statement.features
            if FEATURES[feature][0] > target and not (feature in NEW_FUNCTIONS and feature in context.history.functions)
        ),
        reverse=True,
    )
    if missing:
        described = ", ".join(f"{name} (PostgreSQL {version}+)" for version, name in missing)
        yield Hit(f"uses {described}, but the target is PostgreSQL {target}")


RULE = Rule(
    id="requires-newer-postgres",
    severity="error",
    category="parse",
    summary="syntax the target Postgres version cannot run fails in the middle of the deploy",
    hint="use syntax the target version supports, or raise [migrations] postgres_version after upgrading",
    bad='ALTER TABLE "plans" ADD CONSTRAINT "plans_topic_not_null" NOT NULL "topic";',
    good='ALTER TABLE "plans" ADD CONSTRAINT "plans_topic_not_null" CHECK ("topic" IS NOT NULL) NOT VALID;',
    check=check,
)
