"""Journal rules: a Drizzle folder whose journal and files disagree loses or blocks migrations."""

from __future__ import annotations

from pathlib import Path

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from migrations_checks.lint.records.findings import Finding
from migrations_checks.lint.rules import all_rules
from tests.helpers import write_drizzle

MISSING_ENTRY = "journal-missing-entry"
MISSING_FILE = "journal-missing-file"
SQL = 'CREATE TABLE "plans" ("id" uuid PRIMARY KEY);'


def drizzle_folder(parent: Path, tags: list[str], files: list[str]) -> Path:
    """A Drizzle folder whose journal lists `tags` and which holds the `.sql` files `files`."""
    folder = write_drizzle(parent / "drizzle", dict.fromkeys(tags, SQL))
    for tag in tags:
        if f"{tag}.sql" not in files:
            (folder / f"{tag}.sql").unlink()
    for name in files:
        (folder / name).write_text(SQL)
    return folder


def journal_findings(folder: Path) -> list[Finding]:
    findings = lint_paths([folder], LintOptions()).findings
    return [f for f in findings if f.rule in (MISSING_ENTRY, MISSING_FILE)]


def test_a_complete_folder_is_clean(tmp_path: Path) -> None:
    folder = drizzle_folder(tmp_path, ["0000_init", "0001_plans"], ["0000_init.sql", "0001_plans.sql"])
    assert journal_findings(folder) == []


def test_a_file_without_an_entry_is_reported_on_that_file(tmp_path: Path) -> None:
    folder = drizzle_folder(tmp_path, ["0000_init"], ["0000_init.sql", "0001_plans.sql"])
    [finding] = journal_findings(folder)
    assert (finding.rule, finding.severity) == (MISSING_ENTRY, "error")
    assert finding.file.endswith("0001_plans.sql") and finding.line == 1
    assert "never applies" in finding.message


def test_rollback_files_and_snapshots_need_no_entry(tmp_path: Path) -> None:
    folder = drizzle_folder(tmp_path, ["0000_init"], ["0000_init.sql", "0000_init.down.sql"])
    (folder / "meta" / "0000_snapshot.json").write_text("{}")
    assert journal_findings(folder) == []


def test_an_entry_without_its_file_is_reported_on_the_journal_line(tmp_path: Path) -> None:
    folder = drizzle_folder(tmp_path, ["0000_init", "0001_plans", "0002_tasks"], ["0000_init.sql", "0002_tasks.sql"])
    [finding] = journal_findings(folder)
    assert (finding.rule, finding.severity) == (MISSING_FILE, "error")
    assert finding.file.endswith("_journal.json")
    journal_lines = (folder / "meta" / "_journal.json").read_text().splitlines()
    assert '"0001_plans"' in "\n".join(journal_lines[finding.line - 1 : finding.line + 6])
    assert "0001_plans.sql" in finding.message


def test_both_problems_at_once(tmp_path: Path) -> None:
    folder = drizzle_folder(tmp_path, ["0000_init", "0001_plans"], ["0000_init.sql", "0001_plan.sql"])
    assert sorted(f.rule for f in journal_findings(folder)) == [MISSING_ENTRY, MISSING_FILE]


def test_a_plain_folder_has_no_journal_to_check(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_plans.sql").write_text(SQL)
    assert journal_findings(folder) == []


def test_applied_migration_edited_needs_a_database() -> None:
    rule = all_rules()["applied-migration-edited"]
    assert rule.needs_database and rule.check is None and rule.check_set is None
    assert (rule.severity, rule.category) == ("error", "journal")
