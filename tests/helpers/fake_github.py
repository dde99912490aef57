"""A fake GitHub API for tests: the local status store plus faults, a request log and hooks.

Faults are answers served before the store answers, to requests whose path matches their pattern
(and method, when given): a 401, a rate limit with its headers, a run of 502s, a 403 on posting a
comment as a fork's read-only token gets. Hooks run before each request, so a test can
turn a pending status green after a few reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from gates.github.local_store import Answer, LocalStore, serve

REPO = "acme/atlaris"
TOKEN = "ghs_fake_token_never_printed"
HEAD = "a" * 40  # main's head


class FakeGitHub(LocalStore):
    def __init__(self) -> None:
        super().__init__(REPO)
        self.faults: list[tuple[str, str | None, Answer]] = []
        self.requests: list[tuple[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.hooks: list[Callable[[FakeGitHub, str, str], None]] = []

    def fail(self, pattern: str, answer: Answer, times: int = 1, method: str | None = None) -> None:
        self.faults.extend([(pattern, method, answer)] * times)

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, headers: Mapping[str, str]) -> Answer:
        self.requests.append((method, path))
        self.headers.append(dict(headers))
        for hook in self.hooks:
            hook(self, method, path)
        for index, (pattern, only, answer) in enumerate(self.faults):
            if re.search(pattern, path) and only in (None, method):
                del self.faults[index]
                return answer
        return super().handle(method, path, query, body, headers)

    def reads(self, suffix: str) -> int:
        return sum(1 for method, path in self.requests if method == "GET" and path.endswith(suffix))


@contextmanager
def running_fake(monkeypatch: pytest.MonkeyPatch, sha: str = HEAD) -> Iterator[FakeGitHub]:
    """A fake with `main` at HEAD, its environment variables set for the client, GITHUB_SHA = `sha`."""
    fake = FakeGitHub()
    fake.add_commit(HEAD, tree="tree-main")
    fake.branches["main"] = HEAD
    with serve(fake) as url:
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_SHA", sha)
        yield fake
