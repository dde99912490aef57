"""The Fly platform as the gates and drills see it: releases, machines and deploying an image.

Two implementations stand behind this interface: `fly.flyctl_platform.FlyctlPlatform` calls the real
flyctl, and `fly.local_platform.LocalFlyPlatform` runs the stand-in's worker processes as machines.
Gate logic (the health wait, the rollback drill) knows only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Strategy = Literal["rolling", "immediate", "canary", "bluegreen"]
STRATEGIES: tuple[Strategy, ...] = ("rolling", "immediate", "canary", "bluegreen")
# A SIGTERM'd process exits 143 (128 + 15); a restart for a deploy is no crash.
_STOPPED_BY_SIGNAL = (0, 130, 143)


class PlatformError(Exception):
    """The platform could not answer or act; the message is one sentence naming the cause."""


@dataclass(frozen=True)
class Release:
    """One release of an app (`fly releases --json`), newest first in every list."""

    version: int
    status: str  # running, complete, failed, interrupted
    image: str  # the full image ref; a secrets release repeats the previous one
    created_at: str = ""
    description: str = ""


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # passing, warning, critical
    output: str = ""


@dataclass(frozen=True)
class Machine:
    """One machine: its state, the image it runs, its checks and the exit codes of its recent exits.

    `standby_for` names the machines this one stands by for (the config's `standbys`): Fly keeps such a
    machine stopped and starts it only when a primary's host fails.
    """

    id: str
    state: str
    image: str
    checks: tuple[Check, ...] = ()
    exit_codes: tuple[int, ...] = ()  # oldest first
    standby_for: tuple[str, ...] = ()

    @property
    def standby(self) -> bool:
        return bool(self.standby_for)

    @property
    def crash_looping(self) -> bool:
        """Exited with a failure more than once: restarting will not make it healthy."""
        return sum(code not in _STOPPED_BY_SIGNAL for code in self.exit_codes) >= 2


class FlyPlatform(Protocol):
    def releases(self, app: str) -> Sequence[Release]:
        """The app's releases, newest (highest version) first."""
        ...

    def machines(self, app: str) -> Sequence[Machine]:
        """The app's active machines with their checks."""
        ...

    def deploy(self, app: str, image: str, *, strategy: Strategy, wait_timeout_s: float) -> None:
        """Deploy `image` to `app` and wait (never detached) until the platform reports it done.

        Raises PlatformError when the deploy fails (machines not healthy within `wait_timeout_s`).
        """
        ...


def newest_complete(releases: Sequence[Release]) -> Release | None:
    """The newest release whose deploy completed."""
    return next((release for release in releases if release.status == "complete" and release.image), None)


def previous_image(releases: Sequence[Release], current: str) -> Release | None:
    """The newest complete release running another image than `current` (not "version N-1": secrets
    releases repeat the image), the one a rollback deploys."""
    return next(
        (r for r in releases if r.status == "complete" and r.image and r.image != current),
        None,
    )
