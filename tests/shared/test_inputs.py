"""Every input of a gate is read before any is raised: one sentence names them all, wrong ones first."""

from __future__ import annotations

import pytest

from gates.env import env_number
from gates.inputs import InputError, Inputs, MissingInput, api_url, database_url, required


def test_wrong_inputs_come_first_and_make_the_whole_report_wrong() -> None:
    inputs = Inputs()
    assert inputs.read(lambda: required({}, "A_KEY", "set it")) is None
    assert inputs.read(lambda: env_number({"A_BUDGET_S": "abc"}, "A_BUDGET_S", 1.0, minimum=0)) is None
    with pytest.raises(InputError) as caught:
        inputs.raise_any("gate cannot run: ")
    assert not isinstance(caught.value, MissingInput)  # fails even where a missing one may skip
    assert str(caught.value) == "gate cannot run: A_BUDGET_S='abc' is not a number; A_KEY is not set: set it"


def test_only_missing_inputs_are_a_missing_input() -> None:
    inputs = Inputs()
    inputs.read(lambda: required({}, "A", "set A"))
    inputs.read(lambda: required({"B": "  "}, "B", "set B"))
    with pytest.raises(MissingInput, match=r"^A is not set: set A; B is not set: set B$"):
        inputs.raise_any()


def test_usable_inputs_raise_nothing() -> None:
    inputs = Inputs()
    assert inputs.read(lambda: required({"A": " x "}, "A", "set A")) == "x"
    inputs.raise_any()


@pytest.mark.parametrize("value", ["api.github.com", "ftp://api.github.com", "https://", "https://u:pw@host"])
def test_an_api_url_that_is_no_http_url_is_wrong_and_never_shown(value: str) -> None:
    with pytest.raises(InputError, match=r"^AN_API_URL ") as caught:
        api_url({"AN_API_URL": value}, "AN_API_URL", "https://default")
    assert not isinstance(caught.value, MissingInput) and value not in str(caught.value)


def test_an_unset_api_url_is_the_default() -> None:
    assert api_url({}, "AN_API_URL", "https://default") == "https://default"
    assert api_url({"AN_API_URL": "http://127.0.0.1:8080/"}, "AN_API_URL", "https://default") == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("postgresql://app:X/S3cret@db.example.com/app", "percent-encode"),  # libpq reads host 'X'
        ("host=db.example.com password=S3cret bogus_option=1", "not a valid Postgres connection string"),
    ],
)
def test_a_database_url_libpq_would_misread_is_wrong_named_and_masked(value: str, why: str) -> None:
    with pytest.raises(InputError, match=r"^A_DATABASE_URL is unusable: ") as caught:
        database_url({"A_DATABASE_URL": value}, "A_DATABASE_URL", "set it")
    assert not isinstance(caught.value, MissingInput) and why in str(caught.value)
    assert "S3cret" not in str(caught.value)


def test_a_database_url_is_read_masked_or_missing() -> None:
    url = database_url({"A_DATABASE_URL": " postgresql://app:S3cret@db/app "}, "A_DATABASE_URL", "set it")
    assert url == "postgresql://app:S3cret@db/app" and "S3cret" not in repr(url)
    with pytest.raises(MissingInput, match=r"^A_DATABASE_URL is not set: set it$"):
        database_url({}, "A_DATABASE_URL", "set it")
