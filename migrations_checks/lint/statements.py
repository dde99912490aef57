"""Turn a migration file into statements the rules can check.

Each statement is split out with its exact position, unwrapped from `DO` blocks where it runs at
migration time, named by the token classifier and described as actions. sqlglot parses a statement
only when an extractor asks for its tree (the statements that may hide an UPDATE or DELETE); most
are read from their tokens alone, and parsing them anyway was a third of a lint's time. Coverage
says what identified each statement: `parsed` when sqlglot's tree did, `classified` when the
classifier and the extractors did from the tokens, `opaque` when nothing did; the
`unparseable-statement` rule reports those, so nothing passes unexamined.

A statement the linter itself fails on (an exception in its own code: a bug) is opaque too, with
the failure named, so a bug fails the statement it met, never the whole run or silently.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from msgspec import Struct
from msgspec.structs import astuple, replace

from migrations_checks.lint.extract import describe
from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.records.actions import Action
from migrations_checks.lint.sql.classify import classify
from migrations_checks.lint.sql.comments import Comment
from migrations_checks.lint.sql.do_blocks import is_do_block, unwrap_do_block
from migrations_checks.lint.sql.features import features_of, features_of_plpgsql
from migrations_checks.lint.sql.formatted import RUNTIME_NAME
from migrations_checks.lint.sql.splitter import Chunk, inner_comments, split_sql, trailing_comments
from migrations_checks.lint.sql.version_guards import Guard

if TYPE_CHECKING:
    from sqlglot import exp

_local = threading.local()

CoverageKind = Literal["parsed", "classified", "opaque"]
# The commands format() may build with a name known only at run time and still be judged: whatever
# the name, a grant changes no table and a query reads one. In any other, a name may stand where a
# keyword goes (format('%I', 'set') writes `set`) and make it another command.
_RUNTIME_NAMES_HARMLESS = frozenset({"GRANT", "REVOKE", "ALTER DEFAULT PRIVILEGES", "SELECT"})


class Statement(Struct, frozen=True):
    """One statement of a migration: where it is, how it was identified and what it does."""

    file: MigrationFile
    text: str
    start: int  # offset in the file
    line: int
    column: int
    comments_above: tuple[Comment, ...]  # comments between the previous statement and this one
    literals: frozenset[str]  # the string constants it contains, e.g. enum values it uses
    features: frozenset[str]  # version-dependent features it uses (see sql/features.py)
    kind: str | None  # the Postgres command, e.g. "ALTER TABLE"; None if unknown
    actions: tuple[Action, ...]
    coverage: CoverageKind
    do_block: Statement | None = None  # the DO statement this one runs inside
    piece: int = 0  # which piece between breakpoints holds it, i.e. which query drizzle-orm sends
    dynamic: bool = False  # SQL built at run time (EXECUTE in a DO block): it cannot be examined
    failure: str | None = None  # the linter's own error reading it (a bug), when it met one
    guard: Guard = Guard()  # what version guards of its DO blocks say of it

    @property
    def identified(self) -> bool:
        return self.coverage != "opaque"


class FileStatements(Struct, frozen=True):
    """A migration file read into statements, with every comment in it."""

    file: MigrationFile
    statements: tuple[Statement, ...]  # in execution order, DO-block contents after their DO
    comments: tuple[Comment, ...]  # every comment, for file-level markers and stray directives


def read_statements(file: MigrationFile) -> FileStatements:
    try:
        return _read_statements(file)
    except Exception as error:  # a bug in splitting or unwrapping: the file is read as one opaque statement
        whole = Chunk(text=file.text, start=0, end=len(file.text), line=1, column=1, leading_comments=(), words=())
        return FileStatements(
            file=file, statements=(_opaque(file, whole, None, failure=describe_failure(error)),), comments=()
        )


def _read_statements(file: MigrationFile) -> FileStatements:
    source = file.text
    chunks = split_sql(source)
    statements: list[Statement] = []
    comments: list[Comment] = []
    for chunk in chunks:
        comments.extend(chunk.leading_comments)
        statement = _statement(file, chunk)
        if not is_do_block(chunk):
            statements.append(statement)
            comments.extend(inner_comments(source, chunk))
            continue
        block = unwrap_do_block(source, chunk)
        # A DO's one string constant is its body; the values it uses are those outside its statements,
        # and the features it uses outside them are those of its own PL/pgSQL, which it runs.
        features = statement.features | features_of_plpgsql(block.expressions)
        statement = replace(statement, literals=block.literals, features=features)
        statements.append(statement)
        comments.extend(block.comments)
        statements.extend(_statement(file, inner, do_block=statement) for inner in block.statements)
        statements.extend(_opaque(file, inner, statement, dynamic=True) for inner in block.dynamic)
    comments.extend(trailing_comments(source, chunks))
    return FileStatements(file=file, statements=tuple(statements), comments=tuple(comments))


def _statement(file: MigrationFile, chunk: Chunk, do_block: Statement | None = None) -> Statement:
    try:
        return _identified(file, chunk, do_block)
    except Exception as error:  # a bug in the words, classifier or extractors: this statement only
        return _opaque(file, chunk, do_block, failure=describe_failure(error))


def _identified(file: MigrationFile, chunk: Chunk, do_block: Statement | None) -> Statement:
    words = chunk.words
    tree = _LazyTree(chunk)
    kind = classify(words)
    actions = describe(kind, words, tree, plpgsql=chunk.plpgsql) if kind and chunk.lexed else None
    literals = frozenset(word.text for word in words if word.kind == "string")
    if chunk.runtime_names and (kind not in _RUNTIME_NAMES_HARMLESS or actions is None or _acts_on_runtime(actions)):
        # What it acts on is chosen at run time: it stays unexamined, and reported, but by its kind.
        return replace(_opaque(file, chunk, do_block, dynamic=True), kind=kind)
    if actions is None:
        coverage: CoverageKind = "opaque"
    elif tree.read:
        coverage = "parsed"
    else:
        coverage = "classified"
    return Statement(
        **_located(file, chunk, do_block),
        literals=literals,
        features=features_of(kind, words, actions or ()),
        kind=kind,
        actions=tuple(actions or ()),
        coverage=coverage,
    )


def _opaque(
    file: MigrationFile, chunk: Chunk, do_block: Statement | None, *, dynamic: bool = False, failure: str | None = None
) -> Statement:
    return Statement(
        **_located(file, chunk, do_block),
        literals=frozenset(),
        features=frozenset(),
        kind=None,
        actions=(),
        coverage="opaque",
        dynamic=dynamic,
        failure=failure,
    )


def _acts_on_runtime(actions: Sequence[Action]) -> bool:
    """Whether an action names something that format() names only at run time (RUNTIME_NAME): a
    grant to such a role may be a grant to PUBLIC."""
    return any(RUNTIME_NAME in text for action in actions for text in _texts(astuple(action)))


def _texts(value: object) -> Iterator[str]:
    """The strings in a value, at any depth of tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)


