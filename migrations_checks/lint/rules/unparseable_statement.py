"""unparseable-statement: a statement neither sqlglot nor the token classifier can identify.

A gate that skips what it cannot read passes exactly the statements nobody looked at. Anything the
linter cannot name (a typo, a dialect extension, dynamic SQL built at run time inside a DO block)
is an error, so a person reads it and either rewrites it or suppresses it with a reason. So is a
statement the linter failed on through a bug of its own: the message names the failure to report.
SQL that a DO block builds with `format()` from a constant template is read with its values filled
in (see sql/formatted.py). Where a name in it is known only at run time, only a grant or a query
passes, and only if what it does names nothing so chosen (`GRANT SELECT ON public.%I TO app` grants
to no one but `app`); anything else is reported by its kind.
"""

from collections.abc import Iterator

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.records.findings import code
from migrations_checks.lint.rules.rule import Hit, Rule
from migrations_checks.lint.statements import Statement


def check(statement: Statement, context: StatementContext) -> Iterator[Hit]:
    if statement.identified:
        return
    excerpt = " ".join(statement.text.split())[:80]
    if statement.failure:
        yield Hit(
            f"the linter failed reading this statement ({statement.failure}), a bug in deploy-gates to report; "
            f"review it by hand: {code(excerpt)}"
        )
    elif statement.dynamic and statement.kind:
        yield Hit(
            f"cannot examine dynamic SQL inside a DO block, {statement.kind} on a name chosen at run time: "
            f"{code(excerpt)}"
        )
    else:
        what = "dynamic SQL inside a DO block" if statement.dynamic else "this statement"
        yield Hit(f"cannot identify {what}: {code(excerpt)}")


RULE = Rule(
    id="unparseable-statement",
    severity="error",
    category="parse",
    summary="a statement the linter cannot identify is never passed unexamined",
    hint="check the statement for typos; if it is valid Postgres, suppress with a reason and review it by hand",
    bad="ALTER TABLE users FROBNICATE COLUMN x;",
    good="ALTER TABLE users ENABLE ROW LEVEL SECURITY;",
    check=check,
)
