"""A gate's inputs, read all before any problem is raised, so one run names every one to fix.

An input is wrong (set, but unusable: a typo, a contradiction) or missing (not set at all). Both
are named in one sentence, wrong ones first: a wrong input fails the gate everywhere, even in a
local run where a missing one alone may skip it (`gates.failclosed`), so it must never hide
behind a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NoReturn, TypeVar
from urllib.parse import urlsplit

from gates.config import Environment
from gates.dsn import Dsn, unusable
from gates.env import EnvError
from gates.failclosed import cannot_decide, fail
from gates.secret import Secret
from gates.secret_env import read_secret

_Value = TypeVar("_Value")


class InputError(Exception):
    """An input is set but unusable; the message says which and how to fix it."""


class MissingInput(InputError):
    """An input is not set at all: the only case in which a local run may skip the gate."""


class Inputs:
    """The sentences of every unusable input of one gate, wrong and missing kept apart."""

    def __init__(self) -> None:
        self.wrong: list[str] = []
        self.missing: list[str] = []

    def read(self, reader: Callable[[], _Value]) -> _Value | None:
        """What `reader` returns, or None with its problem noted (an `EnvError` is a wrong input)."""
        try:
            return reader()
        except MissingInput as error:
            self.missing.append(str(error))
        except (InputError, EnvError) as error:
            self.wrong.append(str(error))
        return None

    def sentence(self) -> str:
        return "; ".join(self.wrong + self.missing)

    def raise_any(self, prefix: str = "") -> None:
        """Raise InputError when any input is wrong, else MissingInput when any is missing."""
        if self.wrong:
            raise InputError(prefix + self.sentence())
        if self.missing:
            raise MissingInput(prefix + self.sentence())

    def settle(self, environment: Environment, prefix: str = "") -> None:
        """Stop the current gate when any input is unusable: fail on a wrong one, else `cannot_decide`."""
        try:
            self.raise_any(prefix)
        except InputError as error:
            stop(environment, error)


def stop(environment: Environment, error: InputError) -> NoReturn:
    """Stop the current gate with an input problem raised elsewhere: skip locally only when missing."""
    if isinstance(error, MissingInput):
        cannot_decide(environment, str(error))
    fail(str(error))


def required(environ: Mapping[str, str], name: str, how: str) -> str:
    """`name`'s value, stripped; MissingInput saying `how` to provide it when unset or blank."""
    return _present(environ.get(name, "").strip(), name, how)


def required_secret(environ: Mapping[str, str], name: str, how: str) -> Secret:
    """`name` read through `gates.secret_env.read_secret` (so it is masked); MissingInput when unset or blank."""
    return _present(read_secret(environ, name), name, how)


def database_url(environ: Mapping[str, str], name: str, how: str) -> Dsn:
    """`name` as a connection string libpq reads as it was meant: MissingInput saying `how` when
    unset, InputError naming the variable (the URL masked) when libpq cannot read it or would read
    another server or database into it (an unencoded '/' in the password)."""
    # Wrapped as it is read: no local of ours holds the URL as a plain str.
    url = _present(Dsn(environ.get(name, "").strip()), name, how)
    problem = unusable(url)
    if problem:
        raise InputError(f"{name} is unusable: {problem}")
    return url


_Text = TypeVar("_Text", str, Dsn, Secret)


def _present(value: _Text, name: str, how: str) -> _Text:
    if not value:
        raise MissingInput(f"{name} is not set: {how}")
    return value


def api_url(environ: Mapping[str, str], name: str, default: str) -> str:
    """`name` as an http(s) URL, or `default` when unset (see `optional_api_url`)."""
    return optional_api_url(environ, name) or default


def optional_api_url(environ: Mapping[str, str], name: str) -> str | None:
    """`name` as an http(s) URL without user info (httpx would send that as Basic auth), or None
    when unset; InputError naming the variable, never its value, when it is not one."""
    value = environ.get(name, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{name} is not an http(s) URL: set it to the API's base URL, or unset it")
    if "@" in parts.netloc:
        raise InputError(f"{name} holds user info (user:password@): remove it, the token is sent as a bearer")
    return value.rstrip("/")
