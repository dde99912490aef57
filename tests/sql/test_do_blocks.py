"""The DO-block unwrapper: the SQL inside a block is found, with exact positions in the file.

Statements hidden in ``DO`` blocks run at migration time, so a statement missed here is a
destructive change no rule sees; anything the unwrapper cannot follow must land in ``dynamic``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrations_checks.lint.sql.do_blocks import DoBlock, is_do_block, unwrap_do_block
from migrations_checks.lint.sql.positions import position
from migrations_checks.lint.sql.splitter import split_sql

BP = "--> statement-breakpoint"


def unwrap(source: str) -> DoBlock:
    blocks = [unwrap_do_block(source, chunk) for chunk in split_sql(source) if is_do_block(chunk)]
    assert len(blocks) == 1
    return blocks[0]


def statements(source: str) -> list[str]:
    block = unwrap(source)
    assert block.dynamic == ()
    return [chunk.text for chunk in block.statements]


def find(source: str, needle: str) -> tuple[int, int]:
    offset = source.index(needle)
    before = source[:offset]
    return before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1


# --- Drizzle's output ----------------------------------------------------------------------------

FOREIGN_KEY = (
    'ALTER TABLE "tasks" ADD CONSTRAINT "tasks_module_id_modules_id_fk" FOREIGN KEY ("module_id") '
    'REFERENCES "public"."modules"("id") ON DELETE cascade ON UPDATE no action'
)


def test_drizzle_foreign_key_block() -> None:
    source = (
        f'CREATE TABLE "modules" ("id" serial PRIMARY KEY);{BP}\n'
        f"DO $$ BEGIN\n {FOREIGN_KEY};\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
    )
    [inner] = unwrap(source).statements
    assert inner.text == FOREIGN_KEY
    assert inner.start == source.index("ALTER TABLE")
    assert inner.end == inner.start + len(FOREIGN_KEY)
    assert (inner.line, inner.column) == (3, 2)
    assert inner.words[0].text == "ALTER"
    assert source[inner.words[-1].start : inner.words[-1].end] == "action"


def test_drizzle_enum_block_with_crlf() -> None:
    create = "CREATE TYPE \"public\".\"job_status\" AS ENUM('pending', 'processing')"
    source = (
        f"SELECT 1;\r\n{BP}\r\n"
        f"DO $$ BEGIN\r\n {create};\r\nEXCEPTION\r\n WHEN duplicate_object THEN null;\r\nEND $$;\r\n"
    )
    [inner] = unwrap(source).statements
    assert inner.text == create
    assert source[inner.start : inner.end] == create
    assert (inner.line, inner.column) == (4, 2) == find(source, "CREATE TYPE")


def test_role_guarded_by_if_not_exists() -> None:
    source = (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') "
        "THEN CREATE ROLE authenticated NOLOGIN; END IF; END $$;"
    )
    [inner] = unwrap(source).statements
    assert inner.text == "CREATE ROLE authenticated NOLOGIN"
    assert (inner.line, inner.column) == find(source, "CREATE ROLE")


# --- block syntax --------------------------------------------------------------------------------


def test_block_spellings() -> None:
    body = "BEGIN DROP TABLE a; END"
    for source in (
        f"DO $$ {body} $$",
        f"DO $tag$ {body} $tag$;",
        f"DO LANGUAGE plpgsql $$ {body} $$;",
        f"do $$ {body} $$ language PLPGSQL;",
        f"DO $${body};$$",
        f"DO '{body}';",
        f"DO E'{body}';",
    ):
        assert statements(source) == ["DROP TABLE a"], source


def test_single_quoted_body_is_unescaped_with_exact_positions() -> None:
    source = "SELECT 1;\nDO 'BEGIN\n  UPDATE t SET a = ''x;y'' WHERE b = 1;\nEND';"
    [inner] = unwrap(source).statements
    assert inner.text == "UPDATE t SET a = 'x;y' WHERE b = 1"
    assert inner.start == source.index("UPDATE")
    assert source[inner.start : inner.end] == "UPDATE t SET a = ''x;y'' WHERE b = 1"
    assert (inner.line, inner.column) == (3, 3)
    string = inner.words[5]
    assert string.text == "x;y"
    assert source[string.start : string.end] == "''x;y''"


def test_other_languages_and_unreadable_bodies_are_dynamic() -> None:
    python = "DO $py$ plpy.execute('DROP TABLE a') $py$ LANGUAGE plpython3u;"
    block = unwrap(python)
    assert block.statements == ()
    assert [chunk.text for chunk in block.dynamic] == [" plpy.execute('DROP TABLE a') "]
    assert block.dynamic[0].start == python.index(" plpy")
    for source in (
        "DO $$ DROP TABLE a; $$;",
        "DO $$ BEGIN DROP TABLE a $$;",
        "DO $$ BEGIN IF x THEN DROP TABLE a; END; END $$;",
        "DO $$ $$;",
        "DO $$ BEGIN 'unterminated; END $$;",
        "DO $$ BEGIN NULL; END; garbage $$;",
    ):
        block = unwrap(source)
        assert block.statements == (), source
        assert len(block.dynamic) == 1, source
    for source in ("DO;", "DO $$ BEGIN END $$ $$ x $$;", "DO LANGUAGE;", "DO 1;"):
        block = unwrap(source)
        assert [chunk.text for chunk in block.dynamic] == [source.rstrip(";")], source


def test_a_second_language_clause_is_not_read_past() -> None:
    # Postgres rejects it ("conflicting or redundant options"): the block cannot be examined.
    block = unwrap("DO $$ BEGIN DROP TABLE a; END $$ LANGUAGE plpgsql LANGUAGE plpgsql;")
    assert block.statements == () and len(block.dynamic) == 1


def test_is_do_block() -> None:
    for source, expected in (
        ("DO $$ BEGIN NULL; END $$", True),
        ("do $$ BEGIN NULL; END $$", True),
        ('"DO" $$ x $$', False),
        ("SELECT 'DO'", False),
        ("DOMAIN x", False),
    ):
        assert is_do_block(split_sql(source)[0]) is expected, source


# --- PL/pgSQL statements -------------------------------------------------------------------------

CONTROL_FLOW = """DO LANGUAGE plpgsql $body$
DECLARE
  r record;
  n int := 0;
  c CURSOR FOR SELECT 1;
