"""Output formats of `gates lint`: one module per format, each with `render(result)`.

People read `text` in a terminal and `markdown` in a pull-request comment; machines read `json`,
GitHub Actions turns `github` workflow commands into inline annotations, and code scanning ingests
`sarif`. All formats show the same findings and suppressions, so choosing one never hides anything.
"""

from __future__ import annotations

import importlib

from migrations_checks.lint.records.findings import LintResult

# Format -> the module that renders it. Only the chosen one is imported: a one-file lint's time is
# mostly start-up, and the others (SARIF's rule catalogue, Markdown's tables) are never used.
FORMATS: dict[str, str] = {
    "text": "migrations_checks.lint.report.text",
    "json": "migrations_checks.lint.report.json_format",
    "github": "migrations_checks.lint.report.github",
    "sarif": "migrations_checks.lint.report.sarif",
    "markdown": "migrations_checks.lint.report.markdown",
}


def render(result: LintResult, fmt: str) -> str:
    """`result` in format `fmt` (a key of FORMATS), ending with a newline."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    output: str = importlib.import_module(FORMATS[fmt]).render(result)
    return output
