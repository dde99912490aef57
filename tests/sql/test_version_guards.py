"""Which branch of a PL/pgSQL IF a comparison of the server's version guards."""

from __future__ import annotations

import pytest

from migrations_checks.lint.sql.lexer import tokenize
from migrations_checks.lint.sql.version_guards import guarded_majors

VERSION = "current_setting('server_version_num')::int"


@pytest.mark.parametrize(
    ("condition", "majors"),
    [
        (f"{VERSION} >= 170000", (17, 0)),
        (f"{VERSION} > 169999", (17, 0)),
        (f"{VERSION} >= 170004", (17, 0)),
        ("(SELECT current_setting('server_version_num')::integer) >= 180000", (18, 0)),
        ("pg_catalog.current_setting('server_version_num', true)::int8 >= 160000", (16, 0)),
        (f"{VERSION} >= 170000 AND NOT EXISTS (SELECT 1 FROM t WHERE a >= 3)", (17, 0)),  # narrows THEN only
        (f"{VERSION} < 170000", (0, 17)),
        (f"{VERSION} <= 169999", (0, 17)),
        # no guard: either branch may run on any version
        (f"{VERSION} < 170000 AND x", (0, 0)),
        (f"{VERSION} >= 170000 OR x", (0, 0)),
        ("x >= 170000", (0, 0)),
        ("current_setting('server_version') >= '17'", (0, 0)),
        (f"{VERSION} >= 170000 + 1", (0, 0)),
        (f"{VERSION} = 170000", (0, 0)),
        (f"NOT {VERSION} >= 170000", (0, 0)),  # NOT (v >= n): true on older versions
        (f"NOT {VERSION} < 170000", (0, 0)),
        (f"{VERSION} + 10000 >= 170000", (0, 0)),  # true on 16
        ("current_setting('SERVER_VERSION_NUM')::int >= 170000", (17, 0)),  # settings' names fold case
    ],
)
def test_a_comparison_of_the_version_with_a_constant_guards_a_branch(condition: str, majors: tuple[int, int]) -> None:
    assert guarded_majors(tokenize(condition)[0]) == majors
