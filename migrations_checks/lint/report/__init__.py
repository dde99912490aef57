"""Output formats of `gates lint`: one module per format, each with `render(result)`.

People read `text` in a terminal and `markdown` in a pull-request comment; machines read `json`,
GitHub Actions turns `github` workflow commands into inline annotations, and code scanning ingests
`sarif`. All formats show the same findings and suppressions, so choosing one never hides anything.
"""

from __future__ import annotations

from collections.abc import Callable

from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.report import github, json_format, markdown, sarif, text

FORMATS: dict[str, Callable[[LintResult], str]] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}


def render(result: LintResult, fmt: str) -> str:
    """`result` in format `fmt` (a key of FORMATS), ending with a newline."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](result)
