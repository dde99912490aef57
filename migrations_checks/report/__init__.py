"""Output formats of `migrations-checks lint`: one module per format, each with `render(result)`.

People read `text` in a terminal and `markdown` in a pull-request comment; machines read `json`,
GitHub Actions turns `github` workflow commands into inline annotations, and code scanning ingests
`sarif`. All formats show the same findings and suppressions, so choosing one never hides anything.
"""

from __future__ import annotations

import importlib

from migrations_checks.findings import LintResult

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
