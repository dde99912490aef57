"""Numbers from environment variables: one rule and one wording for the smoke gate and the stand-in."""

from __future__ import annotations

import pytest

from gates.env import EnvError, env_number


def test_an_unset_or_empty_variable_gives_the_default() -> None:
    assert env_number({}, "X", 7, minimum=0) == 7.0
    assert env_number({"X": " "}, "X", 7, minimum=0) == 7.0
    assert env_number({"X": "2.5"}, "X", 7, minimum=0) == 2.5
    assert env_number({"X": "0"}, "X", 7, minimum=0) == 0.0


@pytest.mark.parametrize(
    ("raw", "exclusive", "message"),
    [
        ("soon", False, "X='soon' is not a number"),
        ("nan", False, "X='nan' is not a finite number"),
        ("inf", False, "X='inf' is not a finite number"),
        ("-1", False, "X='-1' must be at least 0"),
        ("0", True, "X='0' must be above 0"),
    ],
)
def test_an_unusable_value_is_one_sentence_naming_the_variable(raw: str, exclusive: bool, message: str) -> None:
    with pytest.raises(EnvError) as raised:
        env_number({"X": raw}, "X", 1, minimum=0, exclusive=exclusive)
    assert str(raised.value) == message
