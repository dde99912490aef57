"""What the linter reports: findings, the suppressions that silenced some, and a run's totals."""

from __future__ import annotations

import re

from msgspec import Struct, field

from gates.config import Severity


def code(text: str) -> str:
    """`text` as one code span of a message, however many backticks it holds: fenced by a run of
    backticks longer than any inside it, as Markdown reads spans (messages mark code that way)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{'`' * (longest + 1)}{pad}{text}{pad}{'`' * (longest + 1)}"


class Suppression(Struct, frozen=True, forbid_unknown_fields=True):
    """The `-- gates: allow` comment that silenced a finding."""

    rules: tuple[str, ...]
    reason: str
    file: str
    line: int


class Finding(Struct, frozen=True, forbid_unknown_fields=True):
    """One hazard a rule found: what, where, how severe, and the safe path."""

    rule: str
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    hint: str
    source_line: str = ""  # the offending line as written, for terminal output
    suppressed_by: Suppression | None = None


class Coverage(Struct, frozen=True, forbid_unknown_fields=True):
    """How many statements each way of reading identified."""

    # What identified each statement: sqlglot's syntax tree, read by an extractor (only the
    # statements that may hide an UPDATE or DELETE are parsed)...
    parsed: int = 0
    classified: int = 0  # ...the token classifier and the extractors, from its tokens alone...
    opaque: int = 0  # ...or nothing: reported as unparseable-statement


class LintResult(Struct):
    """What a lint found in all the files it was given."""

    findings: list[Finding] = field(default_factory=list)  # active findings, suppressed ones excluded
    suppressed: list[Finding] = field(default_factory=list)
    files: int = 0
    statements: int = 0
    coverage: Coverage = Coverage()

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def blocking(self, fail_on: Severity = "error") -> list[Finding]:
        """Findings that stop a deploy: errors, and warnings too when `fail_on` is warning."""
        levels = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info")}
        return [finding for finding in self.findings if finding.severity in levels[fail_on]]
