"""What the stages share: the workspace, the local staging database, the releases and their processes.

Everything a stage starts is registered on `cleanup` the moment it exists, so `close()` takes
down exactly what was made, in reverse order, whether the run passed, failed or was interrupted.
The workspace (a temporary folder: configs, histories, logs, JUnit files) goes last.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.config import MigrationSettings, load_config
from gates.connect import ConnectBudget
from gates.dsn import database_name
from gates.local_neon import LocalNeon
from gates.scratch_db import ScratchServer
from gates.secret import Secret
from rehearse.history import build_history
from rehearse.local_fly import LocalFly, write_fly_configs
from rehearse.local_vercel import LocalVercel
from rehearse.releases import Release
from rehearse.stages import StageResult
from rehearse.status_store import StatusStore
from standin.settings import DEFAULT_TEST_USER

# This repository's deploy workflows, the worked example the rehearsal deploys by.
WORKFLOWS_SOURCE = Path(__file__).resolve().parent.parent / ".github" / "workflows"

TEARDOWN_CONNECT_BUDGET_S = 3.0  # a server that is already gone must not hold the teardown up
POINT_AGE_MINUTES = 0.001  # drill_neon branches at "now" less this: after the point `prepare` records
PRELUDE = Path(__file__).resolve().parent.parent / "migrations_checks" / "db" / "preludes" / "neon_rls.sql"
# The example's settings (this repository's gates.toml), pointed at a release's own history copy.
_CONFIG = """[migrations]
path = {path}
format = "drizzle"
postgres_version = 16
transactional = true
hot_tables = ["users", "learning_plans", "job_queue"]
prelude = {prelude}

[drills]
point_age_minutes = {point_age_minutes}  # the point recorded at `prepare`, seconds before the drill

[github]
pending_budget_s = 10  # the staging leg has finished when production's staging_green reads its status
retry_budget_s = 10

[environments.production]

