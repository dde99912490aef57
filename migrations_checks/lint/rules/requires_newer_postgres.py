"""requires-newer-postgres: a statement uses syntax the target Postgres major version does not have.

A migration written and tried against a developer's newer local Postgres applies fine in CI on the
same version, then fails halfway through the production deploy on an older Neon branch, with the
whole pending batch rolled back. The target version is `[migrations] postgres_version` (default
16); the linter knows when each feature it recognises arrived (see `sql/features.py`). A new
built-in function is no feature where the history creates a function of that name itself, as
projects on older versions do to fill the gap (`any_value`, say), or creates the extension that
provides it there and has not dropped it since (pgcrypto's `gen_random_uuid()`, which drizzle-kit
writes for `defaultRandom()`, before 13).

A routine's body counts as far as Postgres checks it at CREATE: a SQL body's queries are analysed
(their calls and values too), a PL/pgSQL body's statements and expressions only parsed (new syntax
fails, a new function only when called), and a body written as a string not at all after the file
set `check_function_bodies` off for the session, as pg_dump's output does. A DO block runs its
body: everything in it counts, but what a version guard (`IF current_setting('server_version_num')::int
>= 170000 THEN`) lets run only on a server that has it: the calls and values of the guarded branch,
and the SQL it EXECUTEs; not its syntax, which Postgres parses with the whole block.
"""

import re
from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.history import History
from migrations_checks.lint.literal_types import column_type
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.sql.features import (
    FEATURES,
    FUNCTION_OF,
    IN_STRING_BODY,
    PROVIDED_BY_EXTENSION,
    excused,
    value_features,
)
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    target = context.options.postgres_version
    history = context.history
    # Every statement is asked, and almost none uses a feature: each source is read only if it may.
    used = set(_checked(statement, history)) if statement.features else set()
    if history.partitioned:
        used.update((feature, False) for feature in _on_partitioned_tables(statement, history))
    if statement.literals:
        used.update((feature, False) for feature in _stored(statement, history))
    features = [
        feature
        for feature, in_body in used
        if FEATURES[feature][0] > target
        and not excused(feature, statement.guard, checked_when_run=in_body)  # a newer server's only
        and not _provided(feature, history)
    ]
    if not features:
        return
    missing = sorted({FEATURES[feature] for feature in features}, reverse=True)  # a call and its syntax share one
    described = ", ".join(f"{name} (PostgreSQL {version}+)" for version, name in missing)
    provided = [f"{PROVIDED_BY_EXTENSION[f]} provides {f}()" for f in features if f in PROVIDED_BY_EXTENSION]
    yield Hit(
        f"uses {described}, but the target is PostgreSQL {target}",
        # The function exists on the target, in an extension: creating it is the whole fix.
        hint=f"CREATE EXTENSION IF NOT EXISTS in an earlier migration: {', '.join(provided)}" if provided else None,
    )


def _checked(statement: Statement, history: History) -> Iterator[tuple[str, bool]]:
    """The statement's features, and whether each is of a routine's string body, but those of such
    a body while Postgres checks none (check_function_bodies off, as pg_dump sets it)."""
    bodies_checked = history.checks_function_bodies(statement.file.tag)
    for feature in statement.features:
        if not feature.startswith(IN_STRING_BODY):
            yield feature, False
        elif bodies_checked:
            yield feature.removeprefix(IN_STRING_BODY), True


def _on_partitioned_tables(statement: Statement, history: History) -> Iterator[str]:
    """What the statement does to a table the history shows partitioned that a plain table has long
    allowed: setting its access method, adding an exclusion constraint."""
    for action in statement.actions:
        if action.table not in history.partitioned:
            continue
        if action.verb == "rewrite_table" and action.object_kind == "SET ACCESS METHOD":
            yield "partitioned-access-method"
        elif action.verb == "add_exclusion":
            yield "partitioned-exclusion"


def _stored(statement: Statement, history: History) -> Iterator[str]:
    """What a literal stored in a column becomes as the column's type, which the history shows:
    `'infinity'` inserted or updated into an interval column, or made its default; a jsonpath with a
    conversion method into a jsonpath column."""
    by_value = {literal: found for literal in statement.literals if (found := value_features(literal))}
    if not by_value:
        return  # nearly always: the statement need not be read again
    words = tokenize(statement.text)[0]
    for index, word in enumerate(words):
        if word.kind == "string" and word.text in by_value:
            column = column_type(words, index, statement, history)
            base = history.base_type(column) if column is not None else ""
            feature = by_value[word.text].get(re.split(r"[ (\[]", base, maxsplit=1)[0])  # `interval(3)`, `interval day`
            if feature is not None:
                yield feature


def _provided(feature: str, history: History) -> bool:
    """Whether the history provides a newer built-in function itself."""
    function = FUNCTION_OF.get(feature)
    if function is None:
        return False
    return function in history.functions or PROVIDED_BY_EXTENSION.get(feature) in history.extensions


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
