"""Terminal output: compiler-style locations that editors and terminals make clickable.

Each finding is `file:line:column: severity [rule] message`, followed by the offending line as
written and the safe path, so the fix is readable without opening the file. Suppressions are listed
too (the catalogue wants every exception visible), then one summary line with counts and coverage.
"""

from __future__ import annotations

from migrations_checks.findings import Finding, LintResult
from migrations_checks.report import counts, coverage

INDENT = "    "


def render(result: LintResult) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(f"{_location(finding)}: {finding.severity} [{finding.rule}] {finding.message}")
        if finding.source_line.strip():
            lines.append(INDENT + finding.source_line.strip())
        if finding.hint:
            lines.append(f"{INDENT}hint: {finding.hint}")
    for finding in result.suppressed:
        reason = finding.suppressed_by.reason if finding.suppressed_by else ""
        lines.append(f"{_location(finding)}: suppressed [{finding.rule}] {finding.message}")
        lines.append(f"{INDENT}reason: {reason}")
    lines.append(f"{counts(result)} in {coverage(result)}")
    return "\n".join(lines) + "\n"


def _location(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}"
