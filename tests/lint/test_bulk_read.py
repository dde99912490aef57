"""Long histories are read by several processes; the result must be the one a single process gives."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from migrations_checks import bulk_read
from migrations_checks.bulk_read import fewer_full_collections, read_many
from migrations_checks.reader import MigrationFile, read_folder

EXAMPLE = Path(__file__).parents[2] / "examples" / "atlaris" / "migrations"


def many_files() -> list[MigrationFile]:
    """The example history, repeated: 24 files with DO blocks, policies, comments and suppressions."""
    return [
        MigrationFile(path=file.path, tag=f"{copy}_{file.tag}", text=file.text)
        for copy in range(4) for file in read_folder(EXAMPLE).files
    ]


@pytest.mark.parametrize("processes", [2, 3])
def test_parallel_reading_gives_what_one_process_gives(monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    files = many_files()
    monkeypatch.setattr(bulk_read, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(bulk_read, "CHUNK_FILES", 5)
    parallel = read_many(files, processes=processes)
    assert parallel == read_many(files, processes=1)
    assert [statements.file.tag for statements in parallel] == [file.tag for file in files]


def test_full_collections_come_back_after_a_lint_even_one_that_failed() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_full_collections():
        assert gc.get_threshold()[2] > before[2]
        raise RuntimeError("a lint that failed")
    assert gc.get_threshold() == before
