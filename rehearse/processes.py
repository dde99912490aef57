"""Run one of the pipeline's commands as a subprocess, and stop it cleanly when we are stopped.

The child runs in its own session, so a Ctrl-C meant for the rehearsal reaches it only through
us: we forward SIGINT (pytest then runs the smoke gate's cleanup), wait for it, and kill it only
when it does not finish in time. The environment is built from scratch for each call: every
variable that could point a gate at a real platform is left out, so a rehearsal on a machine
with staging credentials in its shell still touches nothing but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gates.secret import Secret

INTERRUPT_GRACE_S = 20.0  # the smoke gate's cleanup after a Ctrl-C takes well under this
# Variables the gates read to find platforms, databases and credentials (architecture.md), and
# those that would change how pytest runs the gates.
_PLATFORM_PREFIXES = ("DATABASE_URL", "SMOKE_", "CLERK_", "FLY_", "VERCEL_", "NEON_", "GITHUB_", "GATES_", "STANDIN_")
_PYTEST_VARIABLES = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_XDIST_AUTO_NUM_WORKERS")


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


def clean_environment() -> dict[str, str]:
    """This process's environment without anything that names a platform, plus `CI`.

    `CI` makes every gate fail closed: a gate that cannot decide fails the rehearsal instead of
    skipping, as it would in the workflow.
    """
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_PLATFORM_PREFIXES) and name not in _PYTEST_VARIABLES
    }
    return {**kept, "CI": "true"}


def run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    secrets: Mapping[str, Secret] | None = None,
    timeout_s: float,
) -> Finished:
    """Run `command` to its end (or `timeout_s`, after which it is killed and reported as 124)."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env={**env, **{name: secret.reveal() for name, secret in (secrets or {}).items()}},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(process)
        stdout, stderr = process.communicate()
        return Finished(124, stdout, stderr + f"\nkilled after {timeout_s:g} s")
    except BaseException:  # Ctrl-C or SIGTERM: let the child clean up, then make sure it is gone
        _signal(process, signal.SIGINT)
        try:
            process.communicate(timeout=INTERRUPT_GRACE_S)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
        raise
    return Finished(process.returncode, stdout, stderr)


def _signal(process: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signum)


def _kill(process: subprocess.Popen[str]) -> None:
    _signal(process, signal.SIGKILL)
