"""Run a pytest session with every report that could show a secret, and return all it wrote.

The session runs in a subprocess with `-v -rA --tb=long --showlocals`, a JUnit file and a JSON
report (pytest-json-report): the terminal, both files and the exit code come back as one text, for
a test to search for the secrets it passed in through the environment (never in the source, which
the traceback shows). `env` is the child's whole environment (see `developer_env`), so nothing of
the caller's own run decides what the child sees.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPORT_OPTIONS = ("-v", "-rA", "--tb=long", "--showlocals", "-p", "no:cacheprovider")


def run_reported(folder: Path, arguments: list[str], env: Mapping[str, str], timeout_s: float = 120) -> tuple[int, str]:
    """(exit code, terminal + JUnit + JSON report) of `pytest <arguments>` run in `folder`."""
    junit, report = folder / "junit.xml", folder / "report.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *REPORT_OPTIONS,
            f"--junitxml={junit}",
            "--json-report",
            f"--json-report-file={report}",
            *arguments,
        ],
        cwd=folder,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    written = [completed.stdout, completed.stderr]
    written += [path.read_text() for path in (junit, report) if path.exists()]
    return completed.returncode, "\n".join(written)
