"""The smoke gate's inputs for a running stand-in: written by `standin up`, read by the local smoke.

`up` writes them to `.gates/standin/smoke.env` (shell `export` lines, mode 600: the API key is in
it) next to `state.json`, and `down` removes both. The local smoke reads them back by itself, but
only while the stand-in that wrote them still runs: a file left by a crashed stand-in would aim
the gate at nothing.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from pathlib import Path

from standin.stack import is_standin_process

STATE_DIR = Path(".gates") / "standin"
SMOKE_ENV = STATE_DIR / "smoke.env"
START_COMMAND = "python -m standin up"


class NoRunningStandin(Exception):
    """No stand-in runs in the folders looked at; the message says what to run."""


def write_smoke_env(path: Path, values: Mapping[str, str]) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)  # also when an older file was there
    path.write_text("".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items()))


def running_standin_inputs(folders: list[Path]) -> dict[str, str]:
    """The inputs of the stand-in running in the first of `folders` that has one."""
    for folder in dict.fromkeys(folder.resolve() for folder in folders):
        path, state = folder / SMOKE_ENV, folder / STATE_DIR / "state.json"
        if path.is_file() and state.is_file() and _api_alive(state):
            return _read(path)
    where = " or ".join(str(folder) for folder in dict.fromkeys(folders))
    raise NoRunningStandin(
        f"no stand-in runs in {where}: run `{START_COMMAND}` there (the smoke then reads {SMOKE_ENV} by itself)"
    )


def _api_alive(state: Path) -> bool:
    try:
        components = json.loads(state.read_text(encoding="utf-8"))["components"]
        api = next(component for component in components if component["name"] == "api")
        return is_standin_process(int(api["pid"]))
    except (OSError, ValueError, KeyError, StopIteration):
        return False


def _read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            values[name] = value
    return values
