"""Start, watch and stop the stand-in's processes: the API, the generator and the regenerator.

Each runs as its own Python process, in its own session (a Ctrl-C meant for the terminal that
started it does not reach it), logging to a file. Stopping sends SIGTERM, so workers run their
graceful shutdown, and kills only what is still there after the bound. Pids are checked against
`/proc` before any signal, so a recycled pid is never hit.

Each start draws a run token that every process it spawns puts on each HTTP answer: a part is
ready only when the answer carries that token and the process is still alive, so another program
already listening on the port (which our API then fails to bind) is never taken for ours.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gates.config import MigrationSettings
from standin.schema import bootstrap
from standin.settings import RUN_TOKEN_ENV, RUN_TOKEN_HEADER, StandinSettings

COMPONENTS = ("api", "generator", "regenerator")
_MODULES = {
    "api": ("standin.api",),
    "generator": ("standin.worker", "generator"),
    "regenerator": ("standin.worker", "regenerator"),
}


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests and worker health endpoints)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class Component:
    """One process of the stack and the URL that shows it is up (API base or worker health)."""

    name: str
    pid: int
    url: str
    log: Path
    token: str = ""  # the run token its answers carry
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def exit_code(self) -> int | None:
        """None while running; the exit code (or -1 when unknown) once gone."""
        if self.process is not None:
            return self.process.poll()
        return None if is_standin_process(self.pid) else -1

    def ready(self) -> bool:
        """Whether it answers with our run token: any status from the API, a 200 from a worker's health."""
        try:
            response = httpx.get(self.url, timeout=1.0)
        except httpx.HTTPError:
            return False
        if response.headers.get(RUN_TOKEN_HEADER, "") != self.token:
            return False  # another process answers on this port
        return self.name == "api" or response.status_code == 200

    def last_log_line(self) -> str:
        """The last line the process wrote (why it exited), or nothing."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip() if lines else ""

    def signal(self, signum: int) -> None:
        if self.exit_code() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


@dataclass
class Stack:
    api_url: str
    components: list[Component]

    @classmethod
    def start(
        cls,
        database_url: str,
        *,
        api_key: str,
        log_dir: Path,
        port: int = 0,
        env: Mapping[str, str] | None = None,
        components: Iterable[str] = COMPONENTS,
    ) -> Stack:
        """Spawn the components against `database_url`; `env` adds settings and faults."""
        log_dir.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        token = secrets.token_hex(8)
        base_env = {
            **os.environ,
            **(env or {}),
            "DATABASE_URL": database_url,
            "STANDIN_API_KEY": api_key,
            "STANDIN_PORT": str(port),
            RUN_TOKEN_ENV: token,
            "PYTHONUNBUFFERED": "1",
        }
        started = []
        for name in components:
            extra = {} if name == "api" else {"STANDIN_HEALTH_PORT": str(free_port())}
            url = (
                f"http://127.0.0.1:{port}"
                if name == "api"
                else f"http://127.0.0.1:{extra['STANDIN_HEALTH_PORT']}/health"
            )
            log = log_dir / f"{name}.log"
            with log.open("ab") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", *_MODULES[name]],
                    env={**base_env, **extra},
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append(Component(name, process.pid, url, log, token, process))
        return cls(api_url=f"http://127.0.0.1:{port}", components=started)

    def component(self, name: str) -> Component:
        return next(component for component in self.components if component.name == name)

    def wait_ready(self, timeout_s: float = 20.0) -> dict[str, str]:
        """Wait until every component answers; returns the problem of each one that did not."""
        deadline = time.monotonic() + timeout_s
        waiting = {component.name: component for component in self.components}
        problems: dict[str, str] = {}
        while waiting and time.monotonic() < deadline:
            for name, component in list(waiting.items()):
                if component.exit_code() is not None:
                    problems[name] = _exited(component)
                    del waiting[name]
                elif component.ready():
                    del waiting[name]
            time.sleep(0.05)
        for name, component in waiting.items():
            problems[name] = f"not answering at {component.url} after {timeout_s:g} s (see {component.log})"
        for component in self.components:  # answered once, then died
            if component.name not in problems and component.exit_code() is not None:
                problems[component.name] = _exited(component)
        return problems

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM everything, SIGKILL what is left after `timeout_s`."""
        for component in self.components:
            component.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and any(c.exit_code() is None for c in self.components):
            time.sleep(0.05)
        for component in self.components:
            if component.exit_code() is None:
                component.signal(signal.SIGKILL)
                if component.process is not None:
                    component.process.wait(5)

    def to_json(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "components": [
                {"name": c.name, "pid": c.pid, "url": c.url, "log": str(c.log), "token": c.token}
                for c in self.components
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stack:
        return cls(
            api_url=data["api_url"],
            components=[
                Component(c["name"], int(c["pid"]), c["url"], Path(c["log"]), c.get("token", ""))
                for c in data["components"]
            ],
        )


def _exited(component: Component) -> str:
    said = component.last_log_line()
    return f"exited with code {component.exit_code()}" + (f": {said}" if said else "") + f" (see {component.log})"


@contextlib.contextmanager
def running(
    database_url: str,
    migrations: MigrationSettings,
    *,
    api_key: str,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    components: Iterable[str] = COMPONENTS,
) -> Iterator[Stack]:
    """A stand-in on `database_url` (given its schema first) for the length of a `with` block.

    For tests and benchmarks, which bring their own database. A component that does not come up
    is not an error here: a fault can make it exit on purpose, and the caller checks.
    """
    settings = StandinSettings.from_env({**os.environ, **(env or {}), "DATABASE_URL": database_url})
    bootstrap(database_url, migrations, settings.test_user)
    stack = Stack.start(database_url, api_key=api_key, log_dir=log_dir, env=env, components=components)
    try:
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def is_standin_process(pid: int) -> bool:
    """Whether `pid` is alive and still one of our stand-in processes (not a recycled pid)."""
    if not Path("/proc").is_dir():  # no procfs (macOS): trust the pid file
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # A zombie (state Z) has exited; its parent has not reaped it yet.
    state = status.rsplit(")", 1)[-1].split()[0]
    return b"standin." in command and state != "Z"
