"""Which drops rely on a `-- gates: deprecate ...` marker, and in which migration that marker is.

The linter lets a drop through (as info) when an earlier migration deprecated the object. Two
checks need to know that link itself: production's staged rule (the deprecating migration must
already be applied there) and the pull-request review (the deprecation and its drop must not
arrive together, or the release that stops using the object is never deployed on its own).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from msgspec import Struct

from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.statements import read_statements
from migrations_checks.lint.suppressions import deprecated_in, deprecations

_DROPS = ("drop_table", "drop_column")


class ReliedDeprecation(Struct, frozen=True):
    """A drop in `migration` that is allowed because `deprecated_in` deprecated the object first."""

    migration: str
    deprecated_in: str
    target: str  # `table` or `table.column`
    line: int  # the drop statement's line in `migration`


def relied_deprecations(files: Sequence[MigrationFile], tags: Collection[str]) -> list[ReliedDeprecation]:
    """The deprecations that drops in the migrations tagged `tags` rely on, walking the history in order."""
    deprecated: dict[tuple[str, str | None], str] = {}
    relied = []
    for migration in files:
        statements = read_statements(migration)
        if migration.tag in tags:
            for statement in statements.statements:
                for action in (a for a in statement.actions if a.verb in _DROPS):
                    key = (action.table or "", action.column if action.verb == "drop_column" else None)
                    deprecating = deprecated_in(deprecated, *key)
                    if deprecating is not None:
                        target = ".".join(part for part in key if part)
                        relied.append(ReliedDeprecation(migration.tag, deprecating, target, statement.line))
        for deprecation in deprecations(statements.comments):
            deprecated.setdefault((deprecation.table, deprecation.column), migration.tag)
    return relied
