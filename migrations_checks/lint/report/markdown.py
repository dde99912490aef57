"""A pull-request comment: every finding and every suppression, grouped by file.

The hidden marker on the first line lets a workflow find its earlier comment and edit it, so a PR
carries one up-to-date lint comment instead of one per push. Suppressions are listed with their
reasons because the catalogue makes reviewers the judges of every exception. GitHub rejects
comments over 65,536 characters, so a very long report is cut with a note saying how many findings
are left out and how to see them all.
"""

from __future__ import annotations

import re

from migrations_checks.lint.records.findings import Finding, LintResult, code
from migrations_checks.lint.report.summary import counts, coverage

MARKER = "<!-- migrations-checks -->"
COMMENT_LIMIT = 65_536
# Room kept below the limit for the note that replaces what is cut.
CUT_NOTE_ROOM = 500
ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def render(result: LintResult) -> str:
    header = [MARKER, f"## Migration lint: {counts(result)}", "", f"Checked {coverage(result)}.", ""]
    if not result.findings and not result.suppressed:
        return "\n".join([*header, "No findings. ✅"]) + "\n"
    shown = _fitting(result, COMMENT_LIMIT - CUT_NOTE_ROOM - _size(header))
    rows: dict[str, tuple[list[str], list[str]]] = {}  # file -> (finding rows, suppression rows)
    for item, row in shown:
        rows.setdefault(item.file, ([], []))[item.suppressed_by is not None].append(row)
    body = [line for file in sorted(rows) for line in _file_block(file, *rows[file])]
    total = len(result.findings) + len(result.suppressed)
    if len(shown) < total:
        body.append(
            f"_{total - len(shown)} of {total} findings and suppressions are not shown here (the comment "
            "would be too long); run `gates lint` to see them all._"
        )
    return "\n".join([*header, *body]).rstrip("\n") + "\n"


def _fitting(result: LintResult, budget: int) -> list[tuple[Finding, str]]:
    """The findings and suppressions that fit in `budget` characters, with their table rows:
    suppressions first, since reviewers judge each one, then findings in file order; a long file
    cuts only its own tail."""
    shown: list[tuple[Finding, str]] = []
    tables: set[tuple[str, bool]] = set()  # (file, suppressed) tables already begun
    for item in [*result.suppressed, *sorted(result.findings, key=lambda f: f.file)]:
        suppressed = item.suppressed_by is not None
        row = _suppressed_row(item) if suppressed else _finding_row(item)
        cost = len(row) + 1
        if (item.file, suppressed) not in tables:
            cost += _size(_TABLE_HEAD[suppressed]) + 1
            if not any(file == item.file for file, _ in tables):
                cost += _size(_heading(item.file))
        if cost > budget:
            break
        budget -= cost
        tables.add((item.file, suppressed))
        shown.append((item, row))
    return shown


_TABLE_HEAD = {
    False: ["| | Line | Rule | Finding |", "|---|---|---|---|"],
    True: ["Suppressed:", "", "| Line | Rule | Finding | Reason |", "|---|---|---|---|"],
}


def _heading(file: str) -> list[str]:
    return [f"### {code(file)}", ""]


def _file_block(file: str, finding_rows: list[str], suppression_rows: list[str]) -> list[str]:
    """The lines for one file: its heading, its findings, then its suppressions."""
    block = _heading(file)
    if finding_rows:
        block += [*_TABLE_HEAD[False], *finding_rows, ""]
    if suppression_rows:
        block += [*_TABLE_HEAD[True], *suppression_rows, ""]
    return block


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _finding_row(finding: Finding) -> str:
    text = cell(finding.message)
    if finding.hint:
        text += f"<br>_Safe path:_ {cell(finding.hint)}"
    return f"| {ICONS[finding.severity]} {finding.severity} | {finding.line} | `{finding.rule}` | {text} |"


def _suppressed_row(finding: Finding) -> str:
    reason = finding.suppressed_by.reason if finding.suppressed_by else ""
    return f"| {finding.line} | `{finding.rule}` | {cell(finding.message)} | {cell(reason)} |"


def cell(text: str) -> str:
    """Text made safe for one table cell: a `|` would end the cell, a newline the row, and outside
    code spans `<...>` would be taken for an HTML tag and Markdown for formatting."""
    text = text.replace("\r", "").replace("\n", " ")
    kept = []
    index = 0
    # A run of backticks opens a code span that the next run of the same length closes; a run
    # that nothing closes is a literal backtick, and the rest is text.
    while (opening := _BACKTICKS.search(text, index)) is not None:
        fence = opening.group()
        closing = next((run for run in _BACKTICKS.finditer(text, opening.end()) if run.group() == fence), None)
        if closing is None:
            break
        kept += [_escape_text(text[index : opening.start()]), text[opening.start() : closing.end()]]
        index = closing.end()
    kept.append(_escape_text(text[index:]))
    # GitHub ends a cell at any `|`, in a code span too, unless it is escaped.
    return "".join(kept).replace("|", "\\|")


def _escape_text(text: str) -> str:
    """Text outside code spans, kept literal: names come from SQL and could otherwise make links,
    emphasis, HTML or @-mentions in the pull request."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", text)
    return text.replace("@", "@&#8203;")  # a zero-width space after @ mentions nobody


_MARKDOWN_PUNCTUATION = re.compile(r"[\\*_\[\]~!#]")
_BACKTICKS = re.compile("`+")