BEGIN
  <<outer>>
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    n := n + 1;
    r.x = 2;
    CONTINUE outer WHEN n > 10;
  END LOOP outer;
  FOR i IN REVERSE 10..1 LOOP
    DELETE FROM q WHERE id = i;
  END LOOP;
  FOREACH r IN ARRAY arr LOOP EXIT; END LOOP;
  WHILE n > 0 LOOP n := n - 1; END LOOP;
  LOOP EXIT WHEN true; END LOOP;
  IF n = 0 THEN
    ALTER TABLE a ADD b int;
  ELSIF (CASE WHEN n > 1 THEN true ELSE false END) THEN
    ALTER TABLE a ADD c int;
  ELSE
    RAISE NOTICE 'nothing; to do';
  END IF;
  CASE n WHEN 0, 1 THEN NULL; ELSE UPDATE t SET x = CASE WHEN y THEN 1 ELSE 2 END WHERE id = 1; END CASE;
  CASE WHEN n > 5 THEN TRUNCATE big; END CASE;
  <<inner>>
  DECLARE m int;
  BEGIN
    -- gates: allow drop-column -- reason
    ALTER TABLE u DROP COLUMN v;
  EXCEPTION
    WHEN undefined_column OR SQLSTATE '42703' THEN
      RAISE NOTICE 'gone';
    WHEN others THEN
      DROP TABLE fallback;
  END inner;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM pg_notify('c', 'x');
  SELECT count(*) INTO n FROM t;
  OPEN c; FETCH c INTO r; CLOSE c;
  ASSERT n >= 0;
  COMMIT;
  RETURN;
