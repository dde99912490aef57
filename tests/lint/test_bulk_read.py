"""Long histories are read by several processes; the result must be the one a single process gives."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from migrations_checks.lint import bulk_read
from migrations_checks.lint.bulk_read import fewer_full_collections, read_many, shares
from migrations_checks.lint.reader import MigrationFile, read_folder

EXAMPLE = Path(__file__).parents[2] / "examples" / "atlaris" / "migrations"


def many_files() -> list[MigrationFile]:
    """The example history, repeated: 24 files with DO blocks, policies, comments and suppressions."""
    return [
        MigrationFile(path=file.path, tag=f"{copy}_{file.tag}", text=file.text)
        for copy in range(4)
        for file in read_folder(EXAMPLE).files
    ]


@pytest.mark.parametrize("processes", [2, 3])
def test_parallel_reading_gives_what_one_process_gives(monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    files = many_files()
    monkeypatch.setattr(bulk_read, "PARALLEL_THRESHOLD", 2)
    parallel = read_many(files, processes=processes)
    assert parallel == read_many(files, processes=1)
    assert [statements.file.tag for statements in parallel] == [file.tag for file in files]


@pytest.mark.parametrize("weights", [[1.0, 1.0], [1.2, 1.0, 1.0], [1.0] * 30])
def test_shares_cut_the_history_in_order(weights: list[float]) -> None:
    files = many_files()
    runs = shares(files, weights)
    assert len(runs) == len(weights)
    assert [file for run in runs for file in run] == files


def test_shares_hold_sql_in_proportion_to_their_weights() -> None:
    files = many_files()
    mine, theirs = shares(files, [1.5, 1.0])
    total = sum(len(file.text) for file in files)
    # Cut at a file boundary: off the due amount by less than one file.
    assert abs(sum(len(file.text) for file in mine) - total * 0.6) < max(len(file.text) for file in files)
    assert mine and theirs


def test_full_collections_come_back_after_a_lint_even_one_that_failed() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_full_collections():
        assert gc.get_threshold()[2] > before[2]
        raise RuntimeError("a lint that failed")
    assert gc.get_threshold() == before
