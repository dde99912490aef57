"""What each drill runs against, resolved from the config and the environment, shared by the gates and `gates drill`.

Locally the Neon drill stands on `LocalNeon` over the server of the local database
(`DATABASE_URL`); elsewhere on the Neon API (`NEON_API_KEY`, `NEON_PROJECT_ID`) and the
environment's `neon_branch`, compared with the environment's database URL. Anything missing is a
`MissingInput` naming it and how to provide it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from drills.neon_drill import NeonDrillTarget
from gates.config import Environment, GatesConfig
from gates.dsn import Dsn, database_name
from gates.local_neon import LocalNeon
from gates.neon import NeonClient, NeonError, NeonLike
from migrations_checks.lint.reader import InputError, MigrationSet, read_configured


class MissingInput(Exception):
    """A drill cannot run: one sentence naming what is missing and how to provide it."""


@contextmanager
def neon_target(config: GatesConfig, environment: Environment, environ: Mapping[str, str]) -> Iterator[NeonDrillTarget]:
    url = environ.get(environment.database_url_env, "").strip()
    if not url:
        raise MissingInput(
            f"drill_neon compares the restored branch with {environment.name}'s database: "
            f"set {environment.database_url_env}"
        )
    production = Dsn(url)

    def target(platform: NeonLike, parent: str) -> NeonDrillTarget:
        return NeonDrillTarget(platform, parent, production, config.drills, config.migrations, _migrations(config))

    if environment.is_local:
        yield target(LocalNeon(production), database_name(production) or "")
        return
    if not environment.neon_branch:
        raise MissingInput(f"drill_neon needs the Neon branch of {environment.name}: set neon_branch in gates.toml")
    try:
        client = NeonClient.from_environment(environ)
    except NeonError as error:
        raise MissingInput(f"drill_neon cannot reach Neon: {error}") from None
    with client:
        yield target(client, environment.neon_branch)


def _migrations(config: GatesConfig) -> MigrationSet | None:
    try:
        return read_configured(config.migrations)
    except InputError:
        return None  # only needed to roll a branch forward; the drill says so if it comes to that
