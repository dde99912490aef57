"""What a branch changed against its base, read from a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.git_changes import Change, GitError, changed_files, merge_base, repository_root, resolve
from tests.helpers.git_repo import GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "app")
    (repo.root / "db").mkdir()
    (repo.root / "db" / "0000_a.sql").write_text("SELECT 1;\n")
    (repo.root / "db" / "0001_b.sql").write_text("SELECT 2;\n")
    (repo.root / "README.md").write_text("app\n")
    repo.commit("base")
    repo.git("checkout", "--quiet", "-b", "feature")
    return repo


def changes(repo: GitRepo, folder: str = "db") -> list[Change]:
    return changed_files(repo.root, merge_base(repo.root, "main"), repo.root / folder)


def test_added_changed_renamed_and_deleted_files_of_the_folder(repo: GitRepo) -> None:
    (repo.root / "db" / "0000_a.sql").write_text("SELECT 10;\n")
    (repo.root / "db" / "0001_b.sql").rename(repo.root / "db" / "0001_c.sql")
    (repo.root / "db" / "0002 new, one.sql").write_text("SELECT 3;\n")
    (repo.root / "README.md").write_text("outside the folder\n")
    repo.commit("changes")

    found = {change.path: change.status for change in changes(repo)}
    assert found == {"db/0000_a.sql": "M", "db/0001_c.sql": "R", "db/0002 new, one.sql": "A"}


def test_a_deletion_is_listed_under_its_old_path(repo: GitRepo) -> None:
    (repo.root / "db" / "0001_b.sql").unlink()
    repo.commit("delete")

    assert changes(repo) == [Change("D", "db/0001_b.sql")]


def test_what_the_base_gained_after_the_branch_left_it_is_not_the_branchs(repo: GitRepo) -> None:
    repo.git("checkout", "--quiet", "main")
    (repo.root / "db" / "0002_main.sql").write_text("SELECT 4;\n")
    repo.commit("main moves on")
    repo.git("checkout", "--quiet", "feature")

    assert changes(repo) == []


def test_a_folder_outside_the_repository_is_refused(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(GitError, match=r"the migrations folder .* is outside the git repository"):
        changed_files(repo.root, "HEAD", tmp_path / "elsewhere")


def test_refs_resolve_to_commits_or_none(repo: GitRepo) -> None:
    assert resolve(repo.root, "main") == repo.git("rev-parse", "main")
    assert resolve(repo.root, "origin/main") is None
    assert resolve(repo.root, "--output=x") is None  # never taken for an option


def test_outside_a_repository_git_says_so(tmp_path: Path) -> None:
    with pytest.raises(GitError, match=r"is not in a git repository"):
        repository_root(tmp_path)
