"""What each drill runs against, resolved from the config and the environment, shared by the gates and `gates drill`.

Locally the Neon drill stands on `LocalNeon` over the server of the local database
(`DATABASE_URL`); elsewhere on the Neon API (`NEON_API_KEY`, `NEON_PROJECT_ID`) and the
environment's `neon_branch`, compared with the environment's database URL. Anything missing is a
`MissingInput` naming it and how to provide it. The Fly drill stands on the environment's Fly
platform (local processes, or flyctl) and smokes each release with the smoke gate's own flow and
inputs, unless `[drills] fly_smoke = false`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from drills.fly_drill import FlyDrillTarget, Smoke
from drills.framework import DrillFailure
from drills.neon_drill import NeonDrillTarget
from fly.apps import fly_apps, platform_for
from fly.health import health_budget_s
from fly.platform import PlatformError, Strategy
from gates.config import Environment, GatesConfig
from gates.dsn import Dsn, database_name
from gates.env import EnvError
from gates.local_neon import LocalNeon
from gates.neon import NeonClient, NeonError, NeonLike
from migrations_checks.lint.reader import InputError, MigrationSet, read_configured
from smoke.flow import SmokeFailure, run_smoke
from smoke.settings import MissingInput as MissingSmokeInput
from smoke.settings import SmokeInputError, resolve


class MissingInput(Exception):
    """A drill cannot run: one sentence naming what is missing and how to provide it."""


class WrongInput(Exception):
    """An input is set but unusable: a mistake to fix, so the drill fails, locally too, never skips."""


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


def fly_targets(
    config: GatesConfig, environment: Environment, environ: Mapping[str, str], progress: Callable[[str], None]
) -> dict[str, FlyDrillTarget]:
    """Role (worker, regenerator) -> the drill target of its app, all on one platform and one smoke."""
    try:
        budget = health_budget_s(config.fly, environ)
    except EnvError as error:
        wrong: list[str] = [str(error)]
    else:
        wrong = []
    try:
        smoke = fly_smoke(config, environment, environ, progress)
    except WrongInput as error:
        wrong.append(str(error))
    if wrong:  # before anything missing: a wrong input fails even where a missing one may skip
        raise WrongInput(f"drill_fly cannot run: {'; '.join(wrong)}")
    try:
        apps = fly_apps(environment)
        platform = platform_for(config, environment, environ)
    except PlatformError as error:
        raise MissingInput(f"drill_fly cannot run: {error}") from None
    strategy: Strategy = "rolling" if environment.fly.zero_downtime else "immediate"
    return {role: FlyDrillTarget(platform, app, budget, smoke, strategy) for role, app in apps.items()}


def fly_smoke(
    config: GatesConfig, environment: Environment, environ: Mapping[str, str], progress: Callable[[str], None]
) -> Smoke | None:
    """The smoke gate's run with its inputs (MissingInput when absent, WrongInput when unusable), or None when off."""
    if not config.drills.fly_smoke:
        return None
    try:
        settings = resolve(environment, environ)
    except MissingSmokeInput as error:
        raise MissingInput(
            f"drill_fly smokes each release it deploys and cannot: {error} (or set [drills] fly_smoke = false)"
        ) from None
    except SmokeInputError as error:
        raise WrongInput(f"the smoke inputs of drill_fly are wrong: {error}") from None

    def smoke() -> str:
        try:
            return run_smoke(settings, report=progress).timing_line()
        except SmokeFailure as failure:
            raise DrillFailure(str(failure)) from None

    return smoke
