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
        # 0001: a STABLE function of 0000 is a safe default, an unknown one is not, a stable
        # built-in (now()) is; its DROP DEFAULT is set again only by 0002, which may be deployed
        # later: the default is absent meanwhile.
        ("0001_not_valid", 2, "drop-default"),
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
        # 0004 comes after 0003's COMMIT, but it may be deployed on its own, once 0003 is applied:
        # then the runner's transaction holds it, and its concurrent builds fail there. Emptying
        # the table it created is no loss, and the policy goes with its table (drop-table reports that).
        ("0004_after_commit", 1, "concurrently-in-transaction"),
        ("0004_after_commit", 2, "concurrently-in-transaction"),
        ("0004_after_commit", 6, "drop-table"),
        # REINDEX SCHEMA cannot run in the transaction block, whatever BEGIN and COMMIT it writes.
        ("0004_after_commit", 7, "transaction-control"),
        ("0004_after_commit", 8, "non-transactional-statement"),
        ("0004_after_commit", 9, "transaction-control"),
    ]


def test_without_a_wrapping_transaction_only_shared_pieces_and_written_blocks_remain() -> None:
    found = {
        (Path(f.file).stem, f.line, f.rule) for f in lint_paths([CORPUS], LintOptions(transactional=False)).findings
    }
    transaction_rules = {"concurrently-in-transaction", "non-transactional-statement", "transaction-control"}
    assert {(stem, line, rule) for stem, line, rule in found if rule in transaction_rules} == {
        ("0003_leave_transaction", 5, "concurrently-in-transaction"),
        ("0003_leave_transaction", 6, "non-transactional-statement"),
        ("0004_after_commit", 8, "non-transactional-statement"),
    }
    # Each piece commits on its own: the NOT VALID constraint and the dropped default are committed
    # before 0002 validates it and sets a new one.
    assert ("0002_same_batch", 1, "validate-in-same-transaction") not in found
    assert ("0001_not_valid", 2, "drop-default") in found


def test_on_an_older_target_the_newer_syntax_is_reported() -> None:
    result = lint_paths([CORPUS], LintOptions(postgres_version=13))
    assert [(Path(f.file).stem, f.line) for f in result.findings if f.rule == "requires-newer-postgres"] == [
        ("0002_same_batch", 5),  # MERGE: 15+
        ("0004_after_commit", 2),  # DETACH PARTITION ... CONCURRENTLY: 14+
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
    # The later file runs in the migrator's transaction too, until its own COMMIT.
    assert ("0004_after_commit", 1, "concurrently-in-transaction") in found
    assert ("0004_after_commit", 2, "concurrently-in-transaction") in found
