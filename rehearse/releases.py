"""The two local releases the rehearsal moves between, and how a release's API is started.

A release is what a real deploy ships: a migration history and a build of the app and workers.
Locally the build is the stand-in with a version label (`STANDIN_RELEASE`, reported by every
answer of the API and every worker health answer) and, under `--break`, the fault it carries.
Release v1 is the example history as it stands; v2 adds `migrations/release_v2` on top. The
workers run as machines of the local Fly platform (`rehearse/local_fly.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gates.secret import Secret
from standin.faults import FAULTS_ENV, Fault
from standin.stack import Stack

# Fast enough for a rehearsal measured in seconds; the mock and the loop behave as with the defaults.
PACE = {
    "MOCK_GENERATION_DELAY_MS": "300",
    "WORKER_POLL_INTERVAL_MS": "100",
    "STANDIN_SHUTDOWN_GRACE_S": "1",
    "STANDIN_RECLAIM_AFTER_S": "300",
}


@dataclass(frozen=True)
class Release:
    version: str
    migrations: tuple[str, ...] = ()  # folders of rehearse/migrations appended to the example history
    api_faults: frozenset[Fault] = field(default_factory=frozenset)
    # Stand-in faults of the workers' build; `name@process` breaks one entry point (standin.faults).
    worker_faults: frozenset[str] = field(default_factory=frozenset)
    fly_config: tuple[tuple[str, str, str], ...] = ()  # (role, key, value) changed in that app's fly.toml

    def environment(self, faults: frozenset[str], test_user: str) -> dict[str, str]:
        return {
            **PACE,
            "STANDIN_RELEASE": self.version,
            "STANDIN_TEST_USER": test_user,
            FAULTS_ENV: ",".join(sorted(faults)),
        }


def start_api(release: Release, *, database_url: str, api_key: Secret, test_user: str, logs: Path) -> Stack:
    """Start `release`'s API and wait until it answers; one that does not is an error."""
    stack = Stack.start(
        database_url,
        api_key=api_key.reveal(),
        log_dir=logs / release.version,
        env=release.environment(release.api_faults, test_user),
        components=("api",),
    )
    problems = stack.wait_ready()
    if problems:
        stack.stop()
        listing = "; ".join(f"{name} {problem}" for name, problem in sorted(problems.items()))
        raise ReleaseError(f"release {release.version} did not come up: {listing}")
    return stack


class ReleaseError(Exception):
    """A release's processes did not come up; one sentence naming each part."""
