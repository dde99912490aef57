"""What a run leaves behind: processes carrying a marker variable, and the ports they listen on.

Every process a rehearsal starts (gates, stand-in processes, Postgres) inherits its environment,
so a marker variable set for the rehearsal finds all of them in `/proc`, and nothing else.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

MARK_VARIABLE = "REHEARSE_LEFTOVER_MARK"


def marked_processes(mark: str) -> list[int]:
    needle = f"{MARK_VARIABLE}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def listening_ports(pids: list[int]) -> set[int]:
    """The TCP ports on which any of `pids` listens."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def answering(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
