"""The statement splitter: exact statements and positions, and no SQL lost on any input.

Every rule sees only what the splitter hands over, so besides realistic Drizzle files these tests
check, for arbitrary and for mangled input, that every character outside the chunks is
whitespace, a ``;`` or a reported comment.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrations_checks.lint.sql.lexer import WHITESPACE
from migrations_checks.lint.sql.positions import position
from migrations_checks.lint.sql.splitter import Chunk, split_sql, trailing_comments

BP = "--> statement-breakpoint"


def texts(source: str) -> list[str]:
    return [chunk.text for chunk in split_sql(source)]


def find(source: str, needle: str) -> tuple[int, int]:
    """(line, column) of the first occurrence of ``needle``, counted by hand."""
    offset = source.index(needle)
    before = source[:offset]
    return before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1


def check_invariants(source: str) -> list[Chunk]:
    chunks = split_sql(source)
    covered = bytearray(len(source))
    previous = 0
    for chunk in chunks:
        assert previous <= chunk.start < chunk.end <= len(source)
        assert chunk.text == source[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip(WHITESPACE)
        assert (chunk.line, chunk.column) == position(source, chunk.start)
        for comment in chunk.leading_comments:
            assert previous <= comment.start
            assert comment.start + len(comment.text) <= chunk.start
            assert source[comment.start :].startswith(comment.text)
            covered[comment.start : comment.start + len(comment.text)] = b"\x01" * len(comment.text)
        for word in chunk.words:
            assert chunk.start <= word.start < word.end <= chunk.end
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
        previous = chunk.end
    for comment in trailing_comments(source, chunks):
        assert previous <= comment.start
        assert source[comment.start :].startswith(comment.text)
        covered[comment.start : comment.start + len(comment.text)] = b"\x01" * len(comment.text)
    for index, char in enumerate(source):
        if not covered[index]:
            assert char in WHITESPACE or char == ";", (index, char)
    return chunks


# --- realistic Drizzle files ---------------------------------------------------------------------

DRIZZLE = (
    "CREATE TYPE \"public\".\"job_status\" AS ENUM('pending', 'processing');" + BP + "\n"
    'CREATE TABLE IF NOT EXISTS "tasks" (\n'
    '\t"id" serial PRIMARY KEY NOT NULL,\n'
    "\t\"note\" text DEFAULT 'a;b',\n"
    '\t"weird;name" integer\n'
    ");\n" + BP + "\n"
    "DO $$ BEGIN\n"
    ' ALTER TABLE "tasks" ADD CONSTRAINT "tasks_module_id_modules_id_fk" FOREIGN KEY ("module_id") '
    'REFERENCES "public"."modules"("id") ON DELETE cascade ON UPDATE no action;\n'
    "EXCEPTION\n"
    " WHEN duplicate_object THEN null;\n"
    "END $$;\n" + BP + "\n"
    "-- gates: allow create-index-non-concurrently -- small table\n"
    'CREATE INDEX IF NOT EXISTS "tasks_idx" ON "tasks" USING btree ("module_id");' + BP + "\n"
    'CREATE POLICY "own; rows" ON "tasks" AS PERMISSIVE FOR SELECT TO "authenticated" '
    "USING ((select auth.uid()) = user_id);" + BP + "\n"
    "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $fn$\n"
    "BEGIN\n  NEW.updated_at = now(); -- not a statement of the file\n  RETURN NEW;\nEND;\n"
    "$fn$ LANGUAGE plpgsql;\n"
    "/* trailing /* nested; */ comment */\n"
)


def test_drizzle_file_statements() -> None:
    chunks = check_invariants(DRIZZLE)
    assert [chunk.text.split()[0:2] for chunk in chunks] == [
        ["CREATE", "TYPE"],
        ["CREATE", "TABLE"],
        ["DO", "$$"],
        ["CREATE", "INDEX"],
        ["CREATE", "POLICY"],
        ["CREATE", "OR"],
    ]
    assert chunks[1].text.endswith('"weird;name" integer\n)')
    assert chunks[2].text.endswith("END $$")
    assert chunks[5].text.endswith("$fn$ LANGUAGE plpgsql")
    for chunk, needle in zip(chunks, ["CREATE TYPE", "CREATE TABLE", "DO $$", "CREATE INDEX"], strict=False):
        assert (chunk.line, chunk.column) == find(DRIZZLE, needle)
        assert chunk.start == DRIZZLE.index(needle)


def test_comments_between_statements() -> None:
    chunks = split_sql(DRIZZLE)
    index_comments = [comment.text for comment in chunks[3].leading_comments]
    assert index_comments == [BP, "-- gates: allow create-index-non-concurrently -- small table"]
    suppression = chunks[3].leading_comments[1]
    assert suppression.line == chunks[3].line - 1
    assert suppression.start == DRIZZLE.index("-- gates")
    # The comment inside the function body belongs to the statement's text.
    assert "-- not a statement of the file" in chunks[5].text
    trailing = trailing_comments(DRIZZLE, chunks)
    assert [comment.text for comment in trailing] == ["/* trailing /* nested; */ comment */"]
    assert trailing[0].line == DRIZZLE.count("\n")


def test_breakpoint_alone_separates_statements() -> None:
    source = f"ALTER TABLE a ADD b int\n{BP}\nALTER TABLE a ADD c int{BP}SELECT 1"
    assert texts(source) == ["ALTER TABLE a ADD b int", "ALTER TABLE a ADD c int", "SELECT 1"]
    assert [c.text for c in split_sql(source)[1].leading_comments] == [BP]


def test_breakpoint_cuts_like_drizzle_even_inside_a_string() -> None:
    # drizzle-orm splits the raw text, so both halves fail on the server; the linter must see
    # the broken halves, not one valid statement.
    source = f"SELECT 'a {BP} b';\nSELECT 2;"
    assert texts(source) == ["SELECT 'a", "b';\nSELECT 2;"]
    check_invariants(source)


def test_breakpoint_ends_a_line_comment() -> None:
    source = f"SELECT 1; -- see {BP} foo\nSELECT 2;"
    chunks = split_sql(source)
    assert [chunk.text for chunk in chunks] == ["SELECT 1", "foo\nSELECT 2"]
    assert [comment.text for comment in chunks[1].leading_comments] == ["-- see ", BP]


def test_quoting_never_splits() -> None:
    source = (
        "SELECT 'a;''b', E'c\\';d', \"e;\"\"f\", $$g;$$, $t$ $$; $t$, U&'h;', B'1' /* i; /* j; */ k; */ -- l;\n"
        ", 2;\nSELECT 3"
    )
    chunks = check_invariants(source)
    assert len(chunks) == 2
    assert chunks[0].text.endswith(", 2")
    assert chunks[1].text == "SELECT 3"


def test_empty_statements_and_comment_only_files() -> None:
    assert texts(";;; ;\n;") == []
    assert texts("SELECT 1;;;SELECT 2;;") == ["SELECT 1", "SELECT 2"]
    source = "-- only\n/* comments */;"
    assert split_sql(source) == []
    assert [c.text for c in trailing_comments(source, [])] == ["-- only", "/* comments */"]
    assert split_sql("") == []


def test_comment_before_semicolon_is_not_in_the_chunk() -> None:
    chunks = split_sql("SELECT 1 /* why */ ;\nSELECT 2")
    assert chunks[0].text == "SELECT 1"
    assert [c.text for c in chunks[1].leading_comments] == ["/* why */"]


def test_parentheses_and_begin_atomic_keep_semicolons() -> None:
    rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))"
    function = (
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  DELETE FROM t;\nEND"
    )
    procedure = "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END"
    assert texts(f"{rule};\n{function};\n{procedure};\nSELECT 1;") == [rule, function, procedure, "SELECT 1"]
    # Outside a routine definition BEGIN is a transaction.
    assert texts("BEGIN; SELECT 1; COMMIT;") == ["BEGIN", "SELECT 1", "COMMIT"]


def test_a_routine_named_begin_opens_no_body() -> None:
    # The server, to which drizzle-orm sends the text, ends this CREATE at its semicolon.
    create = "CREATE FUNCTION public.begin() RETURNS int AS $$ select 1 $$ LANGUAGE sql"
    assert texts(f"{create};\nDROP TABLE users;") == [create, "DROP TABLE users"]


def test_crlf_positions() -> None:
    source = "-- head\r\nCREATE TABLE a (x int);\r\n\r\n  ALTER TABLE a ADD y int;\r\n"
    chunks = check_invariants(source)
    assert [chunk.text for chunk in chunks] == ["CREATE TABLE a (x int)", "ALTER TABLE a ADD y int"]
    assert [(chunk.line, chunk.column) for chunk in chunks] == [(2, 1), (4, 3)]
    assert chunks[0].leading_comments[0].text == "-- head"
    assert chunks[0].leading_comments[0].start == 0


def test_position() -> None:
    source = "ab\ncd\r\nef"
    assert position(source, 0) == (1, 1)
    assert position(source, 2) == (1, 3)
    assert position(source, 3) == (2, 1)
    assert position(source, 7) == (3, 1)
    assert position(source, len(source)) == (3, 3)
    assert position(source, 10_000) == (3, 3)
    assert position("", 0) == (1, 1)


def test_words_are_placed_in_the_whole_file() -> None:
    source = f'SELECT 1;{BP}\n\n  DO $$ BEGIN NULL; END $$;\n{BP}\nALTER TABLE "t" ADD x int'
    chunks = split_sql(source)
    for chunk in chunks:
        first = chunk.words[0]
        assert source[first.start : first.end] == chunk.text.split()[0]
        assert chunk.words[-1].end == chunk.end
    do = chunks[1]
    assert [(word.upper, word.kind) for word in do.words] == [("DO", "word"), ("", "string")]
    assert source[do.words[1].start : do.words[1].end] == "$$ BEGIN NULL; END $$"
    assert do.words[1].text == " BEGIN NULL; END "
    alter = chunks[2]
    assert source[alter.words[2].start : alter.words[2].end] == '"t"'
    assert (alter.words[2].text, alter.words[2].kind) == ("t", "quoted")


# --- malformed input ---------------------------------------------------------------------------


def test_unterminated_string_runs_to_the_end_of_its_piece() -> None:
    source = f"CREATE TABLE a (x int);\nSELECT 'oops;\nDROP TABLE a;\n{BP}\nDROP TABLE b;"
    chunks = check_invariants(source)
    assert [chunk.text for chunk in chunks] == [
        "CREATE TABLE a (x int)",
        "SELECT 'oops;\nDROP TABLE a;",
        "DROP TABLE b",
    ]
    assert [chunk.lexed for chunk in chunks] == [True, False, True]
    # The broken chunk's words end in one that runs from the open quote to the end of the piece.
    assert [(word.text, word.kind) for word in chunks[1].words] == [
        ("SELECT", "word"),
        ("'oops;\nDROP TABLE a;", "unterminated"),
    ]


def test_other_unterminated_constructs() -> None:
    for broken in ("$$ x; y", "$tag$ x; $$ y;", '"ident; x', "/* comment; x", "E'x\\'; y", "/* a /* b */; c"):
        source = f"SELECT 1;\nSELECT {broken}\n\n"
        chunks = check_invariants(source)
        assert [chunk.text for chunk in chunks] == ["SELECT 1", f"SELECT {broken}"], broken


def test_a_literal_the_server_rejects_later_still_splits() -> None:
    # The server's lexer takes any text in X'..'; only reading the value fails, after the split.
    source = "SELECT 1;\nSELECT X'zz';\nDROP TABLE a;\nSELECT 'x;y' /* ; */;"
    chunks = check_invariants(source)
    assert [chunk.text for chunk in chunks] == ["SELECT 1", "SELECT X'zz'", "DROP TABLE a", "SELECT 'x;y'"]
    assert trailing_comments(source, chunks)[0].text == "/* ; */"
    assert chunks[2].words[0].upper == "DROP"
    assert (chunks[2].line, chunks[2].column) == (3, 1)


def test_nested_comments_end_where_the_server_ends_them() -> None:
    # The server closes at `*/` in `*/*` (sqlglot's tokenizer reopens there): the DROP runs.
    assert texts("/* /* x */* y */ DROP TABLE users; -- */\nselect 1;") == ["DROP TABLE users", "select 1"]
    assert texts("/* old: /* note */*/\nselect 42;") == ["select 42"]
    assert texts("/*/* c */ x */ select 43;") == ["select 43"]  # `/*/` opens
    assert texts("SELECT 2*/*c*/3;") == ["SELECT 2*/*c*/3"]


def test_an_escape_string_continued_on_a_later_line_keeps_its_escapes() -> None:
    # The server reads `'\''` after `E'a'` and a line break as the same E string: `\'` is a quote.
    assert texts("select E'a'\n'\\'' ; DROP TABLE users; select 'q' -- '\n;")[1:] == [
        "DROP TABLE users",
        "select 'q'",
    ]
    assert texts("select E'a'\n'\\'; DROP TABLE users; --';") == ["select E'a'\n'\\'; DROP TABLE users; --'"]
    # a `--` comment may stand before the line break too
    assert "DROP TABLE users" in texts("SELECT E'a' -- c\n'b\\''; DROP TABLE users; --';")


def test_every_quoting_rule_in_one_text() -> None:
    source = (
        "SELECT X'zz';\nSELECT 'a;''b', E'c\\';d', \"e;\", $q$;$q$, (1;2), a$b$c /* ; /* ; */ */ -- ;\n;\n"
        "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END;\nSELECT 3"
    )
    chunks = check_invariants(source)
    assert len(chunks) == 4
    assert chunks[1].text.startswith("SELECT 'a;")
    assert chunks[2].text.startswith("CREATE FUNCTION") and chunks[2].text.endswith("END")
    assert chunks[3].text == "SELECT 3"


# --- properties ----------------------------------------------------------------------------------

FRAGMENTS = [
    "SELECT 1",
    "ALTER TABLE a ADD b int",
    "DROP TABLE x",
    ";",
    " ",
    "\n",
    "\r\n",
    "\t",
    "'a;b'",
    "'",
    "''",
    "E'\\''",
    "E'",
    "\\",
    '"x;y"',
    '"',
    "$$",
    "$$ ; $$",
    "$t$",
    "$t$ ; $t$",
    "$1",
    "$1$",
    "/*",
    "*/",
    "/* ; */",
    "/*/*",
    "*/*",
    "//*",
    "--",
    "-- ;\n",
    BP,
    "--> statement",
    "(",
    ")",
    "BEGIN",
    "END",
    "CASE",
    "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END",
    "CREATE OR REPLACE PROCEDURE",
    "DO $$ BEGIN NULL; END $$",
    "DO",
    "EXECUTE",
    "DECLARE",
    "SHOW x",
    "CALL p()",
    "X'zz'",
    "B'12'",
    "U&'x'",
    "\ufeff",
    "é",
    "\x0b",
    "\u00a0",
    "\u2028",
    "a$b$",
    "E",
    ":=",
]
SQLISH = st.text(alphabet=st.sampled_from([*"ab1 \n\r\t;'\"$/*-eE\\()_:.,=<>|&U", "\ufeff", "é"]))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SQLISH)
def test_no_sql_lost_on_sql_like_text(source: str) -> None:
    check_invariants(source)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_sql_lost_on_any_text(source: str) -> None:
    check_invariants(source)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_no_sql_lost_on_fragment_soup(source: str) -> None:
    check_invariants(source)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(DRIZZLE.split(BP)), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(FRAGMENTS)), max_size=4),
)
def test_no_sql_lost_on_mutated_drizzle_files(pieces: list[str], mutations: list[tuple[int, str]]) -> None:
    source = BP.join(pieces)
    for where, fragment in mutations:
        where %= len(source) + 1
        source = source[:where] + fragment + source[where:]
    check_invariants(source)


STATEMENTS = st.sampled_from(
    [
        "SELECT 'a;b'",
        'ALTER TABLE "x;y" ADD c int',
        "CREATE FUNCTION f() AS $$ SELECT 1; $$ LANGUAGE sql",
        "DO $$ BEGIN NULL; END $$",
        "UPDATE t SET a = E'\\';' /* ; */ WHERE b = 1",
        "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END",
        "VACUUM t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(STATEMENTS, st.sampled_from([";", ";\n", f";{BP}\n", f"\n{BP}\n", "; -- c\n;"]))))
def test_joined_statements_come_back(parts: list[tuple[str, str]]) -> None:
    source = "".join(statement + separator for statement, separator in parts)
    assert texts(source) == [statement for statement, _ in parts]


def test_a_lone_dollar_does_not_take_the_space_after_it() -> None:
    # Found by hypothesis, when sqlglot's tokenizer made a `$` and the space after it one token.
    assert [(chunk.text, chunk.end) for chunk in check_invariants("$ ;_$")] == [("$", 1), ("_$", 5)]
