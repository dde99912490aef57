"""UPDATE and DELETE: which table, and whether a WHERE clause limits them.

They hide in more places than the statement's first word: a data-modifying WITH clause can delete
rows inside an INSERT or a SELECT. sqlglot's tree finds every one; when sqlglot could not parse the
statement, the words outside parentheses are read instead, and a data-modifying WITH query leaves
the statement unidentified (reported as unparseable) rather than guessed at.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from sqlglot import exp

from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.classify import with_body
from migrations_checks.lint.sql.words import Cursor, Word, top_level, unqualified

# The keyword of each data change these extractors report, and its verb.
_VERBS: dict[str, Verb] = {"UPDATE": "update", "DELETE": "delete"}


def data_changes(words: Sequence[Word], tree: exp.Expression | None) -> list[Action] | None:
    """Every UPDATE and DELETE the statement performs; None if an UPDATE/DELETE cannot be read."""
    if tree is not None and not isinstance(tree, exp.Command):
        found = [
            _from_node(node)
            for node in tree.find_all(exp.Update, exp.Delete)
            # A MERGE's own WHEN ... THEN UPDATE clauses are read by merge_changes.
            if isinstance(node, exp.Update | exp.Delete) and not isinstance(node.parent, exp.When)
        ]
        return None if None in found else [a for a in found if a is not None] or [Action("other")]
    return _from_words(words)


def _from_node(node: exp.Update | exp.Delete) -> Action | None:
    target = node.this
    if not isinstance(target, exp.Table) or not target.name:
        return None
    name = target.name if target.this.args.get("quoted") else target.name.lower()
    schema_node = target.args.get("db")
    schema = (target.db if schema_node.args.get("quoted") else target.db.lower()) if schema_node else ""
    table = unqualified(f"{schema}.{name}" if schema else name)
    verb: Verb = "update" if isinstance(node, exp.Update) else "delete"
    return Action(verb, table=table, has_where=node.args.get("where") is not None)


def _from_words(words: Sequence[Word]) -> list[Action] | None:
    # A data-modifying WITH query (`WITH d AS (DELETE FROM t ...)`) that sqlglot could not parse:
    # its scope cannot be read from words alone, so the statement stays unidentified.
    if any(word.upper in _VERBS and before.text == "(" for before, word in itertools.pairwise(words)):
        return None
    level = top_level(words)
    for index, word in enumerate(level):
        if word.upper in _VERBS and (index == 0 or level[index - 1].upper not in ("FOR", "ON")):
            cursor = Cursor(level, index + 1)
            if word.upper == "DELETE" and not cursor.accept("FROM"):
                return None
            cursor.accept("ONLY")
            name = cursor.name()
            if name is None:
                return None
            has_where = any(later.upper == "WHERE" for later in level[cursor.position :])
            return [Action(_VERBS[word.upper], table=unqualified(name), has_where=has_where)]
    return [Action("other")]


def merge_changes(words: Sequence[Word], tree: Callable[[], exp.Expression | None]) -> list[Action] | None:
    """[WITH ...] MERGE INTO target ... WHEN [NOT] MATCHED [BY SOURCE|TARGET] [AND ...] THEN
    UPDATE|DELETE|INSERT: an UPDATE or DELETE of the target for each such clause (`object_kind`
    MERGE), and whatever a data-modifying WITH query changes. The ON condition bounds a MATCHED
    clause like a WHERE; a NOT MATCHED BY SOURCE clause reaches every target row without a match,
    so only its own AND condition bounds it."""
    start = with_body(words) if words[0].upper == "WITH" else 0
    if start is None:
        return None
    cursor = Cursor(words, start + 1)
    if not cursor.accept("INTO"):
        return None
    cursor.accept("ONLY")
    name = cursor.name()
    if name is None:
        return None
    level = top_level(words[start:])
    actions = []
    when = None
    for index, word in enumerate(level):
        if word.upper == "WHEN":
            when = index
        elif word.upper == "THEN" and when is not None and index + 1 < len(level):
            verb = _VERBS.get(level[index + 1].upper)
            if verb is not None:
                clause = {w.upper for w in level[when:index]}
                bounded = "SOURCE" not in clause or "AND" in clause
                actions.append(Action(verb, table=unqualified(name), has_where=bounded, object_kind="MERGE"))
    if start:
        prefix = data_changes(words[:start], tree())
        if prefix is None:
            return None
        actions.extend(a for a in prefix if a.verb != "other")
    return actions or [Action("other")]
