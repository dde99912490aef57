"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

Code scanning keeps alerts across runs and shows each rule's help next to the alert, so every rule
of the catalogue is described (its summary, the module docstring saying why the hazard matters,
and the safe path), not just the rules that fired. Suppressed findings are reported with an
in-source suppression carrying the written reason: code scanning then shows them as dismissed
instead of forgetting them, which keeps each exception auditable.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from msgspec.structs import asdict

from gates.config import Severity
from migrations_checks.lint.records.findings import Finding, LintResult
from migrations_checks.lint.report.summary import repository_path
from migrations_checks.lint.rules import Rule, all_rules

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "deploy-gates"
LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def render(result: LintResult) -> str:
    rules = all_rules()
    rule_index = {rule_id: index for index, rule_id in enumerate(rules)}
    results = [_result(finding, rule_index) for finding in result.findings]
    results += [_result(finding, rule_index) for finding in result.suppressed]
    # Code scanning shows which version of a tool found each alert.
    driver = {"name": TOOL_NAME, "version": version(TOOL_NAME), "rules": [_descriptor(rule) for rule in rules.values()]}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                # Our columns count characters of the decoded text, not UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "files": result.files,
                    "statements": result.statements,
                    "coverage": asdict(result.coverage),
                },
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def artifact_uri(file: str) -> str:
    """A URI for a finding's file: paths relative to the checkout root (the usual case, see
    `repository_path`) keep forward slashes, as code scanning requires; absolute ones (outside the
    checkout) become file URIs."""
    path: PurePath = PureWindowsPath(file) if "\\" in file else PurePosixPath(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix(), safe="/")


def _descriptor(rule: Rule) -> dict[str, Any]:
    why = _rationale(rule)
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": why or rule.summary},
        "help": {"text": f"{why}\n\nSafe path: {rule.hint}".strip()},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.category]},
    }


def _rationale(rule: Rule) -> str:
    """The rule module's docstring without its title line: why the hazard matters."""
    body = rule.doc.partition("\n")[2].strip()
    # Docstrings wrap at the source line length; SARIF viewers wrap text themselves.
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in body.split("\n\n") if paragraph.strip())


def _location(file: str, line: int, column: int | None = None) -> dict[str, Any]:
    region = {"startLine": max(line, 1)}
    if column is not None:
        region["startColumn"] = max(column, 1)
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(repository_path(file))}, "region": region}}


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.file, finding.line, finding.column)],
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if finding.suppressed_by is not None:
        allow = finding.suppressed_by
        result["suppressions"] = [
            {"kind": "inSource", "justification": allow.reason, "location": _location(allow.file, allow.line)}
        ]
    return result
