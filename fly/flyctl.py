"""The one way the gates run flyctl: found on PATH, authenticated, bounded, parsed, never showing a token.

flyctl is `flyctl` on PATH, else `fly`. Outside `local` it needs `FLY_API_TOKEN`; the token travels
as a `Secret` and reaches only the child's environment, built at the call. A missing flyctl and a
missing token are named together, as one `gates.inputs.MissingInput`. Every failure of a call is
one `FlyctlError` sentence: authentication failed, app not found, timeout, or JSON the wrapper
cannot read (platforms.md 1.1: errors go to stderr as `Error: <msg>`, 126 is flyctl's own
deadline).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fly.platform import PlatformError
from gates.config import Environment
from gates.excerpt import excerpt
from gates.inputs import Inputs
from gates.secret import MASK, Secret, SecretBoundary
from gates.secret_env import read_secret

TOKEN_ENV = "FLY_API_TOKEN"
ACCESS_TOKEN_ENV = "FLY_ACCESS_TOKEN"  # flyctl's other token variable, which wins over ours
DEFAULT_TIMEOUT_S = 60.0
EXIT_DEADLINE = 126
_AUTH_FAILED = re.compile(
    r"no access token|not authori[sz]ed|unauthori[sz]ed|must be authenticated|authentication (failed|required)"
    r"|invalid token|token (is )?(invalid|expired)",
    re.IGNORECASE,
)
_APP_NOT_FOUND = re.compile(r"could not (find|resolve) app|app not found|app .* not found", re.IGNORECASE)


class FlyctlError(PlatformError):
    """flyctl could not do what was asked; one sentence naming why and what to do."""


@dataclass(frozen=True)
class Flyctl:
    executable: str
    token: Secret | None = field(default=None, repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def find(cls, environment: Environment, environ: Mapping[str, str] = os.environ) -> Flyctl:
        """flyctl on PATH with the token from the environment; MissingInput naming each one missing."""
        path = environ.get("PATH")
        executable = shutil.which("flyctl", path=path) or shutil.which("fly", path=path)
        inputs = Inputs()
        if executable is None:
            inputs.missing.append(
                "flyctl is not installed: neither `flyctl` nor `fly` is on PATH "
                "(install it, e.g. with superfly/flyctl-actions/setup-flyctl in a workflow)"
            )
        token = read_secret(environ, TOKEN_ENV)
        if not token and not environment.is_local:
            inputs.missing.append(f"{TOKEN_ENV} is not set: flyctl needs a Fly API token for {environment.name}")
        inputs.raise_any()
        assert executable is not None
        return cls(executable, token or None)

    def run(self, args: Sequence[str], *, timeout_s: float | None = None) -> str:
        """Run `flyctl ARGS`; its stdout, or FlyctlError naming the command and the cause."""
        command = _command(args)
        timeout = timeout_s or self.timeout_s
        try:
            # subprocess's frames hold the child's environment, token included, for a traceback
            # (a pytest-timeout firing while flyctl runs) to show with --showlocals
            with SecretBoundary():
                done = subprocess.run(
                    [self.executable, *args],
                    env=self._environment(),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
        except subprocess.TimeoutExpired:
            raise FlyctlError(f"flyctl {command} timed out after {timeout:g} s") from None
        except OSError as error:
            raise FlyctlError(f"flyctl could not be run ({self.executable}): {error.strerror}") from None
        if done.returncode == 0:
            return done.stdout
        message = self._redact(_error_line(done.stderr) or _error_line(done.stdout) or "(no message)")
        if done.returncode == EXIT_DEADLINE:
            raise FlyctlError(f"flyctl {command} timed out (its own deadline): {message}")
        if _AUTH_FAILED.search(message):
            raise FlyctlError(f"flyctl could not authenticate ({message}): check {TOKEN_ENV}")
        if _APP_NOT_FOUND.search(message):
            app = _app_of(args)
            raise FlyctlError(f"Fly app {app} was not found ({message}): check fly_apps in gates.toml")
        raise FlyctlError(f"flyctl {command} failed with exit code {done.returncode}: {message}")

    def json(self, args: Sequence[str], *, timeout_s: float | None = None) -> Any:
        """Run `flyctl ARGS --json` and parse what it prints."""
        output = self.run([*args, "--json"], timeout_s=timeout_s)
        try:
            return json.loads(output)
        except ValueError:
            shown = self._redact(excerpt(output.strip()) or "(nothing)")
            raise FlyctlError(f"flyctl {_command(args)} printed JSON that cannot be read: {shown}") from None

    def _environment(self) -> dict[str, str]:
        # flyctl prefers FLY_ACCESS_TOKEN to FLY_API_TOKEN (platforms.md 1.1): one left in the environment
        # would act for another org or environment than the token the gates read.
        environment = {name: value for name, value in os.environ.items() if name != ACCESS_TOKEN_ENV}
        if self.token is not None:
            environment[TOKEN_ENV] = self.token.reveal()
        return environment

    def _redact(self, text: str) -> str:
        token = self.token.reveal() if self.token is not None else ""
        return text.replace(token, MASK) if token else text


def _error_line(text: str) -> str:
    """flyctl's `Error: ...` line, else the last non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("Error:"):
            return excerpt(line.removeprefix("Error:").strip())
    return excerpt(lines[-1]) if lines else ""


def _command(args: Sequence[str]) -> str:
    """The subcommand words before the first flag, e.g. `secrets list`, to name what failed."""
    words: list[str] = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(words)


def _app_of(args: Sequence[str]) -> str:
    for flag in ("--app", "-a"):
        if flag in args[:-1]:
            return args[list(args).index(flag) + 1]
    return "(from fly.toml)"
