"""What a branch changed against its base: the files of `git diff <merge-base> HEAD`, with real git.

A pull request is judged by what it adds on top of the point where it left its base branch (the
merge base), as GitHub's "Files changed" tab shows it, not by the difference to the base's tip,
which would also list everything merged into the base since.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from gates.usage import UsageError

GIT_TIMEOUT_S = 60


class GitError(UsageError):
    """git could not answer; the message is one sentence saying what to do."""


@dataclass(frozen=True)
class Change:
    """One changed file: git's status letter (A, M, D, R, C, T) and its path in HEAD (the old one
    for a deletion), relative to the repository root."""

    status: str
    path: str


def repository_root(cwd: Path) -> Path:
    return Path(_git(cwd, "rev-parse", "--show-toplevel", what=f"{cwd} is not in a git repository").strip())


def resolve(cwd: Path, ref: str) -> str | None:
    """The commit `ref` names, or None when this clone has no such ref."""
    done = _run(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def merge_base(cwd: Path, base: str, head: str = "HEAD") -> str:
    what = f"{base} and {head} share no commit: the clone is probably shallow (check out with fetch-depth: 0)"
    return _git(cwd, "merge-base", base, head, what=what).strip()


def changed_files(cwd: Path, since: str, under: Path, head: str = "HEAD") -> list[Change]:
    """The files changed between commit `since` and `head` inside folder `under` (renames are a
    change of the new path)."""
    root = repository_root(cwd)
    try:
        folder = under.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GitError(f"the migrations folder {under} is outside the git repository at {root}") from None
    listing = _git(
        root, "diff", "--name-status", "-z", "--find-renames", since, head, "--", folder or ".", what="git diff failed"
    )
    fields = listing.split("\0")
    changes: list[Change] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index][0]
        # Renames and copies list the old path, then the new one.
        step = 3 if status in "RC" else 2
        changes.append(Change(status, fields[index + step - 1]))
        index += step
    return changes


def _run(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {arguments[0]} did not answer within {GIT_TIMEOUT_S} s") from None


def _git(cwd: Path, *arguments: str, what: str) -> str:
    done = _run(cwd, *arguments)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise GitError(f"{what} ({detail[-1] if detail else f'git exited {done.returncode}'})")
    return done.stdout
