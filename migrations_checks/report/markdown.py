"""A pull-request comment: every finding and every suppression, grouped by file.

The hidden marker on the first line lets a workflow find its earlier comment and edit it, so a PR
carries one up-to-date lint comment instead of one per push. Suppressions are listed with their
reasons because the catalogue makes reviewers the judges of every exception. GitHub rejects
comments over 65,536 characters, so a very long report is cut with a note saying how many findings
are left out and how to see them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrations_checks.findings import Finding, LintResult
from migrations_checks.report import counts, coverage

MARKER = "<!-- migrations-checks -->"
COMMENT_LIMIT = 65_536
# Room kept below the limit for the note that replaces what is cut.
CUT_NOTE_ROOM = 500
ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def render(result: LintResult) -> str:
    header = [MARKER, f"## Migration lint: {counts(result)}", "", f"Checked {coverage(result)}.", ""]
    if not result.findings and not result.suppressed:
        return "\n".join([*header, "No findings. ✅"]) + "\n"
    body: list[str] = []
    size = sum(len(line) + 1 for line in header)
    shown = 0
    total = len(result.findings) + len(result.suppressed)
    for block, items in _file_blocks(result):
        block_size = sum(len(line) + 1 for line in block)
        if size + block_size > COMMENT_LIMIT - CUT_NOTE_ROOM:
            break
        body.extend(block)
        size += block_size
        shown += items
    if shown < total:
        body.append(
            f"_{total - shown} of {total} findings and suppressions are not shown here (the comment would "
            "be too long); run `migrations-checks lint` to see them all._"
        )
    return "\n".join([*header, *body]).rstrip("\n") + "\n"


def _file_blocks(result: LintResult) -> Iterable[tuple[list[str], int]]:
    """One block of lines per file, with how many findings and suppressions it lists."""
    files = sorted({finding.file for finding in (*result.findings, *result.suppressed)})
    for file in files:
        findings = [finding for finding in result.findings if finding.file == file]
        suppressed = [finding for finding in result.suppressed if finding.file == file]
        block = [f"### `{file}`", ""]
        if findings:
            block += ["| | Line | Rule | Finding |", "|---|---|---|---|"]
            block += [_finding_row(finding) for finding in findings]
            block.append("")
        if suppressed:
            block += ["Suppressed:", "", "| Line | Rule | Finding | Reason |", "|---|---|---|---|"]
            block += [_suppressed_row(finding) for finding in suppressed]
            block.append("")
        yield block, len(findings) + len(suppressed)


def _finding_row(finding: Finding) -> str:
    text = cell(finding.message)
    if finding.hint:
        text += f"<br>_Safe path:_ {cell(finding.hint)}"
    return f"| {ICONS[finding.severity]} {finding.severity} | {finding.line} | `{finding.rule}` | {text} |"


def _suppressed_row(finding: Finding) -> str:
    reason = finding.suppressed_by.reason if finding.suppressed_by else ""
    return f"| {finding.line} | `{finding.rule}` | {cell(finding.message)} | {cell(reason)} |"


def cell(text: str) -> str:
    """Text made safe for one table cell: a `|` would end the cell, a newline the row, and `<...>`
    outside a code span would be taken for an HTML tag and vanish."""
    parts = text.replace("\r", "").replace("\n", " ").replace("|", "\\|").split("`")
    # Even-numbered parts are outside code spans (an unmatched backtick leaves the rest as text).
    closed = len(parts) % 2 == 1
    escaped = [
        part if index % 2 == 1 and (closed or index < len(parts) - 1) else _escape_html(part)
        for index, part in enumerate(parts)
    ]
    return "`".join(escaped)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
