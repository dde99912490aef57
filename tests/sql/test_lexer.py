"""The lexer: words as the server's scanner reads them, with exact offsets, on any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrations_checks.lint.sql.lexer import WHITESPACE, tokenize


def words(text: str) -> list[tuple[str, str]]:
    found, lexed = tokenize(text)
    assert lexed, text
    return [(word.kind, word.text) for word in found]


def test_words_keywords_and_names() -> None:
    found, _ = tokenize('ALTER TABLE "Plans" ADD "a""b" int, café_1$x text')
    assert [(word.text, word.kind, word.upper) for word in found] == [
        ("ALTER", "word", "ALTER"),
        ("TABLE", "word", "TABLE"),
        ("Plans", "quoted", ""),
        ("ADD", "word", "ADD"),
        ('a"b', "quoted", ""),
        ("int", "word", "INT"),
        (",", "symbol", ""),
        ("café_1$x", "word", "CAFÉ_1$X"),
        ("text", "word", "TEXT"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'it''s'", "it's"),
        # An E string's backslash escapes read, as the server reads them (an enum label written so, say).
        ("E'a\\'b'", "a'b"),
        ("E'\\x6eew'", "new"),
        ("E'\\156\\u0065\\U00000077'", "new"),
        ("E'\\303\\251t\\xC3\\xA9'", "été"),  # the bytes of escapes read as UTF-8
        ("E'tab\\tback\\\\slash\\q'", "tab\tback\\slashq"),
        ("E'\\''''", "''"),  # an escaped quote, then a doubled one
        ("e'x'\n  'y'", "xy"),  # an E string continued on a later line is one string
        ("E'x' -- note\n'y'", "xy"),
        ("$$ it's; $$", " it's; "),
        ("$fn$ $$ $fn$", " $$ "),
        ("B'101'", "101"),
        ("X'1F'", "1F"),
        ("N'n'", "n"),
        ("U&'d\\0061'", "da"),
        ("u&'d!0061t!+000061' UESCAPE '!'", "data"),
        ("U&'\\D83D\\DE00 \\\\'", "\U0001f600 \\"),  # a surrogate pair, and the escape doubled
    ],
)
def test_strings(text: str, value: str) -> None:
    assert words(text) == [("string", value)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('U&"\\0075sers"', "users"),
        ("u&\"d!0061t!+000061\" uescape '!'", "data"),
        ('U&"a""b"', 'a"b'),
    ],
)
def test_unicode_identifiers_are_read_with_their_escapes(text: str, name: str) -> None:
    # The U& values here and in test_strings are what Postgres 16.2 returns for them.
    assert words(text) == [("quoted", name)]


def test_a_plain_string_continues_on_a_later_line_and_its_backslashes_are_text() -> None:
    assert words("'a\\'\n'b'") == [("string", "a\\b")]
    assert words("'a' 'b'") == [("string", "a"), ("string", "b")]  # no line break: two strings
    assert words("B'01' -- bits\n'10' x'0F'\n  'FF'") == [("string", "0110"), ("string", "0FFF")]


def test_numbers_parameters_and_symbols() -> None:
    assert words("1 1.5e3 .5 0x1F 1_000 $1 :: := .. ; ( ) [ ] .") == [
        ("number", "1"),
        ("number", "1.5e3"),
        ("number", ".5"),
        ("number", "0x1F"),
        ("number", "1_000"),
        ("symbol", "$1"),
        *[("symbol", symbol) for symbol in ["::", ":=", "..", ";", "(", ")", "[", "]", "."]],
    ]
    assert words("1..5") == [("number", "1"), ("symbol", ".."), ("number", "5")]


@pytest.mark.parametrize(
    ("text", "operators"),
    [
        ("a->>'k'", ["->>"]),
        ("<<outer>>", ["<<", ">>"]),
        ("a=-1", ["=", "-"]),  # a trailing `-` is cut off an operator made only of `+-*/<>=`
        ("a@-1", ["@-"]),  # ... but not off one holding `~!@#%^&|`?`
        ("a+--c\n", ["+"]),  # an operator ends where a comment starts
        ("2*/*c*/3", ["*"]),
    ],
)
def test_operators_are_cut_where_the_server_cuts_them(text: str, operators: list[str]) -> None:
    assert [value for kind, value in words(text) if kind == "symbol"] == operators


def test_comments_are_no_words_and_nest() -> None:
    assert words("a -- b\n/* c /* d */ e */ f") == [("word", "a"), ("word", "f")]
    assert words("/* x */* y */ z") == [("symbol", "*"), ("word", "y"), ("symbol", "*/"), ("word", "z")]


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("SELECT 'a;\nb  \n", "'a;\nb"),
        ('SELECT "a', '"a'),
        ("SELECT $$ a; b ", "$$ a; b"),
        ("SELECT $q$ a $$ ", "$q$ a $$"),
        ("SELECT /* a /* b */ c", "/* a /* b */ c"),
        ("SELECT E'a\\'; b", "E'a\\'; b"),
        ('SELECT U&"a', 'U&"a'),
    ],
)
def test_an_unterminated_quote_or_comment_runs_to_the_end(text: str, rest: str) -> None:
    found, lexed = tokenize(text)
    assert not lexed
    assert [(word.kind, word.text) for word in found] == [("word", "SELECT"), ("unterminated", rest)]
    assert text[found[-1].start : found[-1].end] == rest


@pytest.mark.timeout(60)  # backtracking gone exponential would take years here, not seconds
@pytest.mark.parametrize("filler", ["\n", " \n", "\n ", "-- a -- b\n", " -- c\n\n"])
def test_blank_lines_after_an_escape_string_are_read_in_linear_time(filler: str) -> None:
    # Found in review: the continuation pattern once tried every way to split such a run.
    assert words(f"SELECT E'a'{filler * 2000}x") == [("word", "SELECT"), ("string", "a"), ("word", "x")]
    assert words(f"SELECT E'a'{filler * 2000}'b'") == [("word", "SELECT"), ("string", "ab")]


def test_only_the_servers_whitespace_separates_words() -> None:
    # A no-break space is a letter to the server: `\xa0SELECT` is one (unknown) word.
    assert words("\xa0SELECT 1") == [("word", "\xa0SELECT"), ("number", "1")]


def test_a_range_of_a_text_keeps_the_texts_offsets() -> None:
    text = "SELECT 1; DROP TABLE t; SELECT 2"
    found, lexed = tokenize(text, 10, 22)
    assert lexed
    assert [(word.text, text[word.start : word.end]) for word in found] == [
        ("DROP", "DROP"),
        ("TABLE", "TABLE"),
        ("t", "t"),
    ]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab1 '\"$;-/*E\\\n().:=<>", "\xa0", "é"]), max_size=40))
def test_words_are_in_order_within_the_text_and_between_them_is_nothing_but_space_and_comments(text: str) -> None:
    found, lexed = tokenize(text)
    previous = 0
    for word in found:
        assert previous <= word.start < word.end <= len(text)
        gap = text[previous : word.start]
        assert not gap.strip(WHITESPACE) or "--" in gap or "/*" in gap, (text, gap)
        if word.kind in ("word", "number", "symbol", "unterminated"):
            assert text[word.start : word.end] == word.text
        previous = word.end
    assert lexed == (not found or found[-1].kind != "unterminated")
