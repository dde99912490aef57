"""The smoke gate's inputs: where the app and its database are, who to be, and how long to wait.

Each input comes from the smoke variable when set, else from the environment's entry in
`gates.toml` (API URL, database URL variable). Budgets default to the design's 60 s of polling
within 90 s in all; `SMOKE_POLL_BUDGET_S` and `SMOKE_TOTAL_BUDGET_S` change them (the suite's own
tests use seconds, not minutes). Every missing or wrong input is named, in one sentence per input.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from gates.config import Environment
from gates.dsn import Dsn
from gates.env import EnvError, env_number
from gates.inputs import InputError, Inputs, MissingInput, database_url
from gates.secret import Secret
from gates.secret_env import read_secret
from smoke.auth import CLERK_API_URL, ClerkCredentials, StaticToken

DEFAULT_POLL_BUDGET_S = 60.0
DEFAULT_TOTAL_BUDGET_S = 90.0


@dataclass(frozen=True)
class SmokeSettings:
    api_url: str
    database_url: Dsn
    test_user: str  # the Clerk user id of the smoke-test user
    auth: StaticToken | ClerkCredentials
    poll_budget_s: float = DEFAULT_POLL_BUDGET_S
    total_budget_s: float = DEFAULT_TOTAL_BUDGET_S


def resolve(environment: Environment, environ: Mapping[str, str] = os.environ) -> SmokeSettings:
    """The settings for a smoke run against `environment`. Every input is read before any problem is
    raised, so one run names them all: wrong ones first (they fail even where a missing one may skip)."""
    problems = Inputs()
    api_url = problems.read(lambda: _api_url(environment, environ))
    database_url = problems.read(lambda: _database_url(environment, environ))
    test_user = problems.read(lambda: _test_user(environ))
    auth = problems.read(lambda: _auth(environ, test_user or ""))
    budgets = problems.read(lambda: _budgets(environ))
    problems.raise_any()
    assert api_url and database_url and test_user and auth and budgets  # each read succeeded
    return SmokeSettings(
        api_url=api_url,
        database_url=database_url,
        test_user=test_user,
        auth=auth,
        poll_budget_s=budgets[0],
        total_budget_s=budgets[1],
    )


def _api_url(environment: Environment, environ: Mapping[str, str]) -> str:
    where = f"[environments.{environment.name}]"
    api_url = environ.get("SMOKE_TEST_API_URL") or environment.api_url
    if not api_url:
        raise MissingInput(f"no API URL for {environment.name}: set SMOKE_TEST_API_URL or api_url in {where}")
    if "@" in urlsplit(api_url).netloc:
        # httpx would send the user info as Basic auth in place of the key, to a server that may echo it.
        source = "SMOKE_TEST_API_URL" if environ.get("SMOKE_TEST_API_URL") else f"api_url in {where}"
        raise InputError(f"{source} holds user info (user:password@): remove it, the key is sent as a bearer")
    return api_url


def _database_url(environment: Environment, environ: Mapping[str, str]) -> Dsn:
    name = "SMOKE_TEST_DATABASE_URL" if environ.get("SMOKE_TEST_DATABASE_URL") else environment.database_url_env
    how = f"set SMOKE_TEST_DATABASE_URL or {environment.database_url_env} to the {environment.name} app's database URL"
    return database_url(environ, name, how)


def _test_user(environ: Mapping[str, str]) -> str:
    test_user = environ.get("SMOKE_TEST_CLERK_USER_ID")
    if not test_user:
        raise MissingInput("SMOKE_TEST_CLERK_USER_ID is not set: name the Clerk user id of the smoke-test user")
    return test_user


def _budgets(environ: Mapping[str, str]) -> tuple[float, float]:
    problems = Inputs()
    poll_budget = problems.read(lambda: _seconds(environ, "SMOKE_POLL_BUDGET_S", DEFAULT_POLL_BUDGET_S))
    total_budget = problems.read(lambda: total_budget_s(environ))
    problems.raise_any()
    assert poll_budget is not None and total_budget is not None
    if poll_budget >= total_budget:
        raise InputError(
            f"SMOKE_POLL_BUDGET_S ({poll_budget:g}) must be below SMOKE_TOTAL_BUDGET_S ({total_budget:g}), "
            "leaving time to create, verify and clean up"
        )
    return poll_budget, total_budget


def total_budget_s(environ: Mapping[str, str] = os.environ) -> float:
    """The whole run's budget (the gate's pytest-timeout)."""
    return _seconds(environ, "SMOKE_TOTAL_BUDGET_S", DEFAULT_TOTAL_BUDGET_S)


def _auth(environ: Mapping[str, str], test_user: str) -> StaticToken | ClerkCredentials:
    api_key = _credential(environ, "SMOKE_TEST_API_KEY")
    clerk_key = _credential(environ, "CLERK_SECRET_KEY")
    if api_key and clerk_key:
        raise InputError(
            "both SMOKE_TEST_API_KEY and CLERK_SECRET_KEY are set: set only the one the app accepts "
            "(a static key for the stand-in, Clerk for the real app)"
        )
    if api_key:
        return StaticToken(api_key)
    if clerk_key:
        return ClerkCredentials(clerk_key, test_user, environ.get("CLERK_API_URL") or CLERK_API_URL)
    raise MissingInput(
        "no credentials: set CLERK_SECRET_KEY (the real app, behind Clerk) or SMOKE_TEST_API_KEY (the stand-in)"
    )


def _credential(environ: Mapping[str, str], name: str) -> Secret | None:
    """A key as it goes into an `Authorization` header. Whitespace around it (a pasted newline) is
    dropped; anything else a header cannot carry is refused here, by name only, because the HTTP
    library's own error would quote the whole header, key included."""
    value = read_secret(environ, name)
    if not all("!" <= char <= "~" for char in value.reveal()):
        raise InputError(f"{name} holds spaces, control or non-ASCII characters; check how it was pasted")
    return value or None


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    try:
        return env_number(environ, name, default, minimum=0, exclusive=True)
    except EnvError as error:
        raise InputError(str(error)) from None
