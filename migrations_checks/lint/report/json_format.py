"""Machine-readable output: one JSON object with the findings, the suppressions and the totals.

The field names are a contract for scripts and dashboards: add fields, never rename them.
Suppressed findings carry the reason written in the migration, so an audit can list every exception.
"""

from __future__ import annotations

import json
from typing import Any

from msgspec.structs import asdict

from migrations_checks.lint.records.findings import Finding, LintResult


def render(result: LintResult) -> str:
    document = {
        "findings": [_finding(finding) for finding in result.findings],
        "suppressed": [
            {**_finding(finding), "reason": finding.suppressed_by.reason if finding.suppressed_by else ""}
            for finding in result.suppressed
        ],
        "files": result.files,
        "statements": result.statements,
        "coverage": asdict(result.coverage),
    }
    return json.dumps(document, indent=2) + "\n"


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "hint": finding.hint,
    }
