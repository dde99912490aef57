"""UPDATE and DELETE read from sqlglot's tree of a statement, wherever they hide in it (a
data-modifying WITH clause inside an INSERT or a SELECT, too)."""

from __future__ import annotations

from sqlglot import exp

from migrations_checks.lint.extract.dml import always_true
from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.words import unqualified


def tree_changes(tree: exp.Expression) -> list[Action] | None:
    """Every UPDATE and DELETE in ``tree``; None if the target of one cannot be read."""
    found = [
        _from_node(node)
        for node in tree.find_all(exp.Update, exp.Delete)
        # A MERGE's own WHEN ... THEN UPDATE clauses are read by merge_changes.
        if isinstance(node, exp.Update | exp.Delete) and not isinstance(node.parent, exp.When)
    ]
    return None if None in found else [a for a in found if a is not None] or [Action("other")]


def _from_node(node: exp.Update | exp.Delete) -> Action | None:
    target = node.this
    if not isinstance(target, exp.Table) or not target.name:
        return None
    name = target.name if target.this.args.get("quoted") else target.name.lower()
    schema_node = target.args.get("db")
    schema = (target.db if schema_node.args.get("quoted") else target.db.lower()) if schema_node else ""
    table = unqualified(f"{schema}.{name}" if schema else name)
    verb: Verb = "update" if isinstance(node, exp.Update) else "delete"
    return Action(verb, table=table, has_where=_bounded(node.args.get("where")))


def _bounded(where: exp.Where | None) -> bool:
    """Whether the WHERE clause limits the rows, judged from its words as an unparsed statement's is."""
    return where is not None and not always_true(tokenize(where.this.sql(dialect="postgres"))[0])
