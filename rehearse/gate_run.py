"""Run a gate group exactly as a workflow does, `pytest -m <group> --gates-env local`, and read
its verdict from the JUnit XML it writes.

The gates run in a subprocess with the rehearsal's own configuration (`gates.toml` in the
workspace: the release's history, the local app's URL) and inputs (the rehearsal's Postgres as
the scratch server, the staging database and key for the smoke test). pytest's own ini file is
the workspace's, so nothing of the current folder's pytest configuration changes what runs.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gates.secret import Secret
from rehearse import processes

PYTEST_INI = "[pytest]\npython_files = gate_*.py\naddopts = --strict-markers -p no:cacheprovider\ntimeout = 300\n"
GATE_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    sentence: str  # the first failure, or what passed (and any skip, with its reason)


def run_gate(
    group: str,
    *,
    workspace: Path,
    config: Path,
    env: Mapping[str, str],
    secrets: Mapping[str, Secret] | None = None,
    name: str,
    deselect: str | None = None,
    options: Sequence[str] = (),
    gates_env: str = "local",
) -> GateVerdict:
    """Run `pytest -m group --gates-env local` (or `gates_env`) on the installed gates; `name` names its XML file.

    `deselect` is a `-k` expression of gate tests left out, which the stage's note must name;
    `options` are further pytest options (a gate's own, such as `--drill-report=PATH`)."""
    ini = workspace / "pytest.ini"
    ini.write_text(PYTEST_INI, encoding="utf-8")
    junit = workspace / f"{name}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        group,
        "--gates-env",
        gates_env,
        f"--gates-config={config}",
        "-c",
        str(ini),
        "--rootdir",
        str(workspace),
        f"--junitxml={junit}",
        "-q",
        *(["-k", f"not ({deselect})"] if deselect else []),
        *options,
        # no paths: given a gates.toml, the plugin collects the installed gate modules, as in an app's repository
    ]
    finished = processes.run(command, cwd=workspace, env=env, secrets=secrets, timeout_s=GATE_TIMEOUT_S)
    return read_verdict(group, junit, finished)


def read_verdict(group: str, junit: Path, finished: processes.Finished) -> GateVerdict:
    """Passed only when pytest exited 0 and ran at least one gate; otherwise the first failure."""
    if not junit.exists():
        last = _last_line(finished.stderr) or _last_line(finished.stdout) or f"exit code {finished.returncode}"
        return GateVerdict(False, f"pytest -m {group} wrote no report: {last}")
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    passed, skipped = 0, Counter[str]()
    for case in cases:
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            return GateVerdict(False, f"{case.get('name')}: {failure_sentence(problem)}")
        skip = case.find("skipped")
        if skip is not None:
            skipped[_strip(skip.get("message") or "no reason given")] += 1
        else:
            passed += 1
    if finished.returncode != 0:
        last = _last_line(finished.stdout) or f"exit code {finished.returncode}"
        return GateVerdict(False, f"pytest -m {group} exited {finished.returncode}: {last}")
    if passed == 0:
        return GateVerdict(False, f"pytest -m {group} ran no gate at all; is the plugin installed?")
    skips = [f"{count} skipped: {reason}" for reason, count in skipped.items()]
    return GateVerdict(True, "; ".join([f"{passed} gate test(s) passed", *skips]))


def failure_sentence(problem: ElementTree.Element) -> str:
    """One line: the gate's own message; a first line ending in ':' is joined to the detail that names
    the cause (the first line saying `error`, as the lint's blocking findings do, else the first)."""
    text = (problem.text or problem.get("message") or "").strip()
    lines = [line.strip() for line in _strip(text).splitlines() if line.strip()]
    if not lines:
        return "failed without a message"
    headline, details = lines[0], lines[1:]
    if not headline.endswith(":") or not details:
        return headline
    cause = next((line for line in details if "error" in line.split()), details[0])
    return f"{headline} {cause}"


def _strip(message: str) -> str:
    for prefix in ("Failed: ", "Skipped: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
