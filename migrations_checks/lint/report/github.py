"""GitHub Actions workflow commands: each finding becomes an inline annotation on the diff.

The runner parses `::error file=F,line=N,col=C,title=T::message` from the step's output. Values
are escaped as actions/toolkit does, because a `,` or `:` in a file name or a newline in a message
would otherwise end the property or the command early and garble, or drop, the annotation.
Suppressed findings are not annotated (they were accepted in review); the closing summary line
counts them and is plain text, not a command.
"""

from __future__ import annotations

from gates.github.workflow_commands import annotation
from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.report.summary import counts, coverage, repository_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: LintResult) -> str:
    lines = []
    for finding in result.findings:
        properties = {
            "file": repository_path(finding.file),
            "line": str(finding.line),
            "col": str(finding.column),
            "title": finding.rule,
        }
        message = f"{finding.message}\nhint: {finding.hint}" if finding.hint else finding.message
        lines.append(annotation(COMMANDS[finding.severity], message, properties))
    lines.append(f"gates lint: {counts(result)} in {coverage(result)}")
    return "\n".join(lines) + "\n"