[environments.local.fly]
config_files = {{ worker = {worker}, regenerator = {regenerator} }}
"""


@dataclass
class Rehearsal:
    old: Release
    new: Release
    source_history: Path
    workspace: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gates-rehearse-")))
    api_key: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(24)))
    test_user: str = DEFAULT_TEST_USER
    environment: str = "staging"  # the pipeline this leg rehearses: its commit-status context
    store: StatusStore | None = None  # the local GitHub, shared by the legs of one run
    cleanup: ExitStack = field(default_factory=ExitStack)
    teardown_problems: list[str] = field(default_factory=list)
    results: list[StageResult] = field(default_factory=list)
    drills: list[dict[str, Any]] = field(default_factory=list)  # the rollback drills' reports, as JSON
    server: ScratchServer | None = None
    staging_url: str | None = field(default=None, repr=False)
    snapshot_url: str | None = field(default=None, repr=False)
    vercel: LocalVercel | None = None
    fly: LocalFly | None = None

    def __post_init__(self) -> None:
        self.on_close(lambda: shutil.rmtree(self.workspace, ignore_errors=True))

    def on_close(self, action: Callable[[], object]) -> None:
        """Run `action` at teardown; a failure there is recorded, and the rest still runs."""

        def quietly() -> None:
            try:
                action()
            except Exception as error:
                self.teardown_problems.append(f"{type(error).__name__}: {error}")

        self.cleanup.callback(quietly)

    def close(self) -> None:
        self.cleanup.close()

    def config(self, release: Release) -> Path:
        """The release's `gates.toml` (and history copy) in the workspace, written on first use."""
        folder = self.workspace / release.version
        path = folder / "gates.toml"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            history = build_history(self.source_history, release.migrations, folder / "migrations")
            fly = {role: _toml(file) for role, file in write_fly_configs(release, folder).items()}
            if WORKFLOWS_SOURCE.is_dir():  # workflow_lint judges the workflows the deploy would run
                shutil.copytree(WORKFLOWS_SOURCE, folder / ".github" / "workflows")
            text = _CONFIG.format(
                path=_toml(history), prelude=_toml(PRELUDE), point_age_minutes=POINT_AGE_MINUTES, **fly
            )
            path.write_text(text, encoding="utf-8")
        return path

    def migration_settings(self, release: Release) -> MigrationSettings:
        return load_config(self.config(release)).migrations

    def start_server(self) -> tuple[ScratchServer, str]:
        """The embedded Postgres (or GATES_SCRATCH_DATABASE_URL's server) and the staging database on it."""
        server = ScratchServer.start()
        self.server = server
        self.on_close(server.stop)
        url = server.create_database()
        self.staging_url = url
        self.on_close(lambda: server.drop_database(url, budget=ConnectBudget(TEARDOWN_CONNECT_BUDGET_S)))
        return server, url

    def snapshot_staging(self) -> None:
        """Copy the staging database while nothing is connected to it, for the pre-deploy replay.

        The workflow's replay copies staging as a Neon branch while the app runs; a local copy
        (`CREATE DATABASE ... TEMPLATE`) needs its source idle, and staging's data does not change
        between `prepare` and `pre_deploy`, so a copy taken here stands for it.
        """
        server = self.server
        if server is None:
            raise RuntimeError("the local Postgres is not running")
        url = server.create_database(copy_of=self.database())
        self.snapshot_url = url
        self.on_close(lambda: server.drop_database(url, budget=ConnectBudget(TEARDOWN_CONNECT_BUDGET_S)))

    def record_point(self) -> str:
        """Record staging's point in time for drill_neon, as the local migrate does, while staging is idle
        (the rehearsal's own migrate runs with the app connected, so it records none). Raises NeonError."""
        url = self.database()
        branch = database_name(url) or ""
        local = LocalNeon(url, connect_budget=ConnectBudget(TEARDOWN_CONNECT_BUDGET_S))
        self.on_close(lambda: local.drop_points(branch))
        return f"point in time {local.record_point(branch).database} recorded for drill_neon"

    def read_drill_report(self, path: Path) -> list[str]:
        """Each drill's recovery times from its report (kept for `--report`), as one line each."""
        if not path.exists():
            return []
        reports = json.loads(path.read_text(encoding="utf-8"))["drills"]
        self.drills.extend(reports)
        lines = []
        for report in reports:
            times = ", ".join(
                f"{name.removesuffix('_s')} {seconds:.1f} s" for name, seconds in report["timings"].items()
            )
            lines.append(f"{report['drill']} on {report['target']} {report['outcome']} ({times or 'no timings'})")
        return lines

    def snapshot(self) -> str:
        if self.snapshot_url is None:
            raise RuntimeError("the staging database has no snapshot yet")
        return self.snapshot_url

    def start_vercel(self) -> LocalVercel:
        vercel = LocalVercel(self.database(), self.api_key, self.test_user, self.workspace / "logs")
        self.vercel = vercel
        self.on_close(vercel.stop)
        return vercel

    def deploy_workers(self, release: Release) -> str:
        """Deploy `release`'s workers on the local Fly platform (started on first use); the image.

        Raises PlatformError when the build or a deploy is refused.
        """
        if self.fly is None:
            self.fly = LocalFly(self.workspace)
            self.on_close(self.fly.stop_all)  # registered before any machine exists
        environment = {**release.environment(frozenset(), self.test_user), "DATABASE_URL": self.database()}
        return self.fly.deploy(release, self.config(release), environment)

    def local_fly(self) -> LocalFly:
        if self.fly is None:
            raise RuntimeError("no worker has been deployed yet")
        return self.fly

    def database(self) -> str:
        if self.staging_url is None:
            raise RuntimeError("the staging database is not prepared yet")
        return self.staging_url

    def app(self) -> LocalVercel:
        if self.vercel is None:
            raise RuntimeError("the app has not been deployed yet")
        return self.vercel


def _toml(path: Path) -> str:
    """A TOML basic string of `path` (backslashes and quotes escaped)."""
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'
