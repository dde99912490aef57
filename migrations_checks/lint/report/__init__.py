"""Output formats of `migrations-checks lint`: one module per format, each with `render(result)`.

People read `text` in a terminal and `markdown` in a pull-request comment; machines read `json`,
GitHub Actions turns `github` workflow commands into inline annotations, and code scanning ingests
`sarif`. All formats show the same findings and suppressions, so choosing one never hides anything.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from pathlib import Path

from migrations_checks.lint.records.findings import LintResult

# Format name -> module in this package. Modules are imported on demand so that they can share the
# helpers below without a circular import.
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "markdown": "markdown",
}


def render(result: LintResult, fmt: str) -> str:
    """`result` in format `fmt` (a key of FORMATS), ending with a newline."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{FORMATS[fmt]}").render(result)


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
