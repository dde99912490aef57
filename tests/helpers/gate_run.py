"""Run the installed gates in a child pytest, as a workflow would, with a gates.toml of the test's own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_gates(
    folder: Path, marker: str, env_name: str, environ: Mapping[str, str], *, extra: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`pytest --pyargs fly -m MARKER --gates-env ENV` in `folder` (where its gates.toml is)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "fly",
            "-m",
            marker,
            "--gates-env",
            env_name,
            f"--gates-config={folder / 'gates.toml'}",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "python_files=gate_*.py",  # until the plugin collects installed gate modules itself
            *extra,
        ],
        cwd=folder,
        env=dict(environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
