"""A fake `flyctl` executable for tests, placed first on PATH, answering with platforms.md's exact shapes.

The fake is a small Python script. Its answers come from a state file (`FAKE_FLYCTL_STATE`), which
maps a command (its arguments without `--json`, joined by spaces) to stdout, stderr and an exit
code; the longest registered command that starts the call's arguments answers, and its `then`
answers replace the registered ones from then on (a deploy changes what `releases` shows). Each
call's argv is appended to the state's log; `ssh console -C CMD` runs CMD here, as the machine.
JSON is written as flyctl writes it: 4-space indent, trailing newline,
PascalCase releases, snake_case machines, `updated_at` on every check.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = """#!{python}
import json, os, sys
path = os.environ["FAKE_FLYCTL_STATE"]
with open(path) as f:
    state = json.load(f)
args = [a for a in sys.argv[1:] if a not in ("--json", "-j")]
state["calls"].append(sys.argv[1:])
with open(path, "w") as f:
    json.dump(state, f)
joined = " ".join(args)
if args[:2] == ["ssh", "console"] and "-C" in args and "ssh console" not in state["answers"]:
    # platforms.md 1.9: the command is split into argv (shell quoting respected), run without a shell;
    # a non-zero remote exit makes flyctl exit 1, naming the real status only on stderr.
    import shlex, subprocess
    done = subprocess.run(shlex.split(args[args.index("-C") + 1]), capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode:
        sys.stderr.write("Error: ssh shell: Process exited with status %d\\n" % done.returncode)
        sys.exit(1)
    sys.exit(0)
matches = [key for key in state["answers"] if joined == key or joined.startswith(key + " ")]
answer = state["answers"][max(matches, key=len)] if matches else None
state["answers"].update((answer or dict()).get("then") or dict())
with open(path, "w") as f:
    json.dump(state, f)
if answer is None:
    sys.stderr.write("Error: unknown command for the fake: " + joined + "\\n")
    sys.exit(1)
if answer.get("hang_s"):
    import time
    time.sleep(answer["hang_s"])
sys.stdout.write(answer["stdout"])
sys.stderr.write(answer["stderr"])
sys.exit(answer["exit"])
"""
TIMESTAMP = "2026-08-12T16:21:00Z"


def render(data: Any) -> str:
    """JSON as flyctl prints it (Go json.Encoder with a 4-space indent)."""
    return json.dumps(data, indent=4) + "\n"


@dataclass
class FakeFlyctl:
    bin_dir: Path
    state_file: Path

    @classmethod
    def install(cls, folder: Path, name: str = "flyctl") -> FakeFlyctl:
        bin_dir = folder / "fake-bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        script = bin_dir / name
        script.write_text(SCRIPT.format(python=sys.executable), encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        fake = cls(bin_dir, folder / "fake-flyctl.json")
        fake.state_file.write_text(json.dumps({"answers": {}, "calls": []}), encoding="utf-8")
        return fake

    def environ(self, token: str = "fly-test-token") -> dict[str, str]:
        """This process's environment with the fake's `variables`."""
        return {**os.environ, **self.variables(token)}

    def variables(self, token: str = "fly-test-token") -> dict[str, str]:
        """The fake first on PATH (only there: no real flyctl can answer), its state file and a token."""
        return {
            "PATH": f"{self.bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
            "FAKE_FLYCTL_STATE": str(self.state_file),
            "FLY_API_TOKEN": token,
        }

    def answer(
        self,
        command: str,
        *,
        data: Any = None,
        stdout: str = "",
        stderr: str = "",
        exit: int = 0,
        then: FakeFlyctl | None = None,
        hang_s: float = 0,
    ) -> None:
        """Answer `command` (after `hang_s` seconds of silence); once it is called, the answers registered
        on `then` (a `staged()` fake) apply."""
        state = self._state()
        text = render(data) if data is not None else stdout
        after = then._state()["answers"] if then is not None else {}
        state["answers"][command] = {"stdout": text, "stderr": stderr, "exit": exit, "then": after, "hang_s": hang_s}
        self.state_file.write_text(json.dumps(state), encoding="utf-8")

    def staged(self, name: str) -> FakeFlyctl:
        """An empty answer book beside this fake, to fill with the answers a later call brings in."""
        stage = FakeFlyctl(self.bin_dir, self.state_file.with_name(f"fake-flyctl-{name}.json"))
        stage.state_file.write_text(json.dumps({"answers": {}, "calls": []}), encoding="utf-8")
        return stage

    def calls(self) -> list[list[str]]:
        return list(self._state()["calls"])

    def _state(self) -> dict[str, Any]:
        return dict(json.loads(self.state_file.read_text(encoding="utf-8")))

    # Scenarios
    def app(self, app: str, releases: list[dict[str, Any]], machines: list[dict[str, Any]]) -> None:
        self.answer(f"releases --app {app}", data=releases)
        self.answer(f"machines list --app {app}", data=machines)
        self.answer(f"checks list --app {app}", data={m["id"]: m["checks"] for m in machines})


def release(app: str, version: int, tag: str, status: str = "complete") -> dict[str, Any]:
    """A `fly releases --json` row: PascalCase, the four fields the query never fills at zero values."""
    return {
        "ID": f"rel_{version:04d}",
        "Version": version,
        "Stable": status == "complete",
        "InProgress": False,
        "Reason": "deploy",
        "Description": f"Deploy image {tag}",
        "Status": status,
        "DeploymentStrategy": "",
        "Metadata": None,
        "User": {"ID": "u1", "Name": "CI", "Email": "ci@example.com", "EnablePaidHobby": False},
        "EvaluationID": "",
        "CreatedAt": TIMESTAMP,
        "ImageRef": image(app, tag),
    }


def image(app: str, tag: str) -> str:
    return f"registry.fly.io/{app}:{tag}"


def machine(
    machine_id: str,
    app: str,
    tag: str,
    *,
    state: str = "started",
    checks: list[tuple[str, str, str]] | None = None,
    exits: list[int] | None = None,
    history: tuple[int | str, ...] = (),
    version: int = 1,
    standby_for: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A machine object (fly-go `Machine`, snake_case), with its checks and events: an exit for each code
    in `exits`, else one for each int in `history`, whose strings are other events (`update`: a deploy
    put a new config on the machine), oldest first. `standby_for` makes it a standby for those machine
    ids (`config.standbys`, which fly-go omits when empty)."""
    check_rows = [
        {"name": name, "status": status, "output": output, "updated_at": TIMESTAMP}
        for name, status, output in (checks if checks is not None else [("worker-health", "passing", "HTTP 200")])
    ]
    events = [
        {
            "type": "exit",
            "status": "stopped",
            "source": "flyd",
            "timestamp": 1_786_000_000_000 + index,
            "request": {"exit_event": {"exit_code": code, "oom_killed": False, "requested_stop": False}},
        }
        if isinstance(code, int)
        else {"type": code, "status": "pending", "source": "user", "timestamp": 1_786_000_000_000 + index}
        for index, code in enumerate(exits or history)
    ]
    return {
        "id": machine_id,
        "name": f"{app}-{machine_id[:4]}",
        "state": state,
        "region": "sjc",
        "instance_id": f"01H{machine_id.upper()}",
        "version": f"01H{machine_id.upper()}",
        "private_ip": "fdaa:0:1::2",
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "config": {
            "image": image(app, tag),
            "env": {"NODE_ENV": "staging"},
            "guest": {"cpu_kind": "shared", "cpus": 1, "memory_mb": 256},
            "metadata": {
                "fly_platform_version": "v2",
                "fly_release_version": str(version),
                "fly_process_group": "app",
            },
            **({"standbys": list(standby_for)} if standby_for else {}),
        },
        "image_ref": {
            "registry": "registry.fly.io",
            "repository": app,
            "tag": tag,
            "digest": "sha256:" + "0" * 64,
            "labels": {"fly.version": tag},
        },
        "events": events,
        "checks": check_rows,
        "host_status": "ok",
        "cordoned": False,
    }
