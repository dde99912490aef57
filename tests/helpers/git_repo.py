"""A real git repository in a test's folder, driven through the real `git` executable."""

from __future__ import annotations

import subprocess
from pathlib import Path

# No user config, signing or hooks of this machine may change what the tests' commits are.
_ISOLATED = ("-c", "user.name=Gates Test", "-c", "user.email=gates@example.com", "-c", "commit.gpgsign=false")


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def init(cls, root: Path, branch: str = "main") -> GitRepo:
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "--quiet", f"--initial-branch={branch}")
        return repo

    def git(self, *arguments: str) -> str:
        done = subprocess.run(
            ["git", *_ISOLATED, *arguments], cwd=self.root, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"git {' '.join(arguments)} failed: {done.stderr}"
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        """Commit everything in the work tree; the new commit's SHA."""
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")
