"""What the host checks read on a worker's host, with one shell script run through any testinfra host.

The script finds the worker processes by their entry point in `/proc/*/cmdline` and prints, for each,
its uid, `APP_ENV`, whether its working directory holds a `.env*` file, whether its health endpoint
answers, and the SHA-256 of each named variable of its environment (computed there: values never
leave the machine). The entry point travels as octal escapes and is matched with `case`, so the
probe's own processes never match it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from testinfra.host import Host

UNSET = "unset"


@dataclass
class WorkerProcess:
    pid: int
    uid: int = -1
    app_env: str = ""
    dotenv_files: list[str] = field(default_factory=list)
    health_answers: bool = False
    hashes: dict[str, str] = field(default_factory=dict)  # variable -> sha256 hex, or UNSET


def value_hash(value: str) -> str:
    """The hash the probe computes: SHA-256 of the value with surrounding whitespace stripped."""
    return hashlib.sha256(value.strip().encode()).hexdigest()


def _octal(text: str) -> str:
    return "".join(f"\\{byte:03o}" for byte in text.encode())


def probe_script(entrypoint: str, variables: Sequence[str], port_variable: str, health_path: str) -> str:
    read = "tr '\\0' '\\n' < /proc/$p/environ | sed -n \"s/^$1=//p\" | head -n 1"
    hashes = "".join(f'  echo "hash {name} $(h {name})"\n' for name in variables)
    return f"""M=$(printf '{_octal(entrypoint)}')
v() {{ {read}; }}
h() {{ if tr '\\0' '\\n' < /proc/$p/environ | grep -q "^$1="; then
  v "$1" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//' | tr -d '\\n' | sha256sum | cut -d' ' -f1;
  else echo {UNSET}; fi; }}
for d in /proc/[0-9]*; do
  p=${{d#/proc/}}; [ "$p" = "$$" ] && continue
  c=$(tr '\\0' ' ' < $d/cmdline 2>/dev/null) || continue
  case "$c" in *"$M"*) ;; *) continue ;; esac
  echo "pid $p"
  echo "uid $(awk '/^Uid:/{{print $2}}' $d/status)"
  echo "app_env $(v APP_ENV)"
  for f in $d/cwd/.env $d/cwd/.env.*; do [ -e "$f" ] && echo "dotenv ${{f#$d/cwd/}}"; done
  port=$(v {port_variable})
  url="http://127.0.0.1:$port{health_path}"
  if wget -q -T 5 -O /dev/null "$url" 2>/dev/null || curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null; then
    echo "health yes"; else echo "health no"; fi
{hashes}done
"""


def probe(
    host: Host, entrypoint: str, variables: Sequence[str], port_variable: str, health_path: str = "/health"
) -> list[WorkerProcess]:
    """The worker processes running `entrypoint` on `host`; RuntimeError when the probe itself fails."""
    result = host.run(probe_script(entrypoint, variables, port_variable, health_path))
    if result.rc != 0:
        raise RuntimeError(f"the host probe exited with status {result.rc}: {result.stderr.strip()[:200]}")
    return _parse(result.stdout)


def _parse(output: str) -> list[WorkerProcess]:
    found: list[WorkerProcess] = []
    for line in output.splitlines():
        key, _, value = line.strip().partition(" ")
        if key == "pid":
            found.append(WorkerProcess(int(value)))
        elif not found:
            continue
        elif key == "uid":
            found[-1].uid = int(value) if value.isdigit() else -1
        elif key == "app_env":
            found[-1].app_env = value
        elif key == "dotenv":
            found[-1].dotenv_files.append(value)
        elif key == "health":
            found[-1].health_answers = value == "yes"
        elif key == "hash":
            name, _, digest = value.partition(" ")
            found[-1].hashes[name] = digest
    return found