def describe_failure(error: Exception) -> str:
    """The exception and the line of the linter that raised it, for the report of a bug."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"


def _located(file: MigrationFile, chunk: Chunk, do_block: Statement | None) -> dict[str, Any]:
    """Where a statement stands: the fields every statement has, whatever could be read of it."""
    return {
        "file": file,
        "text": chunk.text,
        "start": chunk.start,
        "line": chunk.line,
        "column": chunk.column,
        "comments_above": chunk.leading_comments,
        "do_block": do_block,
        "piece": chunk.piece if do_block is None else do_block.piece,
        "guard": chunk.guard,
    }


class _LazyTree:
    """A statement's sqlglot tree, parsed the first time an extractor asks for it."""

    def __init__(self, chunk: Chunk) -> None:
        self._chunk = chunk
        self._tree: exp.Expression | None = None
        self._parsed = False

    def __call__(self) -> exp.Expression | None:
        if not self._parsed:
            self._tree, self._parsed = _parse(self._chunk.text), True
        return self._tree

    @property
    def read(self) -> bool:
        """Whether an extractor asked for the tree and got one."""
        return self._tree is not None


def _parse(sql: str) -> exp.Expression | None:
    # Imported here: sqlglot takes a fifth of a second to import, and most lints parse nothing.
    import logging

    from sqlglot import exp
    from sqlglot.dialects.postgres import Postgres

    if not sql.strip():
        return None
    dialect = getattr(_local, "dialect", None)
    if dialect is None:
        # sqlglot logs a warning for every statement it hands back as a Command; that is expected here.
        logging.getLogger("sqlglot").setLevel(logging.ERROR)
        # Reused per thread: building a tokenizer and a parser costs about as much as parsing a statement.
        dialect = _local.dialect = (Postgres.Tokenizer(), Postgres().parser())
    tokenizer, parser = dialect
    try:
        trees = parser.parse(tokenizer.tokenize(sql), sql)
    except Exception:
        return None
    tree = trees[0] if len(trees) == 1 else None
    return tree if isinstance(tree, exp.Expression) and not isinstance(tree, exp.Command) else None
