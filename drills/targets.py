"""What each drill runs against, resolved from the config and the environment, shared by the gates and `gates drill`.

Locally the Neon drill stands on `LocalNeon` over the server of the local database
(`DATABASE_URL`); elsewhere on the Neon API (`NEON_API_KEY`, `NEON_PROJECT_ID`) and the
environment's `neon_branch`, compared with the environment's database URL. The Fly drill stands
on the environment's Fly platform (local processes, or flyctl) and smokes each release with the
smoke gate's own flow and inputs, unless `[drills] fly_smoke = false`. The Vercel drill needs both
permissions, the vercel CLI and its variables, and the app's URL.

Every drill reads all its inputs before it raises (`gates.inputs`): one sentence names every
wrong input (`InputError`, a failure everywhere) and then every missing one (`MissingInput`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from drills.fly_drill import FlyDrillTarget, Smoke
from drills.framework import DrillFailure
from drills.neon_drill import NeonDrillTarget
from drills.vercel_cli import VercelCli
from drills.vercel_drill import VercelDrillTarget, refusal
from fly.apps import fly_platform
from fly.health import health_budget_s
from fly.platform import Strategy
from gates.config import Environment, GatesConfig
from gates.connect import ConnectBudget
from gates.dsn import database_name
from gates.inputs import InputError, Inputs, MissingInput, database_url
from gates.local_neon import LocalNeon
from gates.neon import NeonClient, NeonLike, branch_access
from migrations_checks.lint.reader import InputError as MigrationsUnreadable
from migrations_checks.lint.reader import MigrationSet, read_configured
from smoke.flow import SmokeFailure, run_smoke
from smoke.settings import resolve


@contextmanager
def neon_target(
    config: GatesConfig, environment: Environment, environ: Mapping[str, str], connect_budget: ConnectBudget
) -> Iterator[NeonDrillTarget]:
    inputs = Inputs()
    compared = f"the restored branch is compared with {environment.name}'s database"
    production = inputs.read(lambda: database_url(environ, environment.database_url_env, compared))
    access = None if environment.is_local else inputs.read(lambda: branch_access(environment, environ))
    inputs.raise_any("drill_neon cannot run: ")
    assert production is not None

    def target(platform: NeonLike, parent: str) -> NeonDrillTarget:
        return NeonDrillTarget(
            platform, parent, production, config.drills, config.migrations, connect_budget, _migrations(config)
        )

    if access is None:  # local: no Neon to reach
        yield target(LocalNeon(production, connect_budget=connect_budget), database_name(production) or "")
        return
    with NeonClient.of(access) as client:
        yield target(client, environment.neon_branch or "")


def _migrations(config: GatesConfig) -> MigrationSet | None:
    try:
        return read_configured(config.migrations)
    except MigrationsUnreadable:
        return None  # only needed to roll a branch forward; the drill says so if it comes to that


def fly_targets(
    config: GatesConfig,
    environment: Environment,
    environ: Mapping[str, str],
    progress: Callable[[str], None],
    connect_budget: ConnectBudget,
) -> dict[str, FlyDrillTarget]:
    """Role (worker, regenerator) -> the drill target of its app, all on one platform and one smoke."""
    inputs = Inputs()
    budget = inputs.read(lambda: health_budget_s(config.fly, environ))
    smoke = inputs.read(lambda: fly_smoke(config, environment, environ, progress, connect_budget))
    fly = inputs.read(lambda: fly_platform(config, environment, environ))
    inputs.raise_any("drill_fly cannot run: ")
    assert budget is not None and fly is not None
    strategy: Strategy = "rolling" if environment.fly.zero_downtime else "immediate"
    apps, platform = fly
    return {role: FlyDrillTarget(platform, app, budget, smoke, strategy) for role, app in apps.items()}


def fly_smoke(
    config: GatesConfig,
    environment: Environment,
    environ: Mapping[str, str],
    progress: Callable[[str], None],
    connect_budget: ConnectBudget,
) -> Smoke | None:
    """The smoke gate's run with its inputs (MissingInput when absent, InputError when unusable), or None when off."""
    if not config.drills.fly_smoke:
        return None
    try:
        settings = resolve(environment, environ)
    except MissingInput as error:
        raise MissingInput(
            f"drill_fly smokes each release it deploys and cannot: {error} (or set [drills] fly_smoke = false)"
        ) from None
    except InputError as error:
        raise InputError(f"the smoke inputs of drill_fly are wrong: {error}") from None

    def smoke() -> str:
        try:
            return run_smoke(settings, connect_budget=connect_budget, report=progress).timing_line()
        except SmokeFailure as failure:
            raise DrillFailure(str(failure)) from None

    return smoke


def vercel_target(
    config: GatesConfig, environment: Environment, environ: Mapping[str, str], allowed_on_command_line: bool
) -> VercelDrillTarget:
    """The Vercel drill's target. Without both permissions it is refused, a failure everywhere."""
    inputs = Inputs()
    refused = refusal(config.drills, allowed_on_command_line)
    if refused:
        inputs.wrong.append(refused)
    cli = inputs.read(lambda: VercelCli.from_environment(environ))
    if not environment.api_url:
        inputs.missing.append(f"drill_vercel checks that production answers: set api_url of {environment.name}")
    inputs.raise_any("drill_vercel cannot run: ")
    assert cli is not None and environment.api_url
    return VercelDrillTarget(cli, environment.api_url, config.drills)
