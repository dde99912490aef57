"""A testinfra backend that runs commands on a Fly machine through `fly ssh console -C`.

flyctl runs no shell for `-C` and exits 1 whatever the remote exit code (platforms.md 1.9), so each
command is wrapped in `sh -c` and followed by a sentinel line carrying `$?`; the sentinel, not
flyctl's exit code, is the command's exit status. A missing sentinel means the command never ran.
"""

from __future__ import annotations

import shlex
from typing import Any

from testinfra.backend.base import BaseBackend, CommandResult

from fly.flyctl import FlyctlError
from fly.flyctl_platform import FlyctlPlatform

SENTINEL = "__gates_exit_status__="


class FlySshBackend(BaseBackend):
    NAME = "fly-ssh"

    def __init__(self, platform: FlyctlPlatform, app: str, machine_id: str, **kwargs: Any) -> None:
        super().__init__(f"{app}/{machine_id}", **kwargs)
        self.platform, self.app, self.machine_id = platform, app, machine_id

    def run(self, command: str, *args: str, **kwargs: Any) -> CommandResult:
        command = self.get_command(command, *args)
        # A subshell, so that even `exit` reaches the status line; that line starts on a line of its own.
        script = f"(\n{command}\n)\nprintf '\\n{SENTINEL}%s\\n' \"$?\""
        output = self.platform.ssh(self.app, self.machine_id, f"sh -c {shlex.quote(script)}")
        body, found, status = output.rpartition(f"\n{SENTINEL}")
        if not found or not status.strip().isdigit():
            raise FlyctlError(f"fly ssh console on {self.app} machine {self.machine_id} printed no exit status")
        return self.result(int(status.strip()), self.encode(command), body, b"")
