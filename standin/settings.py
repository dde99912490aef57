"""The stand-in's knobs, read from environment variables as the real app reads its own.

Names the real app has keep their name and default (`DATABASE_URL`, `MOCK_GENERATION_DELAY_MS`,
`WORKER_POLL_INTERVAL_MS`); the stand-in's own knobs start with `STANDIN_`. A value that cannot be
used stops the process with one sentence naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from gates.env import EnvError, env_number
from standin.faults import FAULTS_ENV, Fault, FaultError, parse_faults

DEFAULT_TEST_USER = "user_smoke_test"
DEFAULT_PORT = 8787
DEFAULT_RELEASE = "dev"
RUN_TOKEN_ENV = "STANDIN_RUN_TOKEN"
RUN_TOKEN_HEADER = "x-standin-run"  # every answer carries the token, so a start knows its own processes answer


class SettingsError(ValueError):
    """An environment variable holds a value the stand-in cannot use."""


@dataclass(frozen=True)
class StandinSettings:
    """Everything the API and the workers read; each process uses its part."""

    database_url: str
    api_key: str | None = None
    test_user: str = DEFAULT_TEST_USER
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    mock_delay_s: float = 7.0  # the real mock's MOCK_GENERATION_DELAY_MS default
    poll_interval_s: float = 2.0  # the real worker's WORKER_POLL_INTERVAL_MS default
    reclaim_after_s: float = 300.0  # a job `processing` longer than this is put back
    shutdown_grace_s: float = 4.0  # under Fly's default 5 s kill_timeout, so no job is stranded
    health_port: int = 0  # worker health endpoint; 0: none
    faults: frozenset[Fault] = frozenset()
    release: str = DEFAULT_RELEASE  # the version label the API and the workers report (a local "image")
    run_token: str = ""  # which start of the stack this process belongs to (see `standin.stack`)
    regeneration_quota: int | None = None  # every tier's monthly regenerations; None: the contract's per tier

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, process: str | None = None) -> StandinSettings:
        """The settings of `process` (api, generator, regenerator): faults scoped to another do not apply."""
        database_url = environ.get("DATABASE_URL")
        if not database_url:
            raise SettingsError("DATABASE_URL is not set; the stand-in needs the database to serve")
        try:
            return cls(
                database_url=database_url,
                api_key=environ.get("STANDIN_API_KEY") or None,
                test_user=environ.get("STANDIN_TEST_USER") or DEFAULT_TEST_USER,
                host=environ.get("STANDIN_HOST") or "127.0.0.1",
                port=int(env_number(environ, "STANDIN_PORT", DEFAULT_PORT, minimum=0)),
                mock_delay_s=env_number(environ, "MOCK_GENERATION_DELAY_MS", 7000, minimum=0) / 1000,
                # The real worker refuses intervals under 10 ms.
                poll_interval_s=env_number(environ, "WORKER_POLL_INTERVAL_MS", 2000, minimum=10) / 1000,
                reclaim_after_s=env_number(environ, "STANDIN_RECLAIM_AFTER_S", 300, minimum=0.1),
                shutdown_grace_s=env_number(environ, "STANDIN_SHUTDOWN_GRACE_S", 4, minimum=0),
                health_port=int(env_number(environ, "STANDIN_HEALTH_PORT", 0, minimum=0)),
                faults=parse_faults(environ.get(FAULTS_ENV), process),
                release=environ.get("STANDIN_RELEASE") or DEFAULT_RELEASE,
                run_token=environ.get(RUN_TOKEN_ENV, ""),
                regeneration_quota=_optional_count(environ, "STANDIN_REGENERATION_QUOTA"),
            )
        except (EnvError, FaultError) as error:
            raise SettingsError(str(error)) from None


def _optional_count(environ: Mapping[str, str], name: str) -> int | None:
    """`name` as a count of at least 0 when set, else None."""
    if not environ.get(name, "").strip():
        return None
    return int(env_number(environ, name, 0, minimum=0))
