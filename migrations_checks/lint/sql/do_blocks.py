"""Find the SQL that runs inside ``DO`` blocks, so the rules check it like any other statement.

Drizzle wraps foreign keys and enum types in ``DO $$ BEGIN ... EXCEPTION WHEN duplicate_object
THEN null; END $$;``, and hand-written migrations guard DDL with ``IF NOT EXISTS (...) THEN``. The
block body is read as PL/pgSQL, just deeply enough to tell which statements are SQL that runs:

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
  the string is returned as statements; ``EXECUTE`` of anything else cannot be examined and goes
  to ``dynamic``, which the linter reports. A ``DO`` inside a block or string is unwrapped in turn.

Positions always point into the file. SQL that came out of a quoted string (``DO '...'`` bodies,
``EXECUTE '...'``) is unescaped first; its chunks' ``text`` is the SQL as the server runs it, and
each character's offset is that of the source text that produced it, so ``start``, ``line`` and
``column`` are exact but ``source[start:end]`` shows the quoted form. ``--> statement-breakpoint``
has no meaning inside a block (Drizzle has already cut the file there).

Every comment in a body is returned too, so `gates:` directives there are read wherever they stand.
A block in another language, or a body this parser cannot follow, goes whole to ``dynamic``:
the gate never passes SQL it has not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlglot.tokens import Token, TokenType

from migrations_checks.lint.sql.comments import Comment, comment_spans, comments_at
from migrations_checks.lint.sql.fallback import misread_by_sqlglot
from migrations_checks.lint.sql.positions import Offsets, offset_at, sub_offsets
from migrations_checks.lint.sql.splitter import Chunk, make_chunk, statement_spans
from migrations_checks.lint.sql.tokens import shift_tokens, statement_end, tokenize
from migrations_checks.lint.sql.words import COMMAND_TOKENS, STRING_TYPES

__all__ = ["DoBlock", "is_do_block", "unwrap_do_block"]

# How deep blocks, branches, loops and DO-in-EXECUTE-in-DO may nest, all counted together: far
# beyond any migration, and it keeps the recursion well inside Python's limit.
_MAX_NESTING = 60

_NOT_WORDS = STRING_TYPES | {TokenType.IDENTIFIER, TokenType.NUMBER}
_SQL_LITERALS = frozenset({TokenType.STRING, TokenType.BYTE_STRING, TokenType.HEREDOC_STRING})
_OPENERS = frozenset({TokenType.L_PAREN, TokenType.L_BRACKET})
_CLOSERS = frozenset({TokenType.R_PAREN, TokenType.R_BRACKET})
_CONTROL = frozenset({"NULL", "RAISE", "RETURN", "EXIT", "CONTINUE", "ASSERT", "GET", "FETCH", "MOVE", "CLOSE"})
_QUERIES = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE"})
_BRANCH_ENDS = ("ELSIF", "ELSEIF", "ELSE", "END")


@dataclass(frozen=True)
class DoBlock:
    """What a DO block runs: SQL statements, and SQL that can only be known at run time; and every
    comment in its body, where `gates:` directives may stand."""

    statements: tuple[Chunk, ...]
    dynamic: tuple[Chunk, ...]
    comments: tuple[Comment, ...]
    # String constants the body uses outside its SQL statements: in conditions, declarations,
    # assignments. A label just added to an enum cannot be used there either.
    literals: frozenset[str]


@dataclass
class _Found:
    """What unwrapping has found so far, in order."""

    statements: list[Chunk] = field(default_factory=list)
    dynamic: list[Chunk] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    literals: set[str] = field(default_factory=set)

    def add(self, other: _Found) -> None:
        self.statements.extend(other.statements)
        self.dynamic.extend(other.dynamic)
        self.comments.extend(other.comments)
        self.literals.update(other.literals)


def is_do_block(chunk: Chunk) -> bool:
    return _starts_with_do(chunk.tokens)


def unwrap_do_block(source: str, chunk: Chunk) -> DoBlock:
    """The statements a DO chunk of ``split_sql(source)`` runs. Never raises."""
    found = _unwrap_do(source, chunk.text, chunk.start, 0)
    return DoBlock(tuple(found.statements), tuple(found.dynamic), tuple(found.comments), frozenset(found.literals))


class _Unreadable(Exception):
    """The body is not PL/pgSQL that this reader can follow."""


def _word(token: Token) -> str:
    """A keyword or bare name in upper case; "" for literals, quoted names and punctuation."""
    text = token.text
    if token.token_type in _NOT_WORDS or not (text[:1].isalpha() or text[:1] == "_"):
        return ""
    return text.upper()


def _starts_with_do(tokens: Sequence[Token]) -> bool:
    return bool(tokens) and tokens[0].token_type is TokenType.COMMAND and tokens[0].text.upper() == "DO"


def _unwrap_do(source: str, text: str, offsets: Offsets, depth: int) -> _Found:
    """``text`` is a whole ``DO ...`` statement placed in ``source`` by ``offsets``."""
    whole = make_chunk(source, text, offsets, 0, len(text), (), ())
    if depth > _MAX_NESTING:
        return _Found(dynamic=[whole])
    header_start = len("DO")
    header = text[header_start:]
    tokens, ok = tokenize(header)
    found = _body_literal(tokens) if ok else None
    if found is None:
        return _Found(dynamic=[whole])
    literal, language = found
    decoded = _literal(header, literal)
    if decoded is None:
        return _Found(dynamic=[whole])
    content, inner = decoded
    body_offsets = _compose(offsets, header_start, inner, len(content))
    if language == "plpgsql":
        try:
            return _Body(source, content, body_offsets, depth).parse()
        except _Unreadable:
            pass
    return _Found(dynamic=[make_chunk(source, content, body_offsets, 0, len(content), (), ())])


def _body_literal(tokens: Sequence[Token]) -> tuple[Token, str] | None:
    """The body literal and language of ``DO [LANGUAGE name] body [LANGUAGE name]``."""
    literal = None
    language = "plpgsql"
    named = False  # a second LANGUAGE clause is an error to Postgres
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if _word(token) == "LANGUAGE" and index + 1 < len(tokens) and not named:
            named = True
            name = tokens[index + 1]
            quoted = name.token_type in (TokenType.IDENTIFIER, TokenType.STRING)
            language = name.text if quoted else name.text.lower()
            index += 2
        elif token.token_type in _SQL_LITERALS and literal is None:
            literal = token
            index += 1
        else:
            return None
    return (literal, language) if literal is not None else None


def _unwrap_sql(source: str, text: str, offsets: Offsets, depth: int) -> _Found:
    """Statements of plain SQL text (the string given to EXECUTE)."""
    found = _Found()
    previous = 0
    for start, end, tokens, lexed in statement_spans(text):
        gap = comment_spans(text, previous, start, breakpoints=False)
        previous = end
        leading = comments_at(source, text, offsets, gap)
        found.comments.extend(leading)
        if _starts_with_do(tokens):
            found.add(_unwrap_do(source, text[start:end], sub_offsets(offsets, start, end - start), depth + 1))
            continue
        found.statements.append(make_chunk(source, text, offsets, start, end, tokens, leading, lexed))
    return found


class _Body:
    """A recursive-descent reader of a PL/pgSQL block over sqlglot's tokens of the body."""

    def __init__(self, source: str, text: str, offsets: Offsets, depth: int) -> None:
        tokens, ok = tokenize(text)
        if not ok or misread_by_sqlglot(text, tokens):
            raise _Unreadable  # the block goes to `dynamic`: reported, never passed unread
        tokens = _unfold_declarations(text, tokens)
        self.source = source
        self.text = text
        self.offsets = offsets
        self.tokens = tokens
        self.count = len(tokens)
        # Body-relative spans, kept because building a chunk moves its tokens to file offsets.
        self.spans = [(token.start, token.end + 1) for token in tokens]
        self.types = [token.token_type for token in tokens]
        self.words = [_word(token) for token in tokens]
        self.nesting = depth
        self.found = _Found(comments=self._comments())
        # Token ranges read elsewhere: statements, run-time SQL, nested blocks, RAISE messages.
        self.elsewhere: list[tuple[int, int]] = []
        self.cursor_queries: dict[str, tuple[int, int]] = {}  # bound cursor -> token span of its query
        self.opened: set[str] = set()  # bound cursors whose query is already a statement

    def parse(self) -> _Found:
        index = 0
        # Compiler options (`#variable_conflict use_column`, `#print_strict_params on`) come first.
        while index + 2 < self.count and self.types[index] is TokenType.HASH:
            index += 3
        index = self._block(index)
        if index < self.count and self.types[index] is TokenType.SEMICOLON:
            index += 1
        if index != self.count:
            raise _Unreadable
        self.found.literals.update(self._own_literals())
        return self.found

    def _own_literals(self) -> set[str]:
        read_elsewhere = [False] * self.count
        for start, end in self.elsewhere:
            read_elsewhere[start:end] = [True] * (end - start)
        literals: set[str] = set()
        for index, token in enumerate(self.tokens):
            if token.token_type not in STRING_TYPES or read_elsewhere[index]:
                continue
            if index and self.types[index - 1] in COMMAND_TOKENS:
                # sqlglot keeps what follows a command word (FETCH, MOVE...) as one raw string.
                literals.update(t.text for t in tokenize(token.text)[0] if t.token_type in STRING_TYPES)
            else:
                literals.add(token.text)
        return literals

    def _comments(self) -> list[Comment]:
        """Every comment between the body's tokens (most bodies have none)."""
        if "--" not in self.text and "/*" not in self.text:
            return []
        edges = [0, *(edge for span in self.spans for edge in span), len(self.text)]
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
            raise _Unreadable
        return index + 1

    def _semicolon(self, index: int) -> int:
        if index >= self.count or self.types[index] is not TokenType.SEMICOLON:
            raise _Unreadable
        return index + 1

    def _is_label(self, index: int) -> bool:
        kinds = self.types[index : index + 5]
        return kinds[:2] == [TokenType.LT, TokenType.LT] and kinds[3:] == [TokenType.GT, TokenType.GT]

    def _optional_label(self, index: int) -> int:
        # Labels are any name, keywords included (``<<outer>>``); ``;`` has no word.
        if index < self.count and (self.words[index] or self.types[index] is TokenType.IDENTIFIER):
            return index + 1
        return index

    def _until(self, index: int, targets: tuple[str, ...]) -> int:
        """Index of the first of ``targets`` outside parentheses and CASE expressions."""
        depth = 0
        cases = 0
        while index < self.count:
            kind = self.types[index]
            if kind in _OPENERS:
                depth += 1
            elif kind in _CLOSERS:
                depth = max(depth - 1, 0)
            elif not depth:
                word = self.words[index]
                if word == "CASE":
                    cases += 1
                elif word == "END" and cases:
                    cases -= 1
                elif not cases and word in targets:
                    return index
                elif kind is TokenType.SEMICOLON:
                    raise _Unreadable
            index += 1
        raise _Unreadable

    def _end(self, index: int) -> int:
        """Index of the ``;`` ending the statement at ``index``."""
        end = statement_end(self.tokens, index)
        if end >= self.count:
            raise _Unreadable
        return end

    # -- structure ---------------------------------------------------------------------------

    def _block(self, index: int) -> int:
        if self._is_label(index):
            index += 5
        if self._at(index) == "DECLARE":
            index = self._declarations(index + 1)
        index = self._statements(self._expect(index, "BEGIN"), ("END", "EXCEPTION"))
        if self._at(index) == "EXCEPTION":
            index += 1
            if self._at(index) != "WHEN":
                raise _Unreadable
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
                raise _Unreadable
            if self.types[index] is TokenType.SEMICOLON:
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
        if self.nesting > _MAX_NESTING:
            raise _Unreadable
        while self._at(index) not in stops:
            if index >= self.count:
                raise _Unreadable
            index = self._statement(index)
        self.nesting -= 1
        return index

    def _statement(self, index: int) -> int:
        word = self.words[index]
        if self.types[index] is TokenType.SEMICOLON:
            return index + 1
        if self._is_label(index):
            return index + 5
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
        if word == "EXECUTE":
            self._execute(index, end)
        elif word == "OPEN" and not self._is_assignment(index):  # `open` may also name a variable
            self._open(index, end)
        elif _starts_with_do(self.tokens[index : index + 1]):
            start, stop = self.spans[index][0], self.spans[end - 1][1]
            offsets = sub_offsets(self.offsets, start, stop - start)
            self.found.add(_unwrap_do(self.source, self.text[start:stop], offsets, self.nesting + 1))
            self.elsewhere.append((index, end))
        elif word not in _CONTROL and not self._is_assignment(index):
            self.found.statements.append(self._chunk(index, end))
        return end + 1

    def _if(self, index: int) -> int:
        index = self._statements(self._until(index + 1, ("THEN",)) + 1, _BRANCH_ENDS)
        while self._at(index) in ("ELSIF", "ELSEIF"):
            index = self._statements(self._until(index + 1, ("THEN",)) + 1, _BRANCH_ENDS)
        if self._at(index) == "ELSE":
            index = self._statements(index + 1, ("END",))
        return self._semicolon(self._expect(self._expect(index, "END"), "IF"))

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
            if self.types[position] is TokenType.IN:
                query = position + 1
                if self._at(query) == "EXECUTE":
                    self._execute(query, loop)
                elif self._at(query) in _QUERIES:
                    self.found.statements.append(self._chunk(query, loop))
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
                self.found.statements.append(self._chunk(*bound))
            return
        for position in range(index + 1, end):
            if self.words[position] == "FOR":
                if self._at(position + 1) == "EXECUTE":
                    self._execute(position + 1, end)
                    return
                if self._at(position + 1) in _QUERIES:
                    self.found.statements.append(self._chunk(position + 1, end))
                    return
                break
        self.found.dynamic.append(self._chunk(index, end))

    def _is_assignment(self, index: int) -> bool:
        """``name[.field][[subscript]] := expr`` (or ``=``): no SQL statement starts that way."""
        if not self.words[index] and self.types[index] is not TokenType.IDENTIFIER:
            return False
        index += 1
        while index + 1 < self.count and self.types[index] is TokenType.DOT:
            index += 2
        if index < self.count and self.types[index] is TokenType.L_BRACKET:
            index = self._closing_bracket(index)
        return index < self.count and self.types[index] in (TokenType.COLON_EQ, TokenType.EQ)

    def _closing_bracket(self, index: int) -> int:
        """Index just past the ``]`` matching the ``[`` at ``index``."""
        depth = 0
        while index < self.count:
            if self.types[index] is TokenType.L_BRACKET:
                depth += 1
            elif self.types[index] is TokenType.R_BRACKET:
                depth -= 1
                if not depth:
                    return index + 1
            index += 1
        return index

    # -- output ------------------------------------------------------------------------------

    def _chunk(self, index: int, end: int) -> Chunk:
        """The chunk of tokens ``index`` up to (not including) ``end``."""
        self.elsewhere.append((index, end))
        start, stop = self.spans[index][0], self.spans[end - 1][1]
        gap_start = self.spans[index - 1][1] if index else 0
        gap = comment_spans(self.text, gap_start, start, breakpoints=False)
        leading = comments_at(self.source, self.text, self.offsets, gap)
        return make_chunk(self.source, self.text, self.offsets, start, stop, self.tokens[index:end], leading)

    def _execute(self, index: int, end: int) -> None:
        """``EXECUTE`` at ``index``; its argument and clauses run up to token ``end``."""
        self.elsewhere.append((index, end))
        start = self.spans[index][1]
        stop = self.spans[end - 1][1] if end - 1 > index else start
        constant = _constant_sql(self.text[start:stop])
        if constant is None:
            self.found.dynamic.append(self._chunk(index, end))
            return
        sql, inner = constant
        offsets = _compose(self.offsets, start, inner, len(sql))
        self.found.add(_unwrap_sql(self.source, sql, offsets, self.nesting + 1))


