"""volatile-default: `ADD COLUMN` with a volatile default on an existing table.

Since Postgres 11 a constant default is stored once in the catalogue and the column is added
instantly. A default that differs per row (`gen_random_uuid()`, `random()`, `clock_timestamp()`,
a serial or identity column, a stored generated column) has to be computed for every existing row:
Postgres rewrites the whole table under an ACCESS EXCLUSIVE lock. Add the column without a
default, then `SET DEFAULT` (which only affects new rows), and backfill old rows in batches.

It fails closed, as Postgres itself defaults functions to VOLATILE: a default is volatile unless
every function it calls is known to be immutable or stable, either a built-in that is so in every
overload (sql/pg_volatility.py, generated from a real server's `pg_proc`) or a function the
history creates as IMMUTABLE or STABLE. Every overload the call could run counts: those the history
created that take that many arguments, and the built-in of that name. An extension's function, one
created elsewhere, or one the history created only with other numbers of arguments counts as
volatile.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    columns = [
        (action, why)
        for action in statement.actions
        if action.verb == "add_column" and not context.is_new(action.table)
        for why in [_volatile(action, context)]
        if why
    ]
    if columns:
        described = ", ".join(f"{action.column} (default {why})" for action, why in columns)
        table = columns[0][0].table
        yield Hit(f"adds {described} to {table}: every row is rewritten while the table is locked", tables=(table,))


def _volatile(action: Action, context: StatementContext) -> str | None:
    """Why the column's default is computed per row, or None when it is known not to be."""
    if action.volatile_default:
        return action.volatile_default
    if not action.default_calls:
        return None
    # The generated table of built-ins is the largest module of the linter; most lints never read it.
    from migrations_checks.lint.sql.pg_volatility import NON_VOLATILE_BUILTINS, VOLATILE_BUILTINS

    for function, arguments in action.default_calls:
        # Postgres looks in pg_catalog before the search path, and only there for `pg_catalog.f`;
        # a function of another schema is known only if the history created it there.
        schema, _, name = function.rpartition(".")
        candidates = [] if schema == "pg_catalog" else context.history.volatilities(function, arguments)
        builtin = name if schema in ("", "pg_catalog") else None
        if builtin in NON_VOLATILE_BUILTINS:
            candidates.append("STABLE")
        elif builtin in VOLATILE_BUILTINS:
            candidates.append("VOLATILE")
        if not candidates:
            return f"{function}(), not known to be immutable or stable"
        if "VOLATILE" in candidates:
            return f"{function}()"
    return None


RULE = Rule(
    id="volatile-default",
    severity="warning",
    category="locking",
    summary="ADD COLUMN with a volatile default rewrites an existing table under an exclusive lock",
    hint="add the column without a default, then SET DEFAULT, and backfill old rows in batches",
    bad='ALTER TABLE "users" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid() NOT NULL;',
    good='ALTER TABLE "users" ADD COLUMN "public_id" uuid;\n'
    'ALTER TABLE "users" ALTER COLUMN "public_id" SET DEFAULT gen_random_uuid();',
    check=check,
    verbs=frozenset({"add_column"}),
)
