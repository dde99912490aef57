"""The `vercel` CLI as a subprocess, for the Vercel drill.

The token is a `Secret` passed as `--token` only in the argument list built at the call; the
project is linked with `VERCEL_ORG_ID` + `VERCEL_PROJECT_ID` (both are needed) in an environment
also built at the call. Project and deployment facts are read with `vercel api` (the REST shapes
of platforms.md 4.2, printed on stdout); `rollback` and `promote` wait for their alias job
(`--timeout`). `api_url` (the CLI's global `--api`) points the real CLI at another API, as the
tests do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gates.inputs import Inputs, optional_api_url
from gates.secret import Secret, SecretBoundary
from gates.secret_env import read_secret

TOKEN_ENV, ORG_ENV, PROJECT_ENV = "VERCEL_TOKEN", "VERCEL_ORG_ID", "VERCEL_PROJECT_ID"
API_URL_ENV = "GATES_VERCEL_API"  # only to point the CLI at a stand-in API; unset in real use


class VercelError(Exception):
    """The CLI failed or printed what we cannot read; one sentence, never the token."""


@dataclass(frozen=True)
class VercelCli:
    token: Secret
    org_id: str
    project_id: str
    executable: str = "vercel"
    api_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> VercelCli:
        """The CLI on PATH with its variables; every unusable one named at once (gates.inputs)."""
        inputs = Inputs()
        api_url = inputs.read(lambda: optional_api_url(environ, API_URL_ENV))
        missing = [name for name in (TOKEN_ENV, ORG_ENV, PROJECT_ENV) if not environ.get(name, "").strip()]
        if missing:
            inputs.missing.append(f"{', '.join(missing)} must be set for the vercel CLI")
        executable = shutil.which("vercel", path=environ.get("PATH"))
        if executable is None:
            inputs.missing.append("the vercel CLI is not on PATH; install it with `npm install -g vercel`")
        inputs.raise_any()
        assert executable is not None
        return cls(
            read_secret(environ, TOKEN_ENV),
            environ[ORG_ENV].strip(),
            environ[PROJECT_ENV].strip(),
            executable,
            api_url,
        )

    def serving_deployment(self) -> str:
        """The id of the deployment serving production: the project's `targets.production`."""
        project = self._api(f"/v9/projects/{self.project_id}")
        try:
            return str(project["targets"]["production"]["id"])
        except (KeyError, TypeError):
            raise VercelError(f"project {self.project_id} has no production deployment (targets.production)") from None

    def previous_production(self, current: str) -> str:
        """The newest READY production rollback candidate that is not `current` (rows call the id `uid`)."""
        query = f"projectId={self.project_id}&target=production&state=READY&rollbackCandidate=true&limit=20"
        for row in self._api(f"/v6/deployments?{query}").get("deployments") or []:
            uid = row.get("uid") or row.get("id")
            if uid and uid != current:
                return str(uid)
        raise VercelError(f"project {self.project_id} has no earlier READY production deployment to roll back to")

    def rollback(self, deployment: str, timeout_s: float) -> None:
        self._run("rollback", deployment, "--yes", "--timeout", f"{int(timeout_s)}s")

    def promote(self, deployment: str, timeout_s: float) -> None:
        self._run("promote", deployment, "--yes", "--timeout", f"{int(timeout_s)}s")

    def _api(self, path: str) -> Any:
        output = self._run("api", path)
        try:
            return json.loads(output)
        except ValueError:
            raise VercelError(f"`vercel api {path}` printed something that is not JSON") from None

    def _run(self, *arguments: str) -> str:
        command = [self.executable, *arguments, "--non-interactive"]
        if self.api_url:
            command += ["--api", self.api_url]
        try:
            # subprocess's frames hold the argument list, token included, and the environment, for a
            # traceback (a pytest-timeout firing while the CLI runs) to show with --showlocals
            with SecretBoundary():
                done = subprocess.run(
                    [*command, "--token", self.token.reveal()],
                    env=self._environment(),
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise VercelError(f"`vercel {' '.join(arguments[:1])}` could not run: {type(error).__name__}") from None
        if done.returncode != 0:
            raise VercelError(f"`vercel {' '.join(arguments[:2])}` exited {done.returncode}: {_last_line(done.stderr)}")
        return done.stdout

    def _environment(self) -> dict[str, str]:
        """This process's environment with the project linked; built at the call, never a local of
        `_run`, since the environment may hold other secrets."""
        environment = {**os.environ, ORG_ENV: self.org_id, PROJECT_ENV: self.project_id}
        environment.pop(TOKEN_ENV, None)  # the token goes as --token, nowhere else
        return environment


def _last_line(text: str) -> str:
    lines: Sequence[str] = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
