"""What the host checks read on a worker's host, with one shell script run through any testinfra host.

The script finds the worker processes by their entry point in `/proc/*/cmdline` and prints, for each,
its uid, `APP_ENV`, whether its working directory holds a `.env*` file, whether its health endpoint
answers, and the SHA-256 of each named variable of its environment (computed there: values never
leave the machine). The entry point travels as octal escapes and is matched with `case`, so the
probe's own processes never match it.

It also reads the image's own configuration files in the working directory's tree (the image's
`WORKDIR`) for a line assigning a secret a value: `NAME=value`, `export NAME=value` or `NAME: value`,
where the value is neither empty nor a reference (`$NAME`, `${NAME}`). Configuration files are env
files (`.env*`, `*.env`, `*.env.*`, `env`), ini, toml, yaml and properties files and shell scripts,
under 1 MB; source code is not read, since `DATABASE_URL = os.environ[...]` names a variable
without holding its value. Dependency, cache and hidden folders (`node_modules`, `__pycache__`,
`.git`) are not the app's own and are skipped. awk prints the file, the line number and the name
only: the line itself never leaves the machine.
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
    workdir: str = ""
    baked: list[Baked] = field(default_factory=list)


@dataclass(frozen=True)
class Baked:
    """A line of the image's files that assigns a secret: where it is and which name, never its value."""

    file: str  # relative to the working directory
    line: int
    name: str


def value_hash(value: str) -> str:
    """The hash the probe computes: SHA-256 of the value with surrounding whitespace stripped."""
    return hashlib.sha256(value.strip().encode()).hexdigest()


EMPTY = value_hash("")  # a variable set to nothing (or whitespace) is no secret either


def _octal(text: str) -> str:
    return "".join(f"\\{byte:03o}" for byte in text.encode())


# A value that is neither empty (`=`, `=""`, `=''`, `=#...`) nor a reference (`=$X`, `="${X}"`);
# \042 and \047 are awk's `"` and `'`.
_ASSIGNS = r"[ \t]*[=:][ \t]*([^ \t\r\042\047#$]|\042[^\042$]|\047[^\047$])"
_CONFIG_FILES = (
    *(".env*", "*.env", "*.env.*", "env"),
    *("*.ini", "*.cfg", "*.conf", "*.properties", "*.toml", "*.yaml", "*.yml"),
    "*.sh",
)
_FIND_CONFIG_FILES = " -o ".join(f"-name '{pattern}'" for pattern in _CONFIG_FILES)
_BAKED_AWK = (
    r'BEGIN { n = split(names, w, " ") } '
    rf'{{ for (i = 1; i <= n; i++) if ($0 ~ ("^[ \t]*(export[ \t]+)?" w[i] "{_ASSIGNS}")) '
    r'print "baked " FNR " " w[i] " " FILENAME }'
)


def probe_script(
    entrypoint: str, variables: Sequence[str], port_variable: str, health_path: str, secrets: Sequence[str] = ()
) -> str:
    read = "tr '\\0' '\\n' < /proc/$p/environ | sed -n \"s/^$1=//p\" | head -n 1"
    hashes = "".join(f'  echo "hash {name} $(h {name})"\n' for name in variables)
    skipped = "-name node_modules -o -name __pycache__ -o -name '.?*'"
    scanned = '  [ -n "$w" ] && [ "$w" != / ] && (cd $d/cwd && b)\n' if secrets else ""
    awk = f"awk -v names='{' '.join(secrets)}' '{_BAKED_AWK}'"
    scan = f"-type f -size -1024k \\( {_FIND_CONFIG_FILES} \\) -exec {awk} {{}} +"
    return f"""M=$(printf '{_octal(entrypoint)}')
v() {{ {read}; }}
h() {{ if tr '\\0' '\\n' < /proc/$p/environ | grep -q "^$1="; then
  v "$1" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//' | tr -d '\\n' | sha256sum | cut -d' ' -f1;
  else echo {UNSET}; fi; }}
b() {{ find . -xdev -type d \\( {skipped} \\) -prune -o {scan} 2>/dev/null; }}
for d in /proc/[0-9]*; do
  p=${{d#/proc/}}; [ "$p" = "$$" ] && continue
  c=$(tr '\\0' ' ' < $d/cmdline 2>/dev/null) || continue
  case "$c" in *"$M"*) ;; *) continue ;; esac
  echo "pid $p"
  echo "uid $(awk '/^Uid:/{{print $2}}' $d/status)"
  echo "app_env $(v APP_ENV)"
  for f in $d/cwd/.env $d/cwd/.env.*; do [ -e "$f" ] && echo "dotenv ${{f#$d/cwd/}}"; done
  w=$(readlink $d/cwd); echo "workdir $w"
{scanned}  port=$(v {port_variable})
  url="http://127.0.0.1:$port{health_path}"
  if wget -q -T 5 -O /dev/null "$url" 2>/dev/null || curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null; then
    echo "health yes"; else echo "health no"; fi
{hashes}done
"""


def probe(
    host: Host,
    entrypoint: str,
    variables: Sequence[str],
    port_variable: str,
    health_path: str,
    secrets: Sequence[str] = (),
) -> list[WorkerProcess]:
    """The worker processes running `entrypoint` on `host`, `variables` hashed and the image's files
    read for assignments of `secrets`; RuntimeError when the probe itself fails."""
    result = host.run(probe_script(entrypoint, variables, port_variable, health_path, secrets))
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
        elif key == "workdir":
            found[-1].workdir = value
        elif key == "baked":
            number, name, file = [*value.split(" ", 2), "", ""][:3]
            if number.isdigit():
                found[-1].baked.append(Baked(file.removeprefix("./"), int(number), name))
    return found