END outer_block
$body$;"""


def test_a_quoted_body_continued_on_a_later_line_is_one_body() -> None:
    block = unwrap("DO 'BEGIN DROP TABLE a; '\n  'END';")
    assert (block.dynamic, [chunk.text for chunk in block.statements]) == ((), ["DROP TABLE a"])


def test_the_outermost_block_may_have_a_label() -> None:
    for body in ("<<main>> BEGIN DROP TABLE a; END main", "<<main>>\nDECLARE n int;\nBEGIN DROP TABLE a; END"):
        block = unwrap(f"DO $$ {body} $$;")
        assert (block.dynamic, [chunk.text for chunk in block.statements]) == ((), ["DROP TABLE a"])


def test_statements_in_every_control_structure() -> None:
    block = unwrap(CONTROL_FLOW)
    assert block.dynamic == ()
    assert [chunk.text for chunk in block.statements] == [
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        "DELETE FROM q WHERE id = i",
        "ALTER TABLE a ADD b int",
        "ALTER TABLE a ADD c int",
        "UPDATE t SET x = CASE WHEN y THEN 1 ELSE 2 END WHERE id = 1",
        "TRUNCATE big",
        "ALTER TABLE u DROP COLUMN v",
        "DROP TABLE fallback",
        "PERFORM pg_notify('c', 'x')",
        "SELECT count(*) INTO n FROM t",
        "SELECT 1",  # the declared cursor's query, run where the cursor is opened
        "COMMIT",
    ]
    for chunk in block.statements:
        assert chunk.text == CONTROL_FLOW[chunk.start : chunk.end]
        assert (chunk.line, chunk.column) == position(CONTROL_FLOW, chunk.start)
    drop = block.statements[6]
    assert (drop.line, drop.column) == find(CONTROL_FLOW, "ALTER TABLE u")
    assert [comment.text for comment in drop.leading_comments] == ["-- gates: allow drop-column -- reason"]
    assert drop.leading_comments[0].line == drop.line - 1


def test_execute_of_constants_is_unwrapped() -> None:
    source = (
        "DO $$\nBEGIN\n"
        "  EXECUTE 'CREATE INDEX i ON a (x); DROP TABLE ''old''';\n"
        "  EXECUTE E'DROP TABLE \\'b\\'' || ' CASCADE' INTO r;\n"
        "  EXECUTE $q$ALTER TABLE c DROP COLUMN d$q$ USING 1;\n"
        "  EXECUTE ('VACUUM e');\n"
        "END $$;"
    )
    block = unwrap(source)
    assert block.dynamic == ()
    assert [chunk.text for chunk in block.statements] == [
        "CREATE INDEX i ON a (x)",
        "DROP TABLE 'old'",
        "DROP TABLE 'b' CASCADE",
        "ALTER TABLE c DROP COLUMN d",
        "VACUUM e",
    ]
    create, old, cascade, alter, vacuum = block.statements
    assert (create.line, create.column) == find(source, "CREATE INDEX")
    assert source[create.start : create.end] == create.text
    assert (old.line, old.column) == find(source, "DROP TABLE ''old")
    assert source[old.start : old.end] == "DROP TABLE ''old''"
    assert (cascade.line, cascade.column) == find(source, "DROP TABLE \\'b")
    assert (alter.line, alter.column) == find(source, "ALTER TABLE c")
    assert source[vacuum.start : vacuum.end] == "VACUUM e"


def test_execute_of_format_with_a_constant_template_is_unwrapped() -> None:
    source = (
        "DO $$\nDECLARE t text := 'a';\nBEGIN\n"
        "  EXECUTE format('GRANT SELECT ON public.%I TO app', t);\n"
        "  EXECUTE format('CREATE INDEX %2$I ON %1$I (%I) -- 100%%', 'plans', 'plans_topic_idx') INTO r;\n"
        "  EXECUTE format($f$UPDATE %I SET s = %L$f$, 'plans', 'it''s');\n"
        "END $$;"
    )
    block = unwrap(source)
    assert block.dynamic == ()
    grant, index, update = block.statements
    assert (grant.text, grant.runtime_names) == ('GRANT SELECT ON public."%I" TO app', True)
    # A value stands where its specifier is written; an explicit position picks the value, and the
    # next specifier without one takes the value after it.
    assert (index.text, index.runtime_names) == ("CREATE INDEX plans_topic_idx ON plans (plans_topic_idx)", False)
    assert (update.text, update.runtime_names) == ("UPDATE plans SET s = 'it''s'", False)
    assert (grant.line, grant.column) == find(source, "GRANT")
    assert source[index.words[2].start : index.words[2].end] == "%2$I"


@pytest.mark.parametrize(
    "argument",
    [
        "format('DROP TABLE %s', t)",  # any SQL at all
        "format('UPDATE plans SET s = %L', v)",  # any value, a new enum label among them
        "format('DROP TABLE %I')",  # too few values: format() raises
        "format('DROP TABLE %*s', 5, 'x')",  # a width from a value
        "format('DROP TABLE x%5%', 'y')",  # format() refuses it
        "format('DROP TABLE x%100000000s', 'y')",  # padded beyond any migration's need
        "format('DROP TABLE %I', t) || ' CASCADE'",
        "format(template, t)",
        "pg_catalog.format('DROP TABLE %I', t)",
    ],
)
def test_execute_of_format_with_a_run_time_value_or_template_is_dynamic(argument: str) -> None:
    block = unwrap(f"DO $$ BEGIN EXECUTE {argument}; END $$;")
    assert [chunk.text for chunk in block.dynamic] == [f"EXECUTE {argument}"]
    assert block.statements == ()


def test_execute_of_run_time_values_is_dynamic() -> None:
    source = (
        "DO $$\nDECLARE t text := 'a';\nBEGIN\n"
        "  EXECUTE format('DROP TABLE %s', t);\n"
        "  EXECUTE 'DROP TABLE ' || quote_ident(t);\n"
        "  IF true THEN EXECUTE t; END IF;\n"
        "  FOR r IN EXECUTE 'SELECT ' || t LOOP NULL; END LOOP;\n"
        "  FOR r IN EXECUTE 'SELECT 1' LOOP NULL; END LOOP;\n"
        "END $$;"
    )
    block = unwrap(source)
    assert [chunk.text for chunk in block.dynamic] == [
        "EXECUTE format('DROP TABLE %s', t)",
        "EXECUTE 'DROP TABLE ' || quote_ident(t)",
        "EXECUTE t",
        "EXECUTE 'SELECT ' || t",
    ]
    assert [chunk.text for chunk in block.statements] == ["SELECT 1"]
    assert (block.dynamic[0].line, block.dynamic[0].column) == (4, 3)
    assert source[block.dynamic[0].start : block.dynamic[0].end] == block.dynamic[0].text


def test_a_cursor_runs_its_query_where_it_is_opened() -> None:
    source = (
        "DO $$\nDECLARE c refcursor; b CURSOR FOR SELECT 1;\nBEGIN\n"
        "  OPEN c FOR WITH d AS (DELETE FROM users RETURNING id) SELECT id FROM d;\n"
        "  OPEN c NO SCROLL FOR EXECUTE 'SELECT * FROM ' || t;\n"
        "  OPEN c FOR EXECUTE 'DELETE FROM users RETURNING id';\n"
        "  OPEN b;\n"
        "  CLOSE c;\n"
        "END $$;"
    )
    block = unwrap(source)
    assert [chunk.text for chunk in block.statements] == [
        "WITH d AS (DELETE FROM users RETURNING id) SELECT id FROM d",
        "DELETE FROM users RETURNING id",
        "SELECT 1",
    ]
    assert [chunk.text for chunk in block.dynamic] == ["EXECUTE 'SELECT * FROM ' || t"]


def test_the_first_declared_cursor_is_read_too() -> None:
    # The declaration right after DECLARE, where sqlglot's tokenizer folded the rest into one string.
    source = "DO $$ DECLARE c CURSOR FOR SELECT 1 FROM plans; BEGIN OPEN c; CLOSE c; END $$;"
    assert statements(source) == ["SELECT 1 FROM plans"]


def test_a_cursor_opened_twice_is_read_once() -> None:
    source = "DO $$ DECLARE c CURSOR FOR SELECT 1 FROM plans; BEGIN OPEN c; CLOSE c; OPEN c; CLOSE c; END $$;"
    block = unwrap(source)
    assert [chunk.text for chunk in block.statements] == ["SELECT 1 FROM plans"]
    assert all(source[word.start : word.end] == word.text for word in block.statements[0].words)


def test_a_variable_named_open_is_assigned_not_opened() -> None:
    assert statements("DO $$ DECLARE open int; BEGIN open := 1; END $$;") == []


def test_a_comment_in_a_body_ends_where_the_server_ends_it() -> None:
    # The server ends this comment at `*/*`'s `*/`, so the DROP runs (sqlglot's tokenizer hid it).
    block = unwrap("DO $$ BEGIN\n/* /* x */* y */ DROP TABLE users; -- */\nEND $$;")
    assert [chunk.text for chunk in block.statements] == ["DROP TABLE users"] and block.dynamic == ()


def test_a_cursor_whose_query_is_not_in_sight_is_dynamic() -> None:
    # A refcursor handed in from elsewhere, opened without a query.
    assert [chunk.text for chunk in unwrap("DO $$ DECLARE c refcursor := f(); BEGIN OPEN c; END $$;").dynamic] == [
        "OPEN c"
    ]


def test_compiler_options_before_the_block() -> None:
    source = "DO $$\n#variable_conflict use_column\n#print_strict_params on\nBEGIN DROP TABLE a; END $$;"
    assert statements(source) == ["DROP TABLE a"]


def test_nested_do_blocks() -> None:
    source = (
        "DO $outer$ BEGIN\n"
        "  DO $inner$ BEGIN DROP VIEW w; END $inner$;\n"
        "  EXECUTE 'DO $x$ BEGIN DROP SEQUENCE s; END $x$';\n"
        "  EXECUTE 'DO ''BEGIN DROP TYPE t; END''';\n"
        "END $outer$;"
    )
    block = unwrap(source)
    assert [chunk.text for chunk in block.statements] == ["DROP VIEW w", "DROP SEQUENCE s", "DROP TYPE t"]
    assert [(chunk.line, chunk.column) for chunk in block.statements] == [
        find(source, "DROP VIEW"),
        find(source, "DROP SEQUENCE"),
        find(source, "DROP TYPE"),
    ]


def test_functions_created_inside_a_block_keep_their_bodies() -> None:
    function = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; DELETE FROM t; END"
    source = f"DO $$ BEGIN {function}; CREATE FUNCTION g() AS 'DROP TABLE x; SELECT 1' LANGUAGE sql; END $$;"
    assert statements(source) == [function, "CREATE FUNCTION g() AS 'DROP TABLE x; SELECT 1' LANGUAGE sql"]


def test_deep_nesting_is_dynamic_not_a_crash() -> None:
    depth = 500
    body = "IF true THEN " * depth + "DROP TABLE a;" + " END IF;" * depth
    block = unwrap(f"DO $$ BEGIN {body} END $$;")
    assert block.statements == ()
    assert len(block.dynamic) == 1
    chain = "DROP TABLE a"
    for level in range(80):
        chain = f"DO $d{level}$ BEGIN EXECUTE $e{level}$ {chain} $e{level}$; END $d{level}$"
    block = unwrap(chain)
    assert block.statements == ()
    assert len(block.dynamic) == 1
    assert "DROP TABLE a" in block.dynamic[0].text


# --- properties ----------------------------------------------------------------------------------

BODY_PARTS = [
    "BEGIN",
    "END",
    ";",
    "IF",
    "THEN",
    "ELSE",
    "ELSIF",
    "END IF",
    "LOOP",
    "END LOOP",
    "EXCEPTION",
    "WHEN",
    "others",
    "THEN null;",
    "ALTER TABLE x ADD y int;",
    "EXECUTE 'DROP TABLE a';",
    "EXECUTE 'a'' ; b' || E'\\n c';",
    "EXECUTE format('x');",
    "x := 1;",
    "PERFORM f();",
    "CASE",
    "FOR r IN SELECT 1 LOOP",
    "FOR i IN 1..3 LOOP",
    "WHILE",
    "DECLARE",
    "n int;",
    "<<l>>",
    "(",
    ")",
    "'s'",
    "$$",
    "$q$",
    "/* c */",
    "-- c\n",
    "\n",
    "\r\n",
    "DO $i$ BEGIN DROP TABLE z; END $i$;",
    "RAISE NOTICE 'x';",
    "NULL;",
    "EXECUTE",
    "INTO",
    "USING",
    "'",
    "E'\\''",
    "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END;",
]
GOOD_BODIES = [
    "BEGIN ALTER TABLE a ADD b int; END",
    "BEGIN IF x THEN DROP TABLE y; ELSIF z THEN NULL; ELSE EXECUTE 'DROP TABLE q; DROP TABLE r'; END IF; END",
    "DECLARE n int; BEGIN FOR r IN SELECT 1 LOOP n := n + 1; UPDATE t SET a = 1 WHERE b = 2; END LOOP; "
    "EXCEPTION WHEN others THEN NULL; END",
]


@st.composite
def do_sources(draw: st.DrawFn) -> str:
    words = draw(st.sampled_from(GOOD_BODIES)).split(" ")
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(words)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert" or not words:
            words.insert(where, draw(st.sampled_from(BODY_PARTS)))
        elif action == "delete":
            del words[min(where, len(words) - 1)]
        else:
            words[min(where, len(words) - 1)] = draw(st.sampled_from(BODY_PARTS))
    body = " ".join(words)
    quote = draw(st.sampled_from(["$$", "$b$", "'"]))
    if quote == "'":
        body = body.replace("'", "''")
    prefix = draw(st.sampled_from(["", "SELECT 1;\r\n", f"SELECT 1;{BP}\n"]))
    return f"{prefix}DO {quote}{body}{quote}" + draw(st.sampled_from([";", "", " LANGUAGE plpgsql;"]))


def check_block(source: str) -> None:
    for chunk in split_sql(source):
        if not is_do_block(chunk):
            continue
        block = unwrap_do_block(source, chunk)
        for inner in block.statements + block.dynamic:
            assert chunk.start <= inner.start <= inner.end <= chunk.end
            assert (inner.line, inner.column) == position(source, inner.start)
            if "$" in source[chunk.start : chunk.start + 4] and "EXECUTE" not in chunk.text:
                assert source[inner.start : inner.end] == inner.text
            for word in inner.words:
                assert inner.start <= word.start < word.end <= inner.end
            for comment in inner.leading_comments:
                assert chunk.start <= comment.start < inner.start


@settings(max_examples=800, deadline=None)
@given(do_sources())
def test_unwrapping_mutated_blocks_never_raises(source: str) -> None:
    check_block(source)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"BEGIN END;IFTHX'$()\n :=", "LOOP", "DO ", "EXECUTE "])).map("".join))
def test_unwrapping_random_bodies_never_raises(body: str) -> None:
    check_block(f"DO $$ {body} $$;")
    check_block("DO '" + body.replace("'", "''") + "';")
