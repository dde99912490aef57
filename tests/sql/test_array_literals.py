"""Array literals read as the server reads them: the elements an enum's new label may hide in."""

from __future__ import annotations

import pytest

from migrations_checks.lint.sql.literals import array_elements


@pytest.mark.parametrize(
    ("literal", "elements"),
    [
        ('{a,"b c"}', ["a", "b c"]),  # drizzle-kit's array default
        ("{ a , b c }", ["a", "b c"]),  # spaces around an element are no part of it
        ('{" a " , b}', [" a ", "b"]),  # unless it is quoted
        ('{"b,c",x}', ["b,c", "x"]),
        ('{"a\\"q",b\\,c}', ['a"q', "b,c"]),  # backslashes escape a quote or a comma
        ("{{a},{b}}", ["a", "b"]),  # two dimensions
        ("[1:2]={a,b}", ["a", "b"]),  # explicit bounds
        ("[1:2][1:1]={{a},{b}}", ["a", "b"]),
        ("{a,NULL,null}", ["a"]),  # an unquoted NULL is no element's value
        ('{"NULL"}', ["NULL"]),
        ("{}", []),
        ("a", []),
        ("{a", []),
    ],
)
def test_array_elements(literal: str, elements: list[str]) -> None:
    assert array_elements(literal) == elements
