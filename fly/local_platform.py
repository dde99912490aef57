"""The Fly platform on this machine: the stand-in's worker processes are the machines.

- An image is a stand-in worker build with a version label, `local/atlaris-worker:v7`; building one
  records which stand-in faults it carries (`worker_no_start@regenerator`: one image holds both
  entry points, and the fault breaks one, as the real bug did), so a broken build can be deployed
  like a broken commit.
- Releases and machines are kept in a state file (`.gates/fly/state.json` by default), so a deploy
  in one process and the gates in another see the same platform.
- A deploy replaces processes as the strategy says: `immediate` and `rolling` stop a machine
  (SIGTERM, SIGKILL after the app's `kill_timeout`) before starting its replacement, `rolling`
  waiting for each new machine to be healthy; `bluegreen` and `canary` start the new machines
  first and stop the old ones only once the new are healthy (or stop the new ones again when they
  are not). A machine that exits while a deploy waits is restarted, as Fly's restart policy does,
  until it has failed `MAX_START_ATTEMPTS` times.
- A machine is `started` while its process lives; its one check reads the worker's own health
  endpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from fly.platform import Check, Machine, PlatformError, Release, Strategy
from standin.faults import FAULTS_ENV, parse_faults
from standin.stack import free_port, is_standin_process

IMAGE_REPOSITORY = "local/atlaris-worker"
STATE_FILE = Path(".gates") / "fly" / "state.json"
PROCESS_OF_ROLE = {"worker": "generator", "regenerator": "regenerator"}
CHECK_NAME = "worker-health"
MAX_START_ATTEMPTS = 3
CHECK_TIMEOUT_S = 1.0
_SETTLE_S = 0.05


@dataclass(frozen=True)
class LocalApp:
    """How one app runs here: which stand-in worker, how many machines, how long a stop may take."""

    role: str  # worker or regenerator
    machines: int = 1
    kill_timeout_s: float = 5.0
    env: Mapping[str, str] = field(default_factory=dict)  # the fly.toml [env]


@dataclass
class _MachineRecord:
    id: str
    pid: int
    image: str
    health_url: str
    log: str
    exit_codes: list[int] = field(default_factory=list)
    stopped: bool = False


class LocalFlyPlatform:
    """`FlyPlatform` over local processes; `worker_env` holds DATABASE_URL and the stand-in's knobs."""

    def __init__(
        self, state_file: Path, apps: Mapping[str, LocalApp], worker_env: Mapping[str, str] | None = None
    ) -> None:
        self.state_file = state_file
        self.apps = dict(apps)
        self.worker_env = dict(worker_env or {})
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    # Images
    def build(self, version: int, faults: Iterable[str] = ()) -> str:
        """Record a worker build `local/atlaris-worker:vVERSION` carrying `faults`; its ref."""
        names = sorted(set(faults))
        parse_faults(",".join(names))  # an unknown fault fails the build, not the deploy
        ref = f"{IMAGE_REPOSITORY}:v{version}"
        with self._state() as state:
            known = state["images"].get(ref)
            if known is not None and known["faults"] != names:
                raise PlatformError(f"image {ref} was already built with faults {known['faults'] or 'none'}")
            state["images"][ref] = {"faults": names}
        return ref

    # FlyPlatform
    def releases(self, app: str) -> Sequence[Release]:
        state = self._read()
        rows = self._app_state(state, app)["releases"]
        return [Release(**row) for row in sorted(rows, key=lambda row: row["version"], reverse=True)]

    def machines(self, app: str) -> Sequence[Machine]:
        state = self._read()
        return [self._machine(_MachineRecord(**row)) for row in self._app_state(state, app)["machines"]]

    def pids(self, app: str) -> frozenset[int]:
        """The process ids of the app's running machines: the only processes host_checks may judge here."""
        state = self._read()
        return frozenset(row["pid"] for row in self._app_state(state, app)["machines"] if not row["stopped"])

    def deploy(self, app: str, image: str, *, strategy: Strategy, wait_timeout_s: float) -> None:
        settings = self._app(app)
        state = self._read()
        if image not in state["images"]:
            raise PlatformError(f"image {image} was never built here; build it first")
        version = max((row["version"] for row in self._app_state(state, app)["releases"]), default=0) + 1
        self._record_release(app, version, "running", image, strategy)
        fleet = [_MachineRecord(**row) for row in self._app_state(state, app)["machines"] if not row["stopped"]]
        try:
            self._replace(app, settings, fleet, image, strategy, wait_timeout_s)
        except PlatformError:
            self._record_release(app, version, "failed", image, strategy)
            raise
        finally:
            self._save_machines(app, fleet)
        self._record_release(app, version, "complete", image, strategy)

    # Housekeeping
    def stop_all(self) -> None:
        """Stop every machine of every app (tests, benchmarks, `down`)."""
        state = self._read()
        for app in state["apps"]:
            settings = self.apps.get(app)
            records = [_MachineRecord(**row) for row in state["apps"][app]["machines"]]
            for record in records:
                self._stop(record, settings.kill_timeout_s if settings else 5.0)
            self._save_machines(app, records)

    # Deploy strategies
    def _replace(
        self,
        app: str,
        settings: LocalApp,
        fleet: list[_MachineRecord],
        image: str,
        strategy: Strategy,
        wait_timeout_s: float,
    ) -> None:
        """Replace the machines in `fleet` (which ends holding old and new) by machines on `image`."""
        old = list(fleet)
        count = max(settings.machines, len(old))
        if strategy in ("bluegreen", "canary"):
            new = [self._start(app, settings, image) for _ in range(count)]
            fleet += new
            self._save_machines(app, fleet)
            problems = [problem for machine in new if (problem := self._wait(app, settings, machine, wait_timeout_s))]
            doomed = new if problems else old
            for machine in doomed:
                self._stop(machine, settings.kill_timeout_s)
            if problems:
                raise PlatformError(f"deploy of {image} to {app} failed ({strategy}): {'; '.join(problems)}")
            return
        for index in range(count):
            if index < len(old):
                self._stop(old[index], settings.kill_timeout_s)
            machine = self._start(app, settings, image)
            fleet.append(machine)
            self._save_machines(app, fleet)
            if strategy == "rolling":
                problem = self._wait(app, settings, machine, wait_timeout_s)
                if problem:
                    raise PlatformError(f"deploy of {image} to {app} failed (rolling): {problem}")

    def _start(self, app: str, settings: LocalApp, image: str, machine_id: str | None = None) -> _MachineRecord:
        faults = self._read()["images"][image]["faults"]
        machine_id = machine_id or secrets.token_hex(7)
        port = free_port()
        log = self.state_file.parent / "logs" / f"{app}-{machine_id}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        environment = {
            **os.environ,
            **self.worker_env,
            **settings.env,
            "STANDIN_HEALTH_PORT": str(port),
            # The image's faults come on top of any the caller set; `name@regenerator` breaks one entry point.
            FAULTS_ENV: ",".join([*faults, self.worker_env.get(FAULTS_ENV, os.environ.get(FAULTS_ENV, ""))]),
            "FLY_APP_NAME": app,
            "FLY_MACHINE_ID": machine_id,
            "FLY_IMAGE_REF": image,
            "PYTHONUNBUFFERED": "1",
        }
        if "DATABASE_URL" not in environment:
            raise PlatformError(f"cannot start a machine of {app}: DATABASE_URL is not set for the local workers")
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "standin.worker", PROCESS_OF_ROLE[settings.role]],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C for the terminal does not stop the machines
            )
        self._children[process.pid] = process
        return _MachineRecord(machine_id, process.pid, image, f"http://127.0.0.1:{port}/health", str(log))

    def _wait(self, app: str, settings: LocalApp, machine: _MachineRecord, wait_timeout_s: float) -> str | None:
        """None once `machine` is started with its check passing; else why not, after restarts or the timeout."""
        deadline = time.monotonic() + wait_timeout_s
        while time.monotonic() < deadline:
            code = self._exit_code(machine)
            if code is not None:
                machine.exit_codes.append(code)
                if len(machine.exit_codes) >= MAX_START_ATTEMPTS:
                    times = len(machine.exit_codes)
                    return f"machine {machine.id} exited {times} times (last code {code}, see {machine.log})"
                restarted = self._start(app, settings, machine.image, machine.id)
                machine.pid, machine.health_url = restarted.pid, restarted.health_url
                continue
            if _check(machine.health_url).status == "passing":
                return None
            time.sleep(_SETTLE_S)
        return f"machine {machine.id} not healthy within {wait_timeout_s:g} s ({_check(machine.health_url).output})"

    def _stop(self, machine: _MachineRecord, kill_timeout_s: float) -> None:
        """SIGTERM, then SIGKILL once `kill_timeout_s` has passed, as Fly does with kill_signal/kill_timeout."""
        if self._exit_code(machine) is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(machine.pid, signal.SIGTERM)
            deadline = time.monotonic() + kill_timeout_s
            while self._exit_code(machine) is None and time.monotonic() < deadline:
                time.sleep(_SETTLE_S)
            if self._exit_code(machine) is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(machine.pid, signal.SIGKILL)
                while self._exit_code(machine) is None:
                    time.sleep(_SETTLE_S)
        machine.stopped = True

    def _exit_code(self, machine: _MachineRecord) -> int | None:
        """None while the process runs; its exit code (a signal as 128 + N, -1 when unknown) once gone."""
        child = self._children.get(machine.pid)
        if child is not None:
            code = child.poll()
            return None if code is None else (128 - code if code < 0 else code)
        return None if is_standin_process(machine.pid) else -1

    def _machine(self, record: _MachineRecord) -> Machine:
        running = not record.stopped and self._exit_code(record) is None
        checks = (Check(CHECK_NAME, *_check(record.health_url).as_tuple()),) if running else ()
        if not running and not record.stopped:
            checks = (Check(CHECK_NAME, "critical", f"the worker process has exited; see {record.log}"),)
        return Machine(
            id=record.id,
            state="started" if running else "stopped",
            image=record.image,
            checks=checks,
            exit_codes=tuple(record.exit_codes),
        )

    # State
    def _app(self, app: str) -> LocalApp:
        try:
            return self.apps[app]
        except KeyError:
            raise PlatformError(
                f"Fly app {app} is not one of the local apps ({', '.join(sorted(self.apps))})"
            ) from None

    def _app_state(self, state: dict[str, Any], app: str) -> dict[str, Any]:
        self._app(app)
        return state["apps"].get(app, {"releases": [], "machines": []})

    def _record_release(self, app: str, version: int, status: str, image: str, strategy: str) -> None:
        with self._state() as state:
            rows = state["apps"].setdefault(app, {"releases": [], "machines": []})["releases"]
            rows[:] = [row for row in rows if row["version"] != version]
            created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append(asdict(Release(version, status, image, created, f"deploy ({strategy})")))

    def _save_machines(self, app: str, machines: list[_MachineRecord]) -> None:
        with self._state() as state:
            entry = state["apps"].setdefault(app, {"releases": [], "machines": []})
            # Stopped machines are destroyed, as a Fly deploy does with replaced ones.
            entry["machines"] = [asdict(machine) for machine in machines if not machine.stopped]

    def _read(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {"images": {}, "apps": {}}
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PlatformError(f"the local Fly state {self.state_file} cannot be read: {error}") from None
        return data if isinstance(data, dict) else {"images": {}, "apps": {}}

    @contextlib.contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        state = self._read()
        yield state
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2), encoding="utf-8")
        temporary.replace(self.state_file)  # a reader never sees half a file


@dataclass(frozen=True)
class _CheckResult:
    status: str
    output: str

    def as_tuple(self) -> tuple[str, str]:
        return self.status, self.output


def _check(url: str) -> _CheckResult:
    """The machine's health check: its worker's health endpoint answering 200."""
    try:
        response = httpx.get(url, timeout=CHECK_TIMEOUT_S)
    except httpx.HTTPError as error:
        return _CheckResult("critical", f"GET {url}: {type(error).__name__}")
    status = "passing" if response.status_code == 200 else "critical"
    return _CheckResult(status, f"HTTP {response.status_code}: {response.text[:200]}")
