"""Suppressions and deprecation markers, as the catalogue defines them."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths, lint_text
from migrations_checks.lint.records.findings import LintResult
from tests.helpers import write_drizzle

DROP = 'ALTER TABLE "users" DROP COLUMN "nickname";'


def rules_of(result: LintResult) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in result.findings]


def test_allow_with_reason_suppresses_and_is_listed() -> None:
    result = lint_text(f"-- gates: allow drop-column -- unused since release 41\n{DROP}")
    assert rules_of(result) == []
    [silenced] = result.suppressed
    assert silenced.rule == "drop-column"
    assert silenced.suppressed_by is not None and silenced.suppressed_by.reason == "unused since release 41"


def test_allow_without_reason_is_an_error_and_suppresses_nothing() -> None:
    result = lint_text(f"-- gates: allow drop-column\n{DROP}")
    assert ("invalid-suppression", "error") in rules_of(result)
    assert ("drop-column", "error") in rules_of(result)


def test_allow_naming_an_unknown_rule_is_an_error() -> None:
    result = lint_text(f"-- gates: allow drop-colum -- typo\n{DROP}")
    assert ("invalid-suppression", "error") in rules_of(result)
    assert ("drop-column", "error") in rules_of(result)


def test_allow_must_be_directly_above() -> None:
    result = lint_text(f"-- gates: allow drop-column -- too far away\n\n{DROP}")
    assert ("drop-column", "error") in rules_of(result)


def test_allow_that_suppresses_nothing_is_reported_as_info() -> None:
    result = lint_text('-- gates: allow drop-column -- stale\nALTER TABLE "users" ADD COLUMN "x" text;')
    assert rules_of(result) == [("unused-suppression", "info")]


def test_allow_above_a_do_block_covers_the_statements_inside() -> None:
    sql = (
        "-- gates: allow add-foreign-key-without-not-valid -- table is tiny, reviewed\n"
        'DO $$ BEGIN\n ALTER TABLE "tasks" ADD CONSTRAINT "fk" FOREIGN KEY ("m") REFERENCES "modules"("id");\n'
        "EXCEPTION WHEN duplicate_object THEN null;\nEND $$;"
    )
    result = lint_text(sql)
    assert rules_of(result) == []
    assert [f.rule for f in result.suppressed] == ["add-foreign-key-without-not-valid"]


def test_unknown_gates_directive_is_reported() -> None:
    result = lint_text(f"-- gates: alow drop-column -- typo in the verb\n{DROP}")
    assert ("drop-column", "error") in rules_of(result)


def test_a_comment_before_the_statement_on_its_own_line_keeps_the_allow_attached() -> None:
    result = lint_text(f"-- gates: allow drop-column -- unused since release 41\n  /* moved */ {DROP}")
    assert rules_of(result) == [] and [f.rule for f in result.suppressed] == ["drop-column"]


def test_an_allow_at_the_end_of_a_line_of_code_is_no_comment_line() -> None:
    result = lint_text(f"SELECT 1; -- gates: allow drop-column -- unused\n{DROP}")
    assert rules_of(result) == [("invalid-suppression", "error"), ("drop-column", "error")]


def test_directives_inside_a_statement_are_read() -> None:
    # Inside the statement they suppress nothing, so they are reported, typo or not.
    typo = lint_text('ALTER TABLE "users"\n  -- gates: alow drop-column -- typo\n  DROP COLUMN "nickname";')
    assert rules_of(typo) == [("drop-column", "error"), ("invalid-suppression", "error")]
    inside = lint_text('ALTER TABLE "users"\n  -- gates: allow drop-column -- here\n  DROP COLUMN "nickname";')
    assert rules_of(inside) == [("drop-column", "error"), ("invalid-suppression", "error")]


def test_directives_anywhere_in_a_do_body_are_read() -> None:
    typo = lint_text("DO $$ BEGIN\n -- gates: alow drop-table -- typo\n NULL;\nEND $$;")
    assert rules_of(typo) == [("invalid-suppression", "error")]
    above_if = lint_text(
        'DO $$ BEGIN\n -- gates: allow drop-table -- ok\n IF true THEN DROP TABLE "a"; END IF;\nEND $$;'
    )
    assert rules_of(above_if) == [("invalid-suppression", "error"), ("drop-table", "error")]


def test_a_deprecation_above_a_control_statement_in_a_do_body_counts(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "drizzle",
        {
            "0000_mark": "DO $$ BEGIN\n -- gates: deprecate column users.nickname\n NULL;\nEND $$;",
            "0001_drop": DROP,
        },
    )
    assert rules_of(lint_paths([folder], LintOptions())) == [("drop-column", "info")]


@pytest.mark.parametrize(
    # A table's marker covers its columns: code that stopped using the table uses none of them.
    "marker",
    ["-- gates: deprecate column users.nickname", "-- gates: deprecate table users -- replaced by accounts"],
)
def test_drop_of_a_column_deprecated_by_an_earlier_migration_is_info(tmp_path: Path, marker: str) -> None:
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "nickname" text);',
            "0001_deprecate": f'{marker}\nALTER TABLE "users" ADD COLUMN "bio" text;',
            "0002_drop": DROP,
        },
    )
    result = lint_paths([folder], LintOptions())
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("drop-column", "info")
    assert "0001_deprecate" in finding.message


def test_deprecation_in_the_same_migration_does_not_count(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "nickname" text);',
            "0001_drop": f"-- gates: deprecate column users.nickname\n{DROP}",
        },
    )
    assert ("drop-column", "error") in rules_of(lint_paths([folder], LintOptions()))


def test_deprecation_in_an_applied_migration_counts_when_only_pending_ones_are_linted(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "nickname" text);',
            "0001_deprecate": (
                '-- gates: deprecate table "public"."users"\n-- gates: deprecate column "users"."nickname"\nSELECT 1;'
            ),
            "0002_drop": f'{DROP}\nDROP TABLE "users";',
        },
    )
    result = lint_paths([folder], LintOptions(only=frozenset({"0002_drop"})))
    assert sorted(rules_of(result)) == [("drop-column", "info"), ("drop-table", "info")]
    assert result.files == 1


def test_invalid_suppression_cannot_be_allowed() -> None:
    result = lint_text("-- gates: allow invalid-suppression, drop-column -- silence the noise\n" + DROP)
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("invalid-suppression", "error")
    assert "`invalid-suppression` cannot be allowed" in finding.message
    assert [f.rule for f in result.suppressed] == ["drop-column"]  # the other rule it names still applies


def test_a_malformed_deprecation_says_how_to_write_one() -> None:
    for marker in ("-- gates: deprecate users.nickname", "-- gates: deprecate column users nickname"):
        [problem] = [f for f in lint_text(f"{marker}\nSELECT 1;").findings if f.rule == "invalid-suppression"]
        assert "is not a deprecation; write `-- gates: deprecate table <table>`" in problem.message


def test_a_drop_hints_at_the_marker_for_its_own_objects(tmp_path: Path) -> None:
    # Copied as it stands, the marker must deprecate that very object: quoted where SQL needs it.
    [column] = lint_text('ALTER TABLE "Users" DROP COLUMN "nick name", DROP COLUMN bio;').findings
    assert '`-- gates: deprecate column "Users"."nick name"` and `-- gates: deprecate column "Users".bio`' in (
        column.hint
    )
    [table] = lint_text('DROP TABLE "plan_drafts", public."Old";').findings
    assert '`-- gates: deprecate table plan_drafts` and `-- gates: deprecate table "Old"`' in table.hint
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "Users" ("id" uuid PRIMARY KEY, "nick name" text);',
            "0001_deprecate": '-- gates: deprecate column "Users"."nick name" -- unused since release 41\nSELECT 1;',
            "0002_drop": 'ALTER TABLE "Users" DROP COLUMN "nick name";',
        },
    )
    [dropped] = lint_paths([folder], LintOptions()).findings
    assert (dropped.rule, dropped.severity) == ("drop-column", "info")
    assert "deprecating migration is applied on production" in dropped.hint


def test_a_directive_with_a_typo_in_its_prefix_is_reported() -> None:
    # The suppression it was meant to be silences nothing: say why the finding still fails the run.
    for typo in ("-- gate: allow", "-- gates allow", "/* gates: allow", "--Gates allow"):
        text = f"{typo} drop-column -- unused since release 41{' */' if typo.startswith('/*') else ''}\n{DROP}"
        result = lint_text(text)
        [problem] = [f for f in result.findings if f.rule == "invalid-suppression"]
        assert "looks like a gates directive but is not one" in problem.message
        assert ("drop-column", "error") in rules_of(result)
    assert rules_of(lint_text(f"-- gates are closed on Sundays\n{DROP}")) == [("drop-column", "error")]


def test_two_hyphens_after_a_rule_id_start_the_reason() -> None:
    for reason in ("reviewed", "unused since release 41"):
        result = lint_text(f"--gates:allow drop-column--{reason}\n{DROP}")
        assert rules_of(result) == []
        [silenced] = result.suppressed
        assert silenced.suppressed_by is not None and silenced.suppressed_by.reason == reason
