"""Where a review's findings go: the pull-request comment, the job summary and SARIF.

The annotations and the job summary need no permission, so a pull request from a fork, whose
token may only read, still shows every finding there. A comment GitHub refuses with 403 is
therefore reported as a warning, not a failure; any other GitHub error means the review could not
be delivered, and is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gates.github.client import GitHubClient, GitHubError
from gates.github.sticky_comment import StickyComment
from gates.github.workflow_commands import annotation, append_step_summary
from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.report import render
from migrations_checks.lint.report.markdown import MARKER

_FORBIDDEN = 403


@dataclass(frozen=True)
class Delivery:
    """What happened to the comment, as one sentence; `failed` when the review must not pass."""

    sentence: str
    failed: bool = False
    refused: bool = False  # 403: a read-only token (a fork's)


def review_comment(number: int, author: str) -> StickyComment:
    return StickyComment(number=number, marker=MARKER, author=author)


def comment_body(result: LintResult, footer: str) -> str:
    """The Markdown report (it begins with the marker) and a line saying what was reviewed."""
    return f"{render(result, 'markdown')}\n{footer}\n"


def deliver(client: GitHubClient, comment: StickyComment, body: str | None) -> Delivery:
    """Post or update the comment with `body`; None: the pull request touches no migrations any
    more, so the comment is deleted."""
    try:
        if body is None:
            outcome = comment.withdraw(client)
            return Delivery(
                "the review comment was deleted" if outcome == "deleted" else "there was no review comment to delete"
            )
        outcome, comment_id = comment.publish(client, body)
    except GitHubError as error:
        if error.status == _FORBIDDEN:
            return Delivery(
                f"the review comment was not posted ({error}); a pull request from a fork runs with a read-only "
                "token, so its findings are in the annotations and the job summary",
                refused=True,
            )
        return Delivery(f"the review comment could not be delivered: {error}", failed=True)
    return Delivery(f"the review comment was {outcome} (comment {comment_id})")


def delivery_command(delivery: Delivery) -> str | None:
    """The workflow command that shows a comment problem in the run, or None when there was none."""
    if delivery.failed:
        return annotation("error", delivery.sentence)
    return annotation("warning", delivery.sentence) if delivery.refused else None


def write_sarif(path: Path, result: LintResult) -> None:
    path.write_text(render(result, "sarif"), encoding="utf-8")


def summarize(report: str | None, delivery: Delivery, footer: str) -> None:
    """Append the report (None: nothing to review) and the comment's fate to the job summary."""
    body = report if report is not None else "## Migration review\n\nThis pull request changes no migrations.\n"
    append_step_summary(f"{body}\n{footer}\n\n_{delivery.sentence[0].upper()}{delivery.sentence[1:]}._\n\n")
