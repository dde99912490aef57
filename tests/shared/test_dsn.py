"""Connection strings: every password is masked before printing, and the guard's comparison sees
through spellings that name the same database."""

from __future__ import annotations

import psycopg
import pytest

from gates.dsn import Dsn, database_name, mask, parse, with_database
from gates.secret import Secret


@pytest.mark.parametrize(
    ("conninfo", "masked"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pw@h/db?password=leak", "postgresql://u:***@h/db?password=***"),
        (
            "postgresql://u@h/db?sslmode=require&password=leak&application_name=x",
            "postgresql://u@h/db?sslmode=require&password=***&application_name=x",
        ),
        ("postgres://u@h/db?sslpassword=leak", "postgres://u@h/db?sslpassword=***"),
        ("postgresql://u@h/db?PASSWORD=leak&pass%77ord=leak", "postgresql://u@h/db?PASSWORD=***&pass%77ord=***"),
        ("postgresql://u@h/db?options=-c%20search_path%3Dx", "postgresql://u@h/db?options=-c%20search_path%3Dx"),
        ("host=h password=leak dbname=db", "host=h password=*** dbname=db"),
        ("host=h password = 'le ak' dbname=db", "host=h password = *** dbname=db"),
        ("host=h sslpassword=leak sslkey=/k dbname=db", "host=h sslpassword=*** sslkey=/k dbname=db"),
        # libpq reads `#` and `?` in the user info as part of the password; a URL parser does not.
        ("postgresql://u:le#ak@h:1/db", "postgresql://u:***@h:1/db"),
        ("postgresql://u:le?ak@h/db?password=leak", "postgresql://u:***@h/db?password=***"),
        ("postgresql://u:le@ak@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:leak@h", "postgresql://u:***@h"),
        ("host=h password=le\\ ak dbname=db", "host=h password=*** dbname=db"),  # `\ ` is a space in it
    ],
)
def test_every_password_is_masked(conninfo: str, masked: str) -> None:
    assert mask(conninfo) == masked
    assert "leak" not in mask(conninfo)


def test_a_dsn_shows_only_masked_in_a_repr_and_in_containers() -> None:
    url = Dsn("postgresql://app:leak@db.example.com/app")

    assert repr(url) == "'postgresql://app:***@db.example.com/app'"
    assert repr({"DATABASE_URL_PROD": url}) == "{'DATABASE_URL_PROD': 'postgresql://app:***@db.example.com/app'}"
    assert str(url) == "postgresql://app:leak@db.example.com/app"  # drivers still get the real value


@pytest.mark.parametrize(
    ("conninfo", "masked"),
    [
        # libpq ends the user info at the first `/`: the rest is host, port and database to it.
        ("postgresql://u:X/S3cret@host/db", "postgresql://***@host/db"),
        (
            "postgresql://u:X/S3cret@host/db?sslmode=require&password=S3cret",
            "postgresql://***@host/db?sslmode=require&password=***",
        ),
        ("postgres://u:X/S3/cret@host:5433/db", "postgres://***@host:5433/db"),
        # a keyword string's dbname may itself be a URI, which libpq expands
        ("dbname=postgresql://u:S3cret@h/db connect_timeout=3", "dbname=postgresql://u:***@h/db connect_timeout=3"),
    ],
)
def test_a_password_libpq_cannot_delimit_masks_the_whole_user_info(conninfo: str, masked: str) -> None:
    assert mask(conninfo) == masked
    assert "S3" not in mask(conninfo)


def test_a_string_libpq_cannot_read_is_refused_masked() -> None:
    with pytest.raises(psycopg.ProgrammingError) as refused:
        database_name("host=h password='S3cret")
    assert "S3cret" not in str(refused.value)
    with pytest.raises(psycopg.ProgrammingError) as refused:
        database_name("postgresql://u:pw@h/db?S3cret")
    assert "S3cret" not in str(refused.value)


def test_another_database_on_the_same_server_is_a_masked_dsn() -> None:
    """Every caller held it as a Dsn; a plain str in between would show the password in a traceback."""
    url = with_database("postgresql://app:S3cret@db.example:5432/app?sslmode=require", "postgres")
    assert isinstance(url, Dsn) and "S3cret" not in repr(url)
    assert database_name(url) == "postgres" and "sslmode=require" in url and "S3cret" in url


def test_parsed_parameters_hold_each_password_masked() -> None:
    # A caller keeps them in a local while it resolves host names; --showlocals prints that local.
    params = parse("postgresql://app:S3cret-pw@db.example/app?sslpassword=K3y-pass&sslmode=require")
    assert "S3cret-pw" not in repr(params) and "K3y-pass" not in repr(params)
    assert [str(params[key]) for key in ("host", "dbname", "sslmode")] == ["db.example", "app", "require"]
    password = params["password"]
    assert isinstance(password, Secret) and password.reveal() == "S3cret-pw"
