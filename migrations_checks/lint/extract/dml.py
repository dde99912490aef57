"""UPDATE and DELETE: which table, and whether a WHERE clause limits them.

They hide in more places than the statement's first word: a data-modifying WITH clause can delete
rows inside an INSERT or a SELECT. sqlglot's tree finds every one. When sqlglot could not parse the
statement, its words are read instead: the statement's own UPDATE or DELETE, and each one that
opens a parenthesis (a data-modifying WITH query), each bounded by a WHERE at its own level. A
column or alias named `update`, and `FOR UPDATE` or `ON CONFLICT DO UPDATE`, start no change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from migrations_checks.lint.records.actions import Action, Verb
from migrations_checks.lint.sql.classify import with_body
from migrations_checks.lint.sql.words import Cursor, Word, top_level, unqualified

if TYPE_CHECKING:
    from sqlglot import exp

# The keyword of each data change these extractors report, and its verb.
_VERBS: dict[str, Verb] = {"UPDATE": "update", "DELETE": "delete"}
# A statement's sqlglot tree, built only when called: most statements are read from words alone.
# None when sqlglot cannot parse it, or parses it only as an opaque `Command`.
Tree = Callable[[], "exp.Expression | None"]


def data_changes(words: Sequence[Word], tree: Tree) -> list[Action] | None:
    """Every UPDATE and DELETE the statement performs; None if an UPDATE/DELETE cannot be read."""
    if not any(word.upper in _VERBS for word in words):
        # Without the keyword there is no UPDATE or DELETE in any tree of it: nothing to parse.
        return [Action("other")]
    parsed = tree()
    if parsed is not None:
        # Imported here: sqlglot takes a fifth of a second to import, and only a parsed statement needs it.
        from migrations_checks.lint.extract.tree_changes import tree_changes

        return tree_changes(parsed)
    return _from_words(words)


def _from_words(words: Sequence[Word]) -> list[Action] | None:
    """The changes of a statement sqlglot could not parse; None when its own cannot be read."""
    start = 0
    if words[0].upper == "WITH":
        body = with_body(words)
        if body is None:
            return None
        start = body
    actions = []
    if words[start].upper in _VERBS:
        own = _change(words, start)
        if own is None:
            return None
        actions.append(own)
    for index in range(1, len(words)):
        if words[index].upper in _VERBS and words[index - 1].is_symbol("("):
            # Anything else there (a column list naming `update`) is no statement, so changes nothing.
            nested = _change(words, index)
            if nested is not None:
                actions.append(nested)
    return actions or [Action("other")]


def _change(words: Sequence[Word], start: int) -> Action | None:
    """`DELETE FROM [ONLY] t ...` or `UPDATE [ONLY] t ... SET ...` at `start`, up to the parenthesis
    that closes it, if one is there."""
    level = top_level(words[start : _group_end(words, start)])
    verb = _VERBS[level[0].upper]
    cursor = Cursor(level, 1)
    if verb == "delete" and not cursor.accept("FROM"):
        return None
    cursor.accept("ONLY")
    name = cursor.name()
    rest = level[cursor.position :]
    if name is None or (verb == "update" and not any(word.upper == "SET" for word in rest)):
        return None
    return Action(verb, table=unqualified(name), has_where=_bounded(words[start : _group_end(words, start)]))


def _bounded(words: Sequence[Word]) -> bool:
    """Whether a WHERE at the top level of the statement `words` limits its rows: `WHERE true`,
    `WHERE 1 = 1` and their kin limit nothing."""
    depth = 0
    condition: list[Word] | None = None
    for word in words:
        if word.is_symbol("("):
            depth += 1
        elif word.is_symbol(")"):
            depth -= 1
        if condition is None:
            if depth == 0 and word.upper == "WHERE":
                condition = []
        elif depth == 0 and word.upper == "RETURNING":
            break
        else:
            condition.append(word)
    return condition is not None and not always_true(condition)


def always_true(condition: Sequence[Word]) -> bool:
    """`true`, `NOT false`, or a constant compared with itself (`1 = 1`, `'a' = 'a'`), in parentheses
    or not: a condition that lets every row through."""
    while len(condition) > 2 and condition[0].is_symbol("(") and condition[-1].is_symbol(")"):
        condition = condition[1:-1]
    spelled = [word.upper for word in condition]  # empty for all but bare words
    if spelled in (["TRUE"], ["NOT", "FALSE"]):
        return True
    return (
        len(condition) == 3
        and condition[1].is_symbol("=")
        and condition[0].kind in ("number", "string")
        and (condition[0].kind, condition[0].text) == (condition[2].kind, condition[2].text)
    )


def _group_end(words: Sequence[Word], start: int) -> int:
    """Where the parenthesis around `words[start]` closes; the end of the words if none does."""
    depth = 0
    for index in range(start, len(words)):
        if words[index].is_symbol("("):
            depth += 1
        elif words[index].is_symbol(")"):
            if depth == 0:
                return index
            depth -= 1
    return len(words)


def merge_changes(words: Sequence[Word], tree: Tree) -> list[Action] | None:
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
    # `ON true` and its kin match every target row: the MATCHED clauses are then bounded by nothing.
    on = next((index for index, word in enumerate(words) if word.upper == "ON"), None)
    first_when = next((index for index, word in enumerate(words) if word.upper == "WHEN"), len(words))
    matches_all = on is not None and always_true(words[on + 1 : first_when])
    actions = []
    when = None
    for index, word in enumerate(level):
        if word.upper == "WHEN":
            when = index
        elif word.upper == "THEN" and when is not None and index + 1 < len(level):
            verb = _VERBS.get(level[index + 1].upper)
            if verb is not None:
                clause = {w.upper for w in level[when:index]}
                bounded = ("SOURCE" not in clause and not matches_all) or "AND" in clause
                # BY SOURCE: the target rows no source row matches, which may be all of them.
                merge = "MERGE BY SOURCE" if "SOURCE" in clause else "MERGE"
                actions.append(Action(verb, table=unqualified(name), has_where=bounded, object_kind=merge))
    if start:
        prefix = data_changes(words[:start], tree)
        if prefix is None:
            return None
        actions.extend(a for a in prefix if a.verb != "other")
    return actions or [Action("other")]
