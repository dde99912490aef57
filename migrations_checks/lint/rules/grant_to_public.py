"""grant-to-public: `GRANT ... TO PUBLIC`.

PUBLIC is every role in the database, including ones created later: on Neon and Supabase that
includes the `anonymous` / `anon` and `authenticated` roles that row level security is written
for. A grant to PUBLIC opens the object to every client that can reach the database and bypasses
the role design. Grant to the specific roles that need access.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    if any(action.verb == "grant" and "PUBLIC" in action.values for action in statement.actions):
        yield Hit("grants privileges to PUBLIC: every role in the database, including future ones")


RULE = Rule(
    id="grant-to-public",
    severity="warning",
    category="security",
    summary="GRANT ... TO PUBLIC gives every role, present and future, the privilege",
    hint="grant to the specific roles that need it",
    bad='GRANT SELECT ON TABLE "learning_plans" TO PUBLIC;',
    good='GRANT SELECT ON TABLE "learning_plans" TO "authenticated";',
    check=check,
    verbs=frozenset({"grant"}),
)
