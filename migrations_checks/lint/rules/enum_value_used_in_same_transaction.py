"""enum-value-used-in-same-transaction: a new enum value used before its `ADD VALUE` commits.

Postgres lets `ALTER TYPE t ADD VALUE 'v'` run in a transaction, but rejects any use of `'v'` as a
value of the type until that transaction commits ("unsafe use of new value"). Drizzle applies all
pending migrations in one transaction, so a migration that adds a value and then uses it as a
default, in an UPDATE or in a policy fails on deploy: often only in production, where both
migrations are pending together. Use the value in a later release's migration.

A later statement "uses" the value when it contains the string literal `'v'` (`E'\\x76'` too, or
an array literal holding it, `'{v}'`, `'{{v}}'`, `'[1:1]={v}'`), or the label that a `RENAME VALUE`
in between gave it (still uncommitted), unless each such literal is cast to another type
(`'v'::text`, `CAST('v' AS other_enum)`), compared with `pg_enum.enumlabel` (a name, as in the
guards that add a value only if it is missing), or written for a column of a built-in type or of
another enum (a text column's DEFAULT, an INSERT's value for such a column, `SET col = 'v'` in an
UPDATE; see `literal_types.py`): then it is no value of this one. A DO block uses what its
statements use and the literals of its conditions, declarations and assignments. A function or
procedure body runs later, but Postgres checks a body in SQL as it creates the function
(`LANGUAGE sql`, `BEGIN ATOMIC`, `RETURN`), so those use their literals then, as do the defaults of
any routine's parameters; a PL/pgSQL body does not. An enum renamed in between is the same enum.
`ALTER TYPE` / `COMMENT` name the label without using it as a value.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.history import History, renamed_type
from migrations_checks.lint.literal_types import cannot_be, column_type
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.literals import array_elements
from migrations_checks.lint.sql.words import Cursor, Word, top_level, unqualified
from migrations_checks.lint.statements import Statement

# Statements where the label is not a use of the new value: other enums may share the label, and
# comments are only text.
_NOT_USES = frozenset({"ALTER TYPE", "CREATE TYPE", "COMMENT"})
_ROUTINES = frozenset({"CREATE FUNCTION", "CREATE PROCEDURE"})


def _literals(statement: Statement) -> frozenset[str]:
    """The string constants the statement uses as it runs, and the elements of its array literals."""
    if statement.kind in _NOT_USES:
        return frozenset()
    if statement.kind in _ROUTINES:
        return _checked_body_literals(statement)
    elements = {element for literal in statement.literals for element in array_elements(literal)}
    return statement.literals | elements if elements else statement.literals


def _checked_body_literals(statement: Statement) -> frozenset[str]:
    """The literals of a routine that Postgres checks on creation: its parameters' defaults, and a
    body in SQL."""
    all_words = tokenize(statement.text)[0]
    opening = next((i for i, word in enumerate(all_words) if word.is_symbol("(")), None)
    parameters: frozenset[str] = frozenset()
    if opening is not None:
        cursor = Cursor(all_words, opening)
        cursor.skip_group()
        parameters = frozenset(word.text for word in all_words[opening : cursor.position] if word.kind == "string")
    words = top_level(all_words)
    language = next((words[i + 1].name for i, word in enumerate(words[:-1]) if word.upper == "LANGUAGE"), "sql")
    if language != "sql":
        return parameters
    if "sql-body" in statement.features:  # BEGIN ATOMIC or RETURN: the body is the statement's own SQL
        return statement.literals
    body = next((words[i + 1] for i, word in enumerate(words[:-1]) if word.upper == "AS"), None)
    if body is None or body.kind != "string":
        return parameters
    return parameters | frozenset(word.text for word in tokenize(body.text)[0] if word.kind == "string")


def _used(statement: Statement, labels: set[str], enum: str | None, history: History) -> set[str]:
    """The labels the statement uses as values of `enum`, `history` being the schema it runs on."""
    found = labels & _literals(statement)
    if not found or statement.kind in _ROUTINES:
        return found  # a body checked on creation: each of its literals counts
    words = tokenize(statement.text)[0]
    if statement.kind == "DO":  # the literals of its conditions, declarations and assignments
        body = next((word for word in words if word.kind == "string"), None)
        words = tokenize(body.text)[0] if body is not None else words
    return {
        label
        for label in found
        if any(
            word.kind == "string"
            and (word.text == label or label in array_elements(word.text))
            and _as_value_of(words, index, enum)
            and not cannot_be(enum, column_type(words, index, statement, history), history)
            for index, word in enumerate(words)
        )
    }


def _as_value_of(words: list[Word], index: int, enum: str | None) -> bool:
    """Whether the literal at `index` may be a value of `enum`: not when it is cast to another type
    (`'v'::text`, `CAST('v' AS other)`), which then is what Postgres reads it as, nor when it is
    compared with `pg_enum.enumlabel`, a name, nor when an `ALTER TYPE` in a DO body names it
    (`ADD VALUE 'v'`, `RENAME VALUE 'v' TO 'w'`)."""
    before, after = words[max(index - 3, 0) : index], words[index + 1 : index + 3]
    if (
        (len(before) >= 2 and before[-1].is_symbol("=") and before[-2].name == "enumlabel")
        or (len(after) == 2 and after[0].is_symbol("=") and after[1].name == "enumlabel")
        or (before and before[-1].upper == "VALUE")
        or (len(before) == 3 and before[-1].upper == "TO" and before[0].upper == "VALUE")
    ):
        return False
    if index + 1 < len(words) and words[index + 1].is_symbol("::"):
        cursor = Cursor(words, index + 2)
    elif index >= 2 and words[index - 1].is_symbol("(") and words[index - 2].upper == "CAST":
        cursor = Cursor(words, index + 1)
        if not cursor.accept("AS"):
            return True
    else:
        return True
    target = cursor.name()
    following = cursor.peek()
    # Cast on again (`'v'::text::mood`) or to an array: the value may still become one of `enum`.
    if target is None or (following is not None and (following.is_symbol("::") or following.is_symbol("["))):
        return True
    return unqualified(target) == enum


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    for action in statement.actions:
        if action.verb != "add_enum_value" or not action.values:
            continue
        value = action.values[0]
        if action.if_not_exists and context.history.has_enum_label(action.name, value):
            continue  # the label was there already: nothing is added
        labels = {value}  # the new value's label, and the labels RENAME VALUE gives it after
        # The schema each later statement runs on: the columns a literal may be written for, and the
        # enum's name (a RENAME TO in between keeps the type and its uncommitted value).
        from copy import deepcopy  # only here: a lint that adds no enum value need not import it

        schema = deepcopy(context.history)
        enum = action.name
        for later in context.later_in_transaction:
            used = _used(later, labels, enum, schema)
            if used:
                where = f"line {later.line}"
                if later.file.tag != statement.file.tag:
                    where += f" of {later.file.tag}"
                renamed = "" if value in used else f" (renamed '{sorted(used)[0]}')"
                yield Hit(
                    f"adds value '{value}' to {action.name}; {where} uses it{renamed} before the transaction "
                    "commits, which Postgres rejects"
                )
                return
            schema.record(later)
            enum = next((renamed_type(a) for a in later.actions if a.verb == "rename_type" and a.name == enum), enum)
            labels |= {
                renamed.values[1]
                for renamed in later.actions
                if renamed.verb == "rename_enum_value"
                and renamed.name == enum
                and len(renamed.values) == 2
                and renamed.values[0] in labels
            }


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
