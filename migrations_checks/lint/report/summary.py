"""What every lint output format shows the same way: the counts, the coverage, and file paths as
GitHub resolves them."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from migrations_checks.lint.records.findings import LintResult


def counts(result: LintResult) -> str:
    """`2 errors, 1 warning, 0 info, 1 suppressed`: what a reader checks first."""
    errors, warnings = result.count("error"), result.count("warning")
    return (
        f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}, "
        f"{result.count('info')} info, {len(result.suppressed)} suppressed"
    )


def coverage(result: LintResult) -> str:
    """How much was read and how: an opaque statement is one no rule could examine."""
    files, statements, cover = result.files, result.statements, result.coverage
    return (
        f"{files} file{'' if files == 1 else 's'}, {statements} statement{'' if statements == 1 else 's'} "
        f"({cover.parsed} parsed, {cover.classified} classified, {cover.opaque} opaque)"
    )


def repository_path(file: str) -> str:
    """A finding's file as GitHub resolves annotation and code-scanning paths: relative to the
    repository root (GITHUB_WORKSPACE in Actions, else the nearest folder holding `.git`), which
    need not be the folder the lint ran in. Files outside the repository are left as shown."""
    root = _repository_root(os.environ.get("GITHUB_WORKSPACE") or "", str(Path.cwd()))
    if root is None:
        return file
    try:
        return Path(file).resolve().relative_to(root).as_posix()
    except ValueError:
        return file


@cache
def _repository_root(workspace: str, cwd: str) -> Path | None:
    if workspace:
        return Path(workspace).resolve()
    here = Path(cwd).resolve()
    return next((folder for folder in (here, *here.parents) if (folder / ".git").exists()), None)
