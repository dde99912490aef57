"""UPDATE and DELETE: which table, and whether a WHERE clause limits them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from migrations_checks.actions import Action
from migrations_checks.sql.words import Cursor, Word, top_level, unqualified


def data_change(kind: str, words: Sequence[Word], tree: exp.Expression | None) -> list[Action] | None:
    """The UPDATE or DELETE a statement performs (also behind a WITH clause)."""
    if isinstance(tree, exp.Update | exp.Delete):
        return _from_tree(tree)
    return _from_words(words)


def _from_tree(tree: exp.Update | exp.Delete) -> list[Action] | None:
    target = tree.this
    if not isinstance(target, exp.Table) or not target.name:
        return None
    name = target.name if target.this.args.get("quoted") else target.name.lower()
    schema = target.db.lower() if target.db and not target.args["db"].args.get("quoted") else target.db
    table = unqualified(f"{schema}.{name}" if schema else name)
    verb = "update" if isinstance(tree, exp.Update) else "delete"
    return [Action(verb, table=table, has_where=tree.args.get("where") is not None)]


def _from_words(words: Sequence[Word]) -> list[Action] | None:
    level = top_level(words)
    for index, word in enumerate(level):
        if word.upper in ("UPDATE", "DELETE"):
            cursor = Cursor(level, index + 1)
            if word.upper == "DELETE" and not cursor.accept("FROM"):
                return None
            cursor.accept("ONLY")
            name = cursor.name()
            if name is None:
                return None
            has_where = any(later.upper == "WHERE" for later in level[cursor.position :])
            return [Action("update" if word.upper == "UPDATE" else "delete",
                           table=unqualified(name), has_where=has_where)]
    return None
