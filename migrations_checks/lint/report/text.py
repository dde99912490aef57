"""Terminal output: compiler-style locations that editors and terminals make clickable.

Each finding is `file:line:column: severity [rule] message`, followed by the offending line as
written and the safe path, so the fix is readable without opening the file. Suppressions are listed
too (the catalogue wants every exception visible), then one summary line with counts and coverage.
"""

from __future__ import annotations

import re

from migrations_checks.lint.records.findings import Finding, LintResult
from migrations_checks.lint.report.summary import counts, coverage

INDENT = "    "


def render(result: LintResult) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(f"{_location(finding)}: {finding.severity} [{finding.rule}] {_visible(finding.message)}")
        if finding.source_line.strip():
            lines.append(INDENT + _visible(finding.source_line.strip()))
        if finding.hint:
            lines.append(f"{INDENT}hint: {finding.hint}")
    for finding in result.suppressed:
        reason = finding.suppressed_by.reason if finding.suppressed_by else ""
        lines.append(f"{_location(finding)}: suppressed [{finding.rule}] {_visible(finding.message)}")
        lines.append(f"{INDENT}reason: {_visible(reason)}")
    lines.append(f"{counts(result)} in {coverage(result)}")
    return "\n".join(lines) + "\n"


def _location(finding: Finding) -> str:
    return f"{_visible(finding.file)}:{finding.line}:{finding.column}"


def _visible(text: str) -> str:
    """Control characters (a quoted name may hold a line break or an escape sequence) shown as
    escapes, so no finding can break its line or drive the terminal."""
    return _CONTROL.sub(lambda match: ascii(match.group())[1:-1], text)


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
