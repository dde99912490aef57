"""One pull-request comment per tool, edited in place on every run instead of added again.

The comment is found again by two things together: a hidden marker (an HTML comment in its body)
and its author, the login of the token the tool runs with. The marker alone is not enough, since
anyone can paste it into a comment of their own, and the tool must never edit or delete that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from gates.github.client import GitHubClient

Outcome = Literal["posted", "updated", "deleted", "absent"]


@dataclass(frozen=True)
class StickyComment:
    """Which comment is ours: on pull request `number`, by `author`, carrying `marker`."""

    number: int
    marker: str
    author: str

    def ours(self, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            comment
            for comment in comments
            if (comment.get("user") or {}).get("login") == self.author and self.marker in str(comment.get("body", ""))
        ]

    def publish(self, client: GitHubClient, body: str) -> tuple[Outcome, int]:
        """Post `body` (the marker is added when it lacks it), or edit ours; (what was done, comment id).

        Should an earlier run have left more than one (two runs racing), the first is kept and the
        others are deleted, so the pull request ends with one."""
        if self.marker not in body:
            body = f"{self.marker}\n{body}"
        found = self.ours(client.issue_comments(self.number))
        if not found:
            return "posted", int(client.create_comment(self.number, body)["id"])
        first, *extra = found
        for comment in extra:
            client.delete_comment(int(comment["id"]))
        client.update_comment(int(first["id"]), body)
        return "updated", int(first["id"])

    def withdraw(self, client: GitHubClient) -> Outcome:
        """Delete every comment of ours: "deleted", or "absent" when there was none."""
        found = self.ours(client.issue_comments(self.number))
        for comment in found:
            client.delete_comment(int(comment["id"]))
        return "deleted" if found else "absent"
