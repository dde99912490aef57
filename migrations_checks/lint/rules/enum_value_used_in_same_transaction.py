"""enum-value-used-in-same-transaction: a new enum value used before its `ADD VALUE` commits.

Postgres lets `ALTER TYPE t ADD VALUE 'v'` run in a transaction, but rejects any use of `'v'` as a
value of the type until that transaction commits ("unsafe use of new value"). Drizzle applies all
pending migrations in one transaction, so a migration that adds a value and then uses it as a
default, in an UPDATE or in a policy fails on deploy: often only in production, where both
migrations are pending together. Use the value in a later release's migration.

A later statement "uses" the value when it contains the string literal `'v'`. Function and
procedure bodies are not run at creation; a DO block uses what its statements use and the literals
of its conditions, declarations and assignments; `ALTER TYPE` / `COMMENT` name the label without
using it as a value.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement

# Statements where the label is not a use of the new value: bodies run later, other enums may share
# the label, and comments are only text.
_NOT_USES = frozenset({"CREATE FUNCTION", "CREATE PROCEDURE", "ALTER TYPE", "CREATE TYPE", "COMMENT"})


def _uses(statement: Statement, value: str) -> bool:
    return statement.kind not in _NOT_USES and value in statement.literals


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "add_enum_value" or not action.values:
            continue
        value = action.values[0]
        user = next((later for later in context.later_in_transaction if _uses(later, value)), None)
        if user is not None:
            where = f"line {user.line}"
            if user.file.tag != statement.file.tag:
                where += f" of {user.file.tag}"
            yield Hit(
                f"adds value '{value}' to {action.name}; {where} uses it before the transaction "
                "commits, which Postgres rejects"
            )
            return


RULE = Rule(
    id="enum-value-used-in-same-transaction",
    severity="error",
    category="transaction",
    summary="a new enum value cannot be used in the transaction that adds it",
    hint="use the new value in a later release's migration, after the ADD VALUE has committed",
    bad='ALTER TYPE "public"."plan_status" ADD VALUE \'archived\';--> statement-breakpoint\n'
    'UPDATE "learning_plans" SET "status" = \'archived\' WHERE "deleted_at" IS NOT NULL;',
    good='ALTER TYPE "public"."plan_status" ADD VALUE \'archived\';--> statement-breakpoint\n'
    'ALTER TABLE "learning_plans" ADD COLUMN "archived_at" timestamp;',
    check=check,
    verbs=frozenset({"add_enum_value"}),
)