def _unfold_declarations(text: str, tokens: list[Token]) -> list[Token]:
    """sqlglot keeps what follows DECLARE, up to the ``;``, as one raw string; the body reader
    needs the first declaration's own tokens (a bound cursor's query, a default's value)."""
    unfolded: list[Token] = []
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        folded = (
            previous is not None
            and previous.token_type is TokenType.COMMAND
            and _word(previous) == "DECLARE"
            and token.token_type is TokenType.STRING
        )
        inner, ok = tokenize(text[token.start : token.end + 1]) if folded else ([], False)
        if ok:
            line = text.count("\n", 0, token.start) + 1
            shift_tokens(inner, token.start, line, token.start - text.rfind("\n", 0, token.start))
            unfolded.extend(inner)
        else:
            unfolded.append(token)
    return unfolded


def _constant_sql(argument: str) -> tuple[str, Offsets] | None:
    """The SQL of an EXECUTE argument made only of string literals and ``||``, with offsets into
    ``argument``; None when any part is only known at run time."""
    tokens, ok = tokenize(argument)
    if not ok:
        return None
    depth = 0
    for index, token in enumerate(tokens):
        if token.token_type is TokenType.L_PAREN:
            depth += 1
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        elif not depth and _word(token) in ("INTO", "USING"):
            tokens = tokens[:index]
            break
    while len(tokens) > 2 and tokens[0].token_type is TokenType.L_PAREN:
        if tokens[-1].token_type is not TokenType.R_PAREN:
            return None
        tokens = tokens[1:-1]
    if len(tokens) % 2 == 0:
        return None
    texts: list[str] = []
    offsets: list[int] = []
    for index, token in enumerate(tokens):
        if index % 2:
            if token.token_type is not TokenType.DPIPE:
                return None
            continue
        decoded = _literal(argument, token)
        if decoded is None:
            return None
        text, inner = decoded
        if offsets:
            offsets.pop()  # the end of the previous literal is not the start of this one
        texts.append(text)
        offsets.extend(range(inner, inner + len(text) + 1) if isinstance(inner, int) else inner)
    return "".join(texts), offsets


