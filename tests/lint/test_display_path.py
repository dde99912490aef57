"""How findings name files: relative to the current folder, whatever folder that is now."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.records.paths import display_path


def test_files_are_named_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "db").mkdir()
    monkeypatch.chdir(tmp_path)
    assert display_path(Path("db/0001_a.sql")) == "db/0001_a.sql"
    assert display_path(tmp_path / "db" / "0001_a.sql") == "db/0001_a.sql"
    assert display_path(Path("db/../db/0001_a.sql")) == "db/0001_a.sql"
    assert display_path(Path("/elsewhere/0001_a.sql")) == "/elsewhere/0001_a.sql"  # outside: as given


def test_a_change_of_folder_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Folders are resolved once and remembered: a relative one must be remembered by where it was.
    (tmp_path / "db").mkdir()
    monkeypatch.chdir(tmp_path / "db")
    assert display_path(Path("0001_a.sql")) == "0001_a.sql"
    monkeypatch.chdir(tmp_path)
    assert display_path(Path("0001_a.sql")) == "0001_a.sql"
    assert display_path(Path("db/0001_a.sql")) == "db/0001_a.sql"


def test_a_symlinked_folder_is_named_by_its_target_under_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "db")
    monkeypatch.chdir(tmp_path)
    assert display_path(Path("link/0001_a.sql")) == "db/0001_a.sql"
