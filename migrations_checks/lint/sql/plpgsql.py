"""A reader of PL/pgSQL block bodies: which of their statements are SQL that runs.

The body is read just deeply enough to tell which statements are SQL that runs:

- statements inside ``BEGIN ... END`` blocks (nested too), exception handlers, IF/ELSIF/ELSE and
  CASE branches and LOOP/WHILE/FOR/FOREACH bodies are returned as statements;
- PL/pgSQL's own statements are skipped: DECLARE sections, conditions, assignments, ``NULL``,
  ``RAISE``, ``RETURN``, ``EXIT``, ``CONTINUE``, ``ASSERT``, ``GET DIAGNOSTICS`` and the cursor
  statements ``FETCH``/``MOVE``/``CLOSE``; the string constants of conditions, declarations and
  assignments are kept as the block's ``literals`` (a value the block uses);
- ``OPEN`` runs its cursor's query: ``OPEN c FOR query`` and a cursor declared ``CURSOR FOR
  query`` give that query as a statement, ``OPEN c FOR EXECUTE`` is read like ``EXECUTE``, and a
  cursor whose query is out of sight goes to ``dynamic``;
- ``PERFORM expr`` is returned as written, starting at ``PERFORM`` (a SELECT that discards its
  rows), and the query of ``FOR rec IN <query> LOOP`` as a statement of its own;
- ``EXECUTE`` of a constant string (string literals joined with ``||``) is unwrapped and the SQL in
  the string is returned as statements, and so is ``EXECUTE format(constant, ...)`` with its values
  filled in where they are constants (a name known only at run time marks its statements
  ``runtime_names``); ``EXECUTE`` of anything else cannot be examined and goes to ``dynamic``,
  which the linter reports.

A ``DO`` inside the body and the SQL of a constant ``EXECUTE`` are handed to the DO-block unwrapper
(``do_blocks``), which reads them in turn: it gives the reader its two unwrap functions, since DO
in EXECUTE in DO nests both ways. Every comment in the body is returned too. A body the reader
cannot follow raises ``Unreadable``.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec import Struct, field
from msgspec.structs import replace

from migrations_checks.lint.sql.comments import Comment, comment_spans, comments_at
from migrations_checks.lint.sql.formatted import formatted_sql, is_runtime_name
from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.literals import constant_sql
from migrations_checks.lint.sql.positions import Offsets, compose, sub_offsets
from migrations_checks.lint.sql.splitter import Chunk, make_chunk
from migrations_checks.lint.sql.tokens import statement_end
from migrations_checks.lint.sql.version_guards import UNGUARDED, Guard, guarded_majors
from migrations_checks.lint.sql.words import Word, starts_with_do

# How deep blocks, branches, loops and DO-in-EXECUTE-in-DO may nest, all counted together: far
# beyond any migration, and it keeps the recursion well inside Python's limit.
MAX_NESTING = 60

_OPENERS = frozenset({"(", "["})
_CLOSERS = frozenset({")", "]"})
_CONTROL = frozenset({"NULL", "RAISE", "RETURN", "EXIT", "CONTINUE", "ASSERT", "GET", "FETCH", "MOVE", "CLOSE"})
_QUERIES = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE"})
_BRANCH_ENDS = ("ELSIF", "ELSEIF", "ELSE", "END")


class Found(Struct):
    """What unwrapping has found so far, in order."""

    statements: list[Chunk] = field(default_factory=list)
    dynamic: list[Chunk] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    literals: set[str] = field(default_factory=set)
    # The words of PL/pgSQL's own statements (conditions, declarations, assignments, RETURN...), a
    # run per statement or part of one: Postgres parses their expressions when it compiles the block.
    # Each with what version guards say of it (see Chunk.guard).
    expressions: list[tuple[list[Word], Guard]] = field(default_factory=list)

    def add(self, other: Found) -> None:
        self.statements.extend(other.statements)
        self.dynamic.extend(other.dynamic)
        self.comments.extend(other.comments)
        self.literals.update(other.literals)
        self.expressions.extend(other.expressions)


# Unwraps the text of a DO statement, or plain SQL, placed in the file by the offsets, at a depth:
# `(source, text, offsets, depth)`.
Unwrap = Callable[[str, str, Offsets, int], Found]


class Unreadable(Exception):
    """The body is not PL/pgSQL that this reader can follow."""


class BodyReader:
    """A recursive-descent reader of a PL/pgSQL block over the words of the body."""

    def __init__(
        self, source: str, text: str, offsets: Offsets, depth: int, *, unwrap_do: Unwrap, unwrap_sql: Unwrap
    ) -> None:
        tokens, ok = tokenize(text)
        if not ok:
            raise Unreadable  # the block goes to `dynamic`: reported, never passed unread
        self.source = source
        self.text = text
        self.offsets = offsets
        self.tokens = tokens  # body-relative; a chunk's words are placed in the file when it is made
        self.count = len(tokens)
        # Each token's symbol ("" for any other) and keyword spelling, looked up at every step.
        self.symbols = [token.text if token.kind == "symbol" else "" for token in tokens]
        self.words = [token.upper for token in tokens]
        self.nesting = depth
        self.unwrap_do = unwrap_do
        self.unwrap_sql = unwrap_sql
        self.found = Found(comments=self._comments())
        # Token ranges read elsewhere: statements, run-time SQL, nested blocks, RAISE messages.
        self.elsewhere: list[tuple[int, int]] = []
        self.cursor_queries: dict[str, tuple[int, int]] = {}  # bound cursor -> token span of its query
        self.opened: set[str] = set()  # bound cursors whose query is already a statement
        # This body's own statements and PL/pgSQL, not a nested block's or what an EXECUTE runs.
        self.own_statements: list[Chunk] = []
        self.own_expressions: list[tuple[list[Word], Guard]] = []
        # The major version the branch being read runs on at least (see version_guards), and the
        # token spans of the guarded branches read.
        self.runs_from = 0
        self.guarded: list[tuple[int, int, int]] = []

    def parse(self) -> Found:
        index = 0
        # Compiler options (`#variable_conflict use_column`, `#print_strict_params on`) come first.
        while index + 2 < self.count and self.symbols[index] == "#":
            index += 3
        index = self._block(index)
        if index < self.count and self.symbols[index] == ";":
            index += 1
        if index != self.count:
            raise Unreadable
        self._read_own_words()
        return self.found

    def _read_own_words(self) -> None:
        """The body's own words, those no statement, EXECUTE or nested block took: its string
        constants are values the block uses, and its runs between `;` and what was taken elsewhere
        are PL/pgSQL's own statements."""
        read_elsewhere = [False] * self.count
        for start, end in self.elsewhere:
            read_elsewhere[start:end] = [True] * (end - start)
        runs: list[list[Word]] = []
        run: list[Word] = []
        for token, elsewhere in zip(self.tokens, read_elsewhere, strict=True):
            if elsewhere:
                if run:
                    runs.append(run)
                    run = []
                continue
            if token.kind == "string":
                self.found.literals.add(token.text)
            run.append(token)
            if token.kind == "symbol" and token.text == ";":
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        self.own_expressions.extend(self._guarded_runs(runs) if self.guarded else [(run, UNGUARDED) for run in runs])
        self.found.expressions.extend(self.own_expressions)

    def _guarded_runs(self, runs: list[list[Word]]) -> list[tuple[list[Word], Guard]]:
        """The runs, cut where a version guard's branch starts or ends, each with its branch's guard."""
        floors = [0] * self.count
        for start, end, major in self.guarded:
            floors[start:end] = [max(floor, major) for floor in floors[start:end]]
        floor_at = {token.start: floor for token, floor in zip(self.tokens, floors, strict=True)}
        guarded: list[tuple[list[Word], Guard]] = []
        for run in runs:
            part = [run[0]]
            for word in run[1:]:
                if floor_at[word.start] != floor_at[part[0].start]:
                    guarded.append((part, Guard(floor_at[part[0].start])))
                    part = []
                part.append(word)
            guarded.append((part, Guard(floor_at[part[0].start])))
        return guarded

    def _comments(self) -> list[Comment]:
        """Every comment between the body's tokens (most bodies have none)."""
        if "--" not in self.text and "/*" not in self.text:
            return []
        edges = [0, *(edge for token in self.tokens for edge in (token.start, token.end)), len(self.text)]
        spans = [
            span
            for gap_start, gap_end in zip(edges[::2], edges[1::2], strict=True)
            for span in comment_spans(self.text, gap_start, gap_end, breakpoints=False)
        ]
        return list(comments_at(self.source, self.text, self.offsets, spans))

    # -- token access ------------------------------------------------------------------------

    def _at(self, index: int) -> str:
        return self.words[index] if index < self.count else ""

    def _expect(self, index: int, word: str) -> int:
        if self._at(index) != word:
            raise Unreadable
        return index + 1

    def _semicolon(self, index: int) -> int:
        if index >= self.count or self.symbols[index] != ";":
            raise Unreadable
        return index + 1

    def _is_label(self, index: int) -> bool:
        # ``<<name>>``: the server's lexer reads ``<<`` and ``>>`` as one operator each.
        return self.symbols[index : index + 3 : 2] == ["<<", ">>"]

    def _optional_label(self, index: int) -> int:
        # Labels are any name, keywords included (``<<outer>>``); ``;`` has no word.
        if index < self.count and self.tokens[index].kind in ("word", "quoted"):
            return index + 1
        return index

    def _until(self, index: int, targets: tuple[str, ...]) -> int:
        """Index of the first of ``targets`` outside parentheses and CASE expressions."""
        depth = 0
        cases = 0
        while index < self.count:
            symbol = self.symbols[index]
            if symbol in _OPENERS:
                depth += 1
            elif symbol in _CLOSERS:
                depth = max(depth - 1, 0)
            elif not depth:
                word = self.words[index]
                if word == "CASE":
                    cases += 1
                elif word == "END" and cases:
                    cases -= 1
                elif not cases and word in targets:
                    return index
                elif symbol == ";":
                    raise Unreadable
            index += 1
        raise Unreadable

    def _end(self, index: int) -> int:
        """Index of the ``;`` ending the statement at ``index``."""
        end = statement_end(self.tokens, index)
        if end >= self.count:
            raise Unreadable
        return end

    # -- structure ---------------------------------------------------------------------------

    def _block(self, index: int) -> int:
        if self._is_label(index):
            index += 3
        if self._at(index) == "DECLARE":
            index = self._declarations(index + 1)
        index = self._statements(self._expect(index, "BEGIN"), ("END", "EXCEPTION"))
        if self._at(index) == "EXCEPTION":
            index += 1
            if self._at(index) != "WHEN":
                raise Unreadable
            while self._at(index) == "WHEN":
                index = self._until(index + 1, ("THEN",)) + 1
                index = self._statements(index, ("WHEN", "END"))
        return self._optional_label(self._expect(index, "END"))

    def _declarations(self, index: int) -> int:
        """Skip the DECLARE section up to its BEGIN, noting each bound cursor's query
        (`name [[NO] SCROLL] CURSOR [(arguments)] FOR|IS query;`), which runs when it is opened."""
        start = index
        while self._at(index) != "BEGIN":
            if index >= self.count:
                raise Unreadable
            if self.symbols[index] == ";":
                self._note_cursor(start, index)
                start = index + 1
            index += 1
        return index

    def _note_cursor(self, start: int, end: int) -> None:
        words = self.words[start:end]
        if "CURSOR" not in words[1:4]:
            return
        for position in range(start + 1, end):
            if self.words[position] in ("FOR", "IS") and self._at(position + 1) in _QUERIES:
                name = self.tokens[start].text.lower()
                self.cursor_queries[name] = (position + 1, end)
                return

    def _statements(self, index: int, stops: tuple[str, ...]) -> int:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise Unreadable
        while self._at(index) not in stops:
            if index >= self.count:
                raise Unreadable
            index = self._statement(index)
        self.nesting -= 1
        return index

    def _statement(self, index: int) -> int:
        word = self.words[index]
        if self.symbols[index] == ";":
            return index + 1
        if self._is_label(index):
            return index + 3
        if word in ("DECLARE", "BEGIN"):
            return self._semicolon(self._block(index))
        if word == "IF":
            return self._if(index)
        if word == "CASE":
            return self._case(index)
        if word == "LOOP":
            return self._loop(index)
        if word in ("WHILE", "FOREACH"):
            return self._loop(self._until(index + 1, ("LOOP",)))
        if word == "FOR":
            return self._for(index)
        end = self._end(index)
        if word == "RAISE":
            self.elsewhere.append((index, end))  # a message, not a use of a value
            self.own_expressions.append((self.tokens[index:end], Guard(self.runs_from)))  # its values are read
        if word == "EXECUTE":
            self._execute(index, end)
        elif word == "OPEN" and not self._is_assignment(index):  # `open` may also name a variable
            self._open(index, end)
        elif starts_with_do(self.tokens[index : index + 1]):
            start, stop = self.tokens[index].start, self.tokens[end - 1].end
            offsets = sub_offsets(self.offsets, start, stop - start)
            self._add_found(self.unwrap_do(self.source, self.text[start:stop], offsets, self.nesting + 1))
            self.elsewhere.append((index, end))
        elif word not in _CONTROL and not self._is_assignment(index):
            self._add_statement(index, end)
        return end + 1

    def _if(self, index: int) -> int:
        # Each branch runs where its condition holds and the earlier ones do not: a version guard's
        # condition tells what its own branch runs on, and what the later ones do.
        otherwise = 0
        while True:  # at IF, then at each ELSIF
            then = self._until(index + 1, ("THEN",))
            then_major, else_major = guarded_majors(self.tokens[index + 1 : then])
            index = self._branch(max(otherwise, then_major), then + 1, _BRANCH_ENDS)
            otherwise = max(otherwise, else_major)
            if self._at(index) not in ("ELSIF", "ELSEIF"):
                break
        if self._at(index) == "ELSE":
            index = self._branch(otherwise, index + 1, ("END",))
        return self._semicolon(self._expect(self._expect(index, "END"), "IF"))

    def _branch(self, major: int, index: int, stops: tuple[str, ...]) -> int:
        """The statements of a branch that runs only on Postgres `major` and later (0: any)."""
        outer = self.runs_from
        self.runs_from = max(outer, major)
        end = self._statements(index, stops)
        if self.runs_from:
            self.guarded.append((index, end, self.runs_from))
        self.runs_from = outer
        return end

    def _case(self, index: int) -> int:
        index = self._until(index + 1, ("WHEN",))
        while self._at(index) == "WHEN":
            index = self._statements(self._until(index + 1, ("THEN",)) + 1, ("WHEN", "ELSE", "END"))
        if self._at(index) == "ELSE":
            index = self._statements(index + 1, ("END",))
        return self._semicolon(self._expect(self._expect(index, "END"), "CASE"))

    def _loop(self, index: int) -> int:
        index = self._statements(self._expect(index, "LOOP"), ("END",))
        index = self._expect(self._expect(index, "END"), "LOOP")
        return self._semicolon(self._optional_label(index))

    def _for(self, index: int) -> int:
        loop = self._until(index + 1, ("LOOP",))
        for position in range(index + 1, loop):
            if self.words[position] == "IN":
                query = position + 1
                if self._at(query) == "EXECUTE":
                    self._execute(query, loop)
                elif self._at(query) in _QUERIES:
                    self._add_statement(query, loop)
                break
        return self._loop(loop)

    def _open(self, index: int, end: int) -> None:
        """``OPEN cursor [[NO] SCROLL] FOR query | FOR EXECUTE ...``, or ``OPEN bound_cursor``
        whose query was declared: the query runs here. Any other cursor's query is unseen."""
        name = self.tokens[index + 1].text.lower() if index + 1 < end else ""
        bound = self.cursor_queries.get(name)
        if bound is not None:
            if name not in self.opened:  # reopening runs the same query, already linted once
                self.opened.add(name)
                self._add_statement(*bound)
            return
        for position in range(index + 1, end):
            if self.words[position] == "FOR":
                if self._at(position + 1) == "EXECUTE":
                    self._execute(position + 1, end)
                    return
                if self._at(position + 1) in _QUERIES:
                    self._add_statement(position + 1, end)
                    return
                break
        self.found.dynamic.append(self._chunk(index, end))

    def _is_assignment(self, index: int) -> bool:
        """``name[.field][[subscript]] := expr`` (or ``=``): no SQL statement starts that way."""
        if self.tokens[index].kind not in ("word", "quoted"):
            return False
        index += 1
        while index + 1 < self.count and self.symbols[index] == ".":
            index += 2
        if index < self.count and self.symbols[index] == "[":
            index = self._closing_bracket(index)
        return index < self.count and self.symbols[index] in (":=", "=")

    def _closing_bracket(self, index: int) -> int:
        """Index just past the ``]`` matching the ``[`` at ``index``."""
        depth = 0
        while index < self.count:
            if self.symbols[index] == "[":
                depth += 1
            elif self.symbols[index] == "]":
                depth -= 1
                if not depth:
                    return index + 1
            index += 1
        return index

    # -- output ------------------------------------------------------------------------------

    def _add_statement(self, index: int, end: int) -> None:
        """The SQL statement of tokens ``index`` up to ``end``, which the body runs."""
        chunk = self._chunk(index, end)
        if self.runs_from:
            chunk = replace(chunk, guard=Guard(self.runs_from))
        self.found.statements.append(chunk)
        self.own_statements.append(chunk)

    def _chunk(self, index: int, end: int) -> Chunk:
        """The chunk of tokens ``index`` up to (not including) ``end``."""
        self.elsewhere.append((index, end))
        start, stop = self.tokens[index].start, self.tokens[end - 1].end
        gap_start = self.tokens[index - 1].end if index else 0
        gap = comment_spans(self.text, gap_start, start, breakpoints=False)
        leading = comments_at(self.source, self.text, self.offsets, gap)
        words = self.tokens[index:end]
        return make_chunk(self.source, self.text, self.offsets, start, stop, words, leading, plpgsql=True)

    def _execute(self, index: int, end: int) -> None:
        """``EXECUTE`` at ``index``; its argument and clauses run up to token ``end``."""
        self.elsewhere.append((index, end))
        self.own_expressions.append((self.tokens[index:end], Guard(self.runs_from)))  # its argument, USING's
        start = self.tokens[index].end
        stop = self.tokens[end - 1].end if end - 1 > index else start
        argument = self.text[start:stop]
        constant = constant_sql(argument)
        formatted = formatted_sql(argument) if constant is None else (*constant, False)
        if formatted is None:
            self.found.dynamic.append(self._chunk(index, end))
            return
        sql, inner, runtime_names = formatted
        offsets = compose(self.offsets, start, inner, len(sql))
        found = self.unwrap_sql(self.source, sql, offsets, self.nesting + 1)
        if runtime_names:  # the statements that hold a run-time name, of those the call runs
            found.statements = [
                replace(chunk, runtime_names=True) if any(is_runtime_name(word) for word in chunk.words) else chunk
                for chunk in found.statements
            ]
        self._add_found(found)

    def _add_found(self, found: Found) -> None:
        """What a nested DO or an EXECUTE runs, in the branch it stands in."""
        if self.runs_from:
            found.statements = [replace(chunk, guard=chunk.guard.within(self.runs_from)) for chunk in found.statements]
            found.expressions = [(words, guard.within(self.runs_from)) for words, guard in found.expressions]
        self.found.add(found)