def _compose(outer: Offsets, shift: int, inner: Offsets, length: int) -> Offsets:
    """File offsets of a text of ``length`` whose characters sit at ``inner`` in the text that
    ``outer`` places, counting from ``shift`` in it."""
    if isinstance(inner, int):
        return sub_offsets(outer, shift + inner, length)
    return [offset_at(outer, shift + offset) for offset in inner]


# --- string literals ---------------------------------------------------------------------------


def _literal(text: str, token: Token) -> tuple[str, Offsets] | None:
    """The value of a string literal token of ``text`` and where its characters sit in ``text``."""
    raw = text[token.start : token.end + 1]
    if token.token_type is TokenType.HEREDOC_STRING:
        delimiter = raw.find("$", 1) + 1
        if not delimiter or len(raw) < 2 * delimiter:
            return None
        return raw[delimiter : len(raw) - delimiter], token.start + delimiter
    if token.token_type is TokenType.STRING and len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return _decode(text, token.start + 1, token.end, backslashes=False)
    if token.token_type is TokenType.BYTE_STRING and raw[:2] in ("E'", "e'") and raw[-1] == "'":
        return _decode(text, token.start + 2, token.end, backslashes=True)
    return None


_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_NUMERIC_ESCAPES = (
    (re.compile(r"[0-7]{1,3}"), 8),
    (re.compile(r"x([0-9A-Fa-f]{1,2})"), 16),
    (re.compile(r"u([0-9A-Fa-f]{4})"), 16),
    (re.compile(r"U([0-9A-Fa-f]{8})"), 16),
)


def _decode(text: str, start: int, end: int, *, backslashes: bool) -> tuple[str, Offsets]:
    """Unescape ``text[start:end]``, the inside of a quoted literal (``''``; with
    ``backslashes``, also E-string escapes)."""
    inside = text[start:end]
    if "''" not in inside and not (backslashes and "\\" in inside):
        return inside, start
    chars: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        offsets.append(index)
        char = text[index]
        if char == "'":
            chars.append("'")
            index += 2
        elif char == "\\" and backslashes and index + 1 < end:
            value, length = _escape(text, index + 1, end)
            chars.append(value)
            index += 1 + length
        else:
            chars.append(char)
            index += 1
    offsets.append(end)
    return "".join(chars), offsets


def _escape(text: str, index: int, end: int) -> tuple[str, int]:
    """The character of the E-string escape whose backslash precedes ``index``, and its length."""
    char = text[index]
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], 1
    for pattern, base in _NUMERIC_ESCAPES:
        match = pattern.match(text, index, end)
        if match:
            value = int(match.group(match.lastindex or 0), base)
            if value <= 0x10FFFF:
                return chr(value), match.end() - index
    return char, 1
