"""Per-environment secrets (gates.toml `[fly] per_environment_secrets`) compared between environments.

Production's run compares: each secret's SHA-256 is computed on a worker host of production and on
the same role's hosts of every other deploy environment (every non-local environment with `fly_apps`
in gates.toml); equal hashes mean one value serves both, which breaks their isolation. Values never
leave a machine and hashes are never printed. Only production's run compares, because only its
pipeline may hold a token that reaches another environment's machines: staging's token must never
reach production's, or staging would no longer be isolated from production.

The comparison fails closed: when another environment's app cannot be reached (its token, no started
machine, no worker running), nothing says its secrets differ, so the gate fails naming the app and
the cause. An environment without `fly_apps` has no workers to share a secret with.
"""

from __future__ import annotations

from collections.abc import Sequence

from fly.host_probe import EMPTY, UNSET
from fly.host_workers import AppHost, probe_app
from fly.platform import FlyPlatform, PlatformError
from gates.config import Environment, GatesConfig


def counterparts(config: GatesConfig, environment: Environment) -> list[Environment]:
    """The environments whose workers `environment`'s run compares its per-environment secrets with."""
    if not environment.is_production:
        return []
    return [
        other
        for name, other in sorted(config.environments.items())
        if name not in (environment.name, "local") and other.fly_apps
    ]


def shared_secret_problems(
    config: GatesConfig,
    environment: Environment,
    platform: FlyPlatform,
    role: str,
    ours: Sequence[AppHost],
    names: Sequence[str],
) -> list[str]:
    """Why the `role` workers of `environment` (`ours`, already probed) are not isolated from the
    other environments' by the secrets `names`; empty when they are."""
    problems: list[str] = []
    for other in counterparts(config, environment):
        app = other.fly_apps.get(role)
        if app is None:
            problems.append(f"{other.name} has no {role} app in fly_apps, so its secrets cannot be compared")
            continue
        try:
            theirs = probe_app(platform, other, role, app, names)
        except (PlatformError, RuntimeError) as error:
            problems.append(
                f"cannot compare per-environment secrets with {other.name}'s {app}: {error}; the FLY_API_TOKEN "
                "of this run must reach the apps of both environments"
            )
            continue
        problems += _compare(names, environment, ours, other, theirs)
    return list(dict.fromkeys(problems))  # one line per pair of hosts, not per pair of processes


def _compare(
    names: Sequence[str], environment: Environment, ours: Sequence[AppHost], other: Environment, theirs: list[AppHost]
) -> list[str]:
    problems = []
    for host in theirs:
        if not host.workers:
            problems.append(
                f"{other.name}'s {host.app} {host.where}: no process runs the entry point {host.entrypoint}, "
                "so per-environment secrets cannot be compared"
            )
        for worker, name in ((worker, name) for worker in host.workers for name in names):
            digest = worker.hashes.get(name, UNSET)
            if digest in (UNSET, EMPTY):
                state = "not set" if digest == UNSET else "empty"
                problems.append(f"secret {name} is {state} on {other.name}'s {host.app} {host.where}")
                continue
            problems += [
                f"secret {name} is the same on {mine.app} {mine.where} ({environment.name}) and {host.app} "
                f"{host.where} ({other.name}): a secret shared between environments breaks their isolation"
                for mine in ours
                if any(own.hashes.get(name) == digest for own in mine.workers)
            ]
    return problems
