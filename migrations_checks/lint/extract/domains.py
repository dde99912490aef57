"""CREATE DOMAIN and ALTER DOMAIN: the constraints each domain carries.

A domain's constraints are checked wherever a value of it is stored: adding a column of a
constrained domain rewrites the table, and adding a constraint to a domain checks every row of the
tables using it. The history follows them by name, as a later DROP CONSTRAINT names them.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations_checks.lint.extract.columns import is_null, normalize_type, type_words
from migrations_checks.lint.extract.types import moved_to_schema, renamed_to
from migrations_checks.lint.records.actions import NOT_NULL, UNNAMED, Action, named_not_null
from migrations_checks.lint.sql.words import Cursor, Word, top_level, unqualified


def create_domain(words: Sequence[Word]) -> list[Action] | None:
    """CREATE DOMAIN name [AS] type ..., with its type in `new_type` (a domain over another inherits
    its constraints and default), its own constraints in `values` (NOT_NULL for NOT NULL, UNNAMED for
    a CHECK without a name), and whether it has a default."""
    cursor = Cursor(words, 2)
    name = cursor.name()
    if name is None:
        return None
    cursor.accept("AS")
    base = normalize_type(type_words(cursor))
    clauses = top_level(cursor.rest())
    constraints = []
    for index, word in enumerate(clauses):
        if word.upper == "CHECK":
            named = index >= 2 and clauses[index - 2].upper == "CONSTRAINT"
            constraints.append(clauses[index - 1].name if named else UNNAMED)
        elif word.upper == "NULL" and index and clauses[index - 1].upper == "NOT":
            named = index >= 3 and clauses[index - 3].upper == "CONSTRAINT"
            constraints.append(named_not_null(clauses[index - 2].name) if named else NOT_NULL)
    default = _default(clauses)
    return [
        Action("create_domain", name=unqualified(name), values=tuple(constraints), new_type=base, has_default=default)
    ]


def _default(clauses: Sequence[Word]) -> bool:
    """Whether the clauses give a default other than NULL (Postgres stores none for it)."""
    for index, word in enumerate(clauses[:-1]):
        if word.upper == "DEFAULT":
            return not is_null(clauses[index + 1 : index + 2])
    return False


def alter_domain(words: Sequence[Word]) -> list[Action] | None:
    """ALTER DOMAIN name ...: what it does in `object_kind` (ADD, DROP, VALIDATE or RENAME CONSTRAINT
    of the constraints named in `values`; SET DEFAULT or DROP DEFAULT); renamed, a domain is a type
    renamed."""
    cursor = Cursor(words, 2)
    name = cursor.name()
    if name is None:
        return None
    domain = unqualified(name)

    def change(kind: str, *names: str | None, not_valid: bool = False) -> list[Action] | None:
        if None in names:
            return None
        values = tuple(name for name in names if name is not None)
        return [Action("alter_domain", name=domain, object_kind=kind, values=values, not_valid=not_valid)]

    if cursor.accept("SET", "NOT", "NULL"):
        return change("ADD", NOT_NULL)
    if cursor.accept("SET", "DEFAULT"):
        return change("DROP DEFAULT" if is_null(top_level(cursor.rest())) else "SET DEFAULT")
    if cursor.accept("DROP", "DEFAULT"):
        return change("DROP DEFAULT")
    if cursor.accept("DROP", "NOT", "NULL"):
        return change("DROP", NOT_NULL)
    if cursor.accept("ADD"):
        constraint = (cursor.name() or UNNAMED) if cursor.accept("CONSTRAINT") else UNNAMED
        if cursor.accept("NOT", "NULL"):  # Postgres 17's spelling of SET NOT NULL, which may name it
            return change("ADD", NOT_NULL if constraint == UNNAMED else named_not_null(constraint))
        if not cursor.accept("CHECK"):
            return None
        return change("ADD", constraint, not_valid=any(word.upper == "VALID" for word in top_level(cursor.rest())))
    for verb in ("DROP", "VALIDATE"):
        if cursor.accept(verb, "CONSTRAINT"):
            cursor.accept("IF", "EXISTS")
            return change(verb, cursor.name())
    if cursor.accept("RENAME", "CONSTRAINT"):
        old = cursor.name()
        return change("RENAME CONSTRAINT", old, cursor.name() if cursor.accept("TO") else None)
    if cursor.accept("RENAME", "TO"):
        return renamed_to("rename_type", domain, cursor)
    if cursor.accept("SET", "SCHEMA"):
        return moved_to_schema(domain, cursor)
    return [Action("other", name=domain)]
