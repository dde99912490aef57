"""How files are named in findings: relative to the current folder, as people type them."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
