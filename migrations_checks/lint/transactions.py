"""Which transaction block each statement runs in, as Postgres and drizzle-orm behave.

drizzle-orm sends each piece of a file between breakpoints as one simple query. Postgres runs a
query holding several statements as an implicit transaction block, so `CREATE INDEX CONCURRENTLY
...; SELECT 1` fails as one piece even with no transaction around it. The runner's own transaction
(Drizzle wraps every pending file in one) lasts until a `COMMIT`, `END` or `ROLLBACK` ends it; the
pieces after that run in autocommit, each on its own, until a `BEGIN` opens a block again. A DO
block's body always runs within the transaction of its DO statement.

Which files are pending together depends on the database: a later file may be deployed after the
earlier ones were applied, so it may be the first the runner's transaction holds. A file that
starts where an earlier one left autocommit is therefore judged in a new runner's transaction, the
case that holds more hazards: its statements run there whenever it is deployed on its own.

The rules ask this model two things: the block a statement runs inside (for the rules that refuse
one), and the other statements of the same transaction (for the rules about what one transaction
holds: a new enum value used, a NOT VALID constraint validated under the same lock).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import overload

from migrations_checks.lint.statements import FileStatements, Statement

RUNNER_TRANSACTION = "the migration transaction"
WRITTEN_TRANSACTION = "the transaction block the file opens with BEGIN"
SHARED_PIECE = "the implicit transaction of a query shared with other statements (no breakpoint between them)"
DO_BLOCK = "a DO block"


class Span(Sequence[Statement]):
    """Part of a list of statements, without copying it: slicing a whole batch for every statement
    would make a long history quadratic."""

    def __init__(self, statements: Sequence[Statement], start: int, stop: int | None = None) -> None:
        self._statements = statements
        self._start = start
        self._stop = len(statements) if stop is None else stop
        # Whether a rule looked at it: a result that did depends on these statements (the cache
        # keys such a file's result by the other files of its transaction too).
        self.read = False

    def __len__(self) -> int:
        self.read = True
        return max(0, self._stop - self._start)

    @overload
    def __getitem__(self, index: int) -> Statement: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Statement]: ...
    def __getitem__(self, index: int | slice) -> Statement | Sequence[Statement]:
        self.read = True
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._statements[self._start + index % len(self)]

    def __iter__(self) -> Iterator[Statement]:
        self.read = True
        return itertools.islice(self._statements, self._start, self._stop)


def applied_models(files: Sequence[FileStatements], runner_wraps: bool, one_connection: bool) -> list[TransactionModel]:
    """The model each of `files` is applied under, in order. drizzle-orm applies every pending file
    of a journal on one connection (`one_connection`), so they share one model; loose files are
    applied one each."""
    start = runner_start(runner_wraps)
    if one_connection:
        shared = TransactionModel([s for f in files for s in f.statements], start)
        return [shared] * len(files)
    return [TransactionModel(f.statements, start, shared=False) for f in files]


def runner_start(runner_wraps: bool) -> str | None:
    """The block open before the first statement: the runner's transaction, if it opens one
    (Drizzle's migrator does; `--no-transaction` runners do not)."""
    return RUNNER_TRANSACTION if runner_wraps else None


def file_start(left_open: str | None, runner_wraps: bool) -> str | None:
    """The block a file of a connection's several starts in, from the one the earlier files left
    open: where they left autocommit, the runner's transaction, which holds the file whenever it
    is deployed on its own (see the module's docstring)."""
    return left_open if left_open is not None else runner_start(runner_wraps)


class TransactionModel:
    """The transactions of statements applied in order on one connection.

    `start`: the block open before the first statement (see `runner_start`). When the statements
    are one file of a connection's several, `start` is the block the earlier files left open.
    `shared`: other files may run on the same connection (a journal's pending files do; loose
    files are applied one each).
    """

    def __init__(self, statements: Sequence[Statement], start: str | None, shared: bool = True) -> None:
        self._block: dict[int, str | None] = {}
        self._members: dict[int, tuple[list[Statement], int]] = {}  # id(statement) -> (its transaction, index)
        self._open_after: dict[int, str | None] = {}  # id(statement) -> the block open once it ran
        self._first: list[Statement] = []  # the transaction open at the start
        self._last: list[Statement] = []  # the transaction open at the end
        self._start = start
        self._shared = shared
        self._place(statements, start)

    def open_after(self, statements: Sequence[Statement], before: str | None) -> str | None:
        """The block still open once `statements` (a file's, in this model) have run; `before`, the
        block open before them, if none of them is a top-level statement."""
        for statement in reversed(statements):
            if id(statement) in self._open_after:
                return self._open_after[id(statement)]
        return before

    def reaches_other_files(self, statement: Statement) -> tuple[bool, bool]:
        """Whether the statement's transaction holds statements of earlier files, or may (it was
        open before the first statement, so an earlier file reported too would run in it), and the
        same of later files (it is still open after the last statement): a rule that reads them
        makes the statement's result depend on those files."""
        members, _ = self._members[id(statement)]
        earlier = members[0].file is not statement.file or (
            members is self._first and self._start is not None and self._shared
        )
        later = members[-1].file is not statement.file or (members is self._last and self._shared)
        return earlier, later

    def block(self, statement: Statement) -> str | None:
        """The transaction block the statement runs inside, said for a message; None: autocommit."""
        return self._block[id(statement)]

    def later_in_transaction(self, statement: Statement) -> Span:
        members, index = self._members[id(statement)]
        return Span(members, index + 1)

    def earlier_in_transaction(self, statement: Statement) -> Span:
        members, index = self._members[id(statement)]
        return Span(members, 0, index)

    def _place(self, statements: Sequence[Statement], start: str | None) -> None:
        per_piece: dict[tuple[int, int], int] = {}
        for statement in statements:
            if statement.do_block is None:
                key = (id(statement.file), statement.piece)
                per_piece[key] = per_piece.get(key, 0) + 1
        open_block = start
        current: list[Statement] = self._first
        implicit_piece: tuple[int, int] | None = None  # the piece whose implicit block `current` is
        file = statements[0].file if statements else None
        for statement in statements:
            if statement.do_block is not None:
                members, _ = self._members[id(statement.do_block)]
                self._join(statement, members, DO_BLOCK)
                continue
            if statement.file is not file:
                file = statement.file
                if open_block is None and self._start is not None:
                    open_block, current, implicit_piece = self._start, [], None
            piece = (id(statement.file), statement.piece)
            if open_block is not None:
                self._join(statement, current, open_block)
            elif per_piece[piece] > 1:
                if implicit_piece != piece:
                    current, implicit_piece = [], piece
                self._join(statement, current, SHARED_PIECE)
            else:
                current, implicit_piece = [], None
                self._join(statement, current, None)
            effect = _effect(statement)
            if effect == "begins" and open_block is None:
                open_block = WRITTEN_TRANSACTION
            elif effect == "ends":
                # The rest of a shared piece runs in a new implicit block; a piece on its own, in autocommit.
                open_block, current, implicit_piece = None, [], None
            elif effect == "chains":
                current = []  # the same kind of block goes on, but as a new transaction
            self._open_after[id(statement)] = open_block
        if open_block is not None:
            self._last = current

    def _join(self, statement: Statement, members: list[Statement], block: str | None) -> None:
        self._members[id(statement)] = (members, len(members))
        members.append(statement)
        self._block[id(statement)] = block


def _effect(statement: Statement) -> str | None:
    """`begins` or `ends` for BEGIN and COMMIT (and their kin), `chains` for COMMIT AND CHAIN (and
    ROLLBACK AND CHAIN), which ends one transaction and opens the next at once; None for anything else."""
    for action in statement.actions:
        if action.verb == "transaction_control":
            return action.object_kind
    return None
