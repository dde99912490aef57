"""The rehearsal's GitHub: the local status store (`gates.github.local_store`) holding one repository
whose staging branch is at the commit being rehearsed, reached with the same client code as GitHub.

The staging leg writes its commit status here and the production leg's `staging_green` reads it,
so the store lives for the whole run and is shared by both legs. Nothing is written to disk.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gates.config import GitHubSettings
from gates.github.local_store import LocalStore, serve
from gates.secret import Secret

REPOSITORY = "local/app"


@dataclass(frozen=True)
class StatusStore:
    url: str
    commit: str  # the rehearsed commit: the staging branch's head, child of the commit staging ran before
    token: Secret  # the store trusts any token; the client still sends one, as to GitHub
    store: LocalStore

    def environ(self) -> dict[str, str]:
        """The Actions variables the GitHub client and the status command read (the token goes as a secret)."""
        return {"GITHUB_API_URL": self.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_SHA": self.commit}

    def state(self, context: str) -> str | None:
        """The newest state of `context` on the rehearsed commit (None: never posted)."""
        found = [status for status in self.store.latest_statuses(self.commit) if status["context"] == context]
        return found[0]["state"] if found else None


@contextmanager
def status_store() -> Iterator[StatusStore]:
    store = LocalStore(REPOSITORY)
    before, commit = secrets.token_hex(20), secrets.token_hex(20)
    store.add_commit(before)
    store.add_commit(commit, parents=(before,))
    store.branches[GitHubSettings().staging_branch] = commit
    with serve(store) as url:
        yield StatusStore(url, commit, Secret(secrets.token_urlsafe(16)), store)
