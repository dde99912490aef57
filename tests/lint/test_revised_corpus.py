"""A small Drizzle folder, written for this suite, that exercises each revised rule across files:
what one file does changes what a later file of the same batch is judged by."""

from __future__ import annotations

from pathlib import Path

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths

CORPUS = Path(__file__).parents[1] / "corpus" / "revised_catalogue"


def test_the_revised_catalogue_on_a_folder() -> None:
    result = lint_paths([CORPUS], LintOptions())
    assert result.coverage.opaque == 0
    assert [(Path(f.file).stem, f.line, f.rule) for f in result.findings] == [
        # 0001: a STABLE function of 0000 is a safe default, an unknown one is not; its DROP DEFAULT
        # is set again by 0002 in the same transaction.
        ("0001_not_valid", 4, "volatile-default"),
        # 0002: validated in the batch that added it NOT VALID; the policy never existed; the TEMP
        # table's TRUNCATE is no loss; MERGE is a backfill; COLLATE is a type change.
        ("0002_same_batch", 1, "validate-in-same-transaction"),
        ("0002_same_batch", 5, "data-backfill"),
        ("0002_same_batch", 7, "change-column-type"),
        ("0002_same_batch", 8, "drop-object"),
        ("0002_same_batch", 9, "drop-object"),
        # 0003: a COMMIT alone in its piece ends the migrator's transaction, so the index build
        # after it succeeds; a piece holding two statements is still a transaction block.
        ("0003_leave_transaction", 1, "transaction-control"),
        ("0003_leave_transaction", 3, "reindex-non-concurrently"),
        ("0003_leave_transaction", 4, "detach-partition-non-concurrently"),
        ("0003_leave_transaction", 5, "concurrently-in-transaction"),
        ("0003_leave_transaction", 6, "non-transactional-statement"),
        ("0003_leave_transaction", 7, "drop-database"),
    ]


def test_without_the_commit_the_later_pieces_run_in_the_migrators_transaction(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "meta").mkdir(parents=True)
    for path in CORPUS.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if path.name.startswith("0003"):
                text = text.replace("COMMIT;", "SELECT 1;")
            (folder / path.relative_to(CORPUS)).write_text(text, encoding="utf-8")
    found = {(Path(f.file).stem, f.line, f.rule) for f in lint_paths([folder], LintOptions()).findings}
    assert ("0003_leave_transaction", 2, "concurrently-in-transaction") in found
    assert ("0003_leave_transaction", 7, "non-transactional-statement") in found
