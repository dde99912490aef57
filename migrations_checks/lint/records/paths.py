"""How files are named in findings: relative to the current folder, as people type them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def display_path(path: Path) -> str:
    cwd = os.getcwd()
    try:
        return str(_resolved(os.path.join(cwd, path.parent)).joinpath(path.name).relative_to(_resolved(cwd)))
    except ValueError:
        return str(path)


@lru_cache(maxsize=64)
def _resolved(folder: str) -> Path:
    # Once per folder (given absolute), not per file: a history's findings are mostly in one
    # folder, and resolving stats every part of the path.
    return Path(folder).resolve()
