"""The environment variables that hold secrets, named in one place.

A reader takes a token or key from the environment only through `read_secret`, which refuses a
name that is not listed here; the Actions reporting registers the value of every listed variable
with `::add-mask::`. So a secret cannot be read without being masked. Database URL variables named
in gates.toml (`database_url_env`) are added to the masks from the config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import psycopg.conninfo

from gates.secret import Secret

if TYPE_CHECKING:
    from gates.config import GatesConfig

# Tokens and keys, and who reads them.
SECRET_VARIABLES: Mapping[str, str] = {
    "GITHUB_TOKEN": "the GitHub client: staging-green, commit statuses, the migration review",
    "FLY_API_TOKEN": "flyctl, through fly.flyctl",
    "FLY_ACCESS_TOKEN": "flyctl itself, when FLY_API_TOKEN is not set",
    "VERCEL_TOKEN": "the vercel CLI and API, through drills.vercel_cli",
    "NEON_API_KEY": "the Neon API, through gates.neon",
    "SMOKE_TEST_API_KEY": "the smoke gate's static bearer key",
    "CLERK_SECRET_KEY": "the smoke gate's Clerk Backend API key",
    "STANDIN_API_KEY": "the local stand-in app's bearer key",
    "STANDIN_RUN_TOKEN": "the local stand-in's run token",
}
# Connection strings read by a fixed name, and the default `database_url_env` of each environment;
# the password of each is masked on its own too.
DATABASE_URL_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_URL_STAGING",
    "DATABASE_URL_PROD",
    "SMOKE_TEST_DATABASE_URL",
    "GATES_SCRATCH_DATABASE_URL",
)


class UnregisteredSecret(LookupError):
    """A reader asked for a secret variable that is not in `SECRET_VARIABLES`, so it would not be masked."""


def read_secret(environ: Mapping[str, str], name: str) -> Secret:
    """The variable `name` as a `Secret`, whitespace around it dropped; empty (false) when unset."""
    if name not in SECRET_VARIABLES:
        raise UnregisteredSecret(f"{name} is read as a secret but is not in gates.secret_env.SECRET_VARIABLES")
    return Secret((environ.get(name) or "").strip())


def secret_values(gates: GatesConfig | None) -> list[str]:
    """The values of every secret variable that is set, and each database URL (the fixed names and
    gates.toml's `database_url_env`) with its password alone: what the Actions runner is told to
    mask, and what `gates.report_masking` masks in pytest's reports."""
    urls = list(DATABASE_URL_VARIABLES)
    if gates is not None:
        urls += [env.database_url_env for env in gates.environments.values() if env.database_url_env not in urls]
    values = [value for name in SECRET_VARIABLES if (value := os.environ.get(name, "")).strip()]
    for name in urls:
        value = os.environ.get(name, "")
        if not value.strip():
            continue
        values.append(value)
        try:
            password = psycopg.conninfo.conninfo_to_dict(value).get("password")
        except psycopg.ProgrammingError:
            password = None
        if password:
            values.append(str(password))
    return values
