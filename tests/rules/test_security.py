"""Security rules: statements that change who can read or write rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths, lint_text
from tests.helpers import in_do_block, in_function, write_drizzle

DISABLE_RLS = "disable-row-level-security"
DROP_POLICY = "drop-policy"
GRANT_PUBLIC = "grant-to-public"


def fired(sql: str, rule_id: str) -> list[str]:
    return [f.severity for f in lint_text(sql).findings if f.rule == rule_id]


DROP = 'DROP POLICY "plans_owner_read" ON "plans";'
CREATE = 'CREATE POLICY "plans_owner_read" ON "plans" FOR SELECT TO "authenticated" USING (1 = 1);'
GRANT = 'GRANT SELECT ON TABLE "plans" TO PUBLIC;'

BAD = [
    (DISABLE_RLS, 'ALTER TABLE "plans" DISABLE ROW LEVEL SECURITY;'),
    (DISABLE_RLS, "alter table public.plans disable row level security;"),
    (DISABLE_RLS, 'ALTER TABLE IF EXISTS "public"."Plans" NO FORCE ROW LEVEL SECURITY;'),
    (DISABLE_RLS, in_do_block('ALTER TABLE "plans" DISABLE ROW LEVEL SECURITY;')),
    (DROP_POLICY, DROP),
    (DROP_POLICY, 'drop policy if exists "plans_owner_read" on public.plans;'),
    (DROP_POLICY, in_do_block(DROP)),
    (DROP_POLICY, f"{CREATE}\n{DROP}"),  # created before the drop, not after
    (DROP_POLICY, DROP + "\n" + CREATE.replace("plans_owner_read", "plans_owner_select")),
    (DROP_POLICY, DROP + "\n" + CREATE.replace(' ON "plans"', ' ON "modules"')),
    (DROP_POLICY, DROP + "\n" + CREATE.replace('"plans_owner_read"', '"Plans_Owner_Read"')),  # quoted: exact
    (GRANT_PUBLIC, GRANT),
    (GRANT_PUBLIC, "grant select, insert on all tables in schema public to public;"),
    (GRANT_PUBLIC, 'GRANT USAGE ON SCHEMA "app" TO "authenticated", PUBLIC;'),
    # Postgres reads a quoted "public" as PUBLIC too.
    (GRANT_PUBLIC, 'GRANT SELECT ON "public"."plans" TO "public";'),
    (GRANT_PUBLIC, "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;"),
    (GRANT_PUBLIC, in_do_block(GRANT)),
]

GOOD = [
    (DISABLE_RLS, 'ALTER TABLE "plans" ENABLE ROW LEVEL SECURITY;'),
    (DISABLE_RLS, 'ALTER TABLE "plans" FORCE ROW LEVEL SECURITY;'),
    (DISABLE_RLS, 'ALTER TABLE "plans" DISABLE TRIGGER ALL;'),
    (DISABLE_RLS, "-- ALTER TABLE plans DISABLE ROW LEVEL SECURITY;\nSELECT 'DISABLE ROW LEVEL SECURITY';"),
    (DISABLE_RLS, in_function("ALTER TABLE plans DISABLE ROW LEVEL SECURITY;")),
    (DROP_POLICY, f"{DROP}--> statement-breakpoint\n{CREATE}"),
    (DROP_POLICY, f'DROP POLICY IF EXISTS plans_owner_read ON "public"."plans";\n{CREATE}'),
    (DROP_POLICY, f'DROP POLICY "plans_owner_read" ON public.PLANS;\n{CREATE}'),  # bare names fold
    (DROP_POLICY, in_do_block(DROP) + "\n" + in_do_block(CREATE)),
    (DROP_POLICY, f"-- {DROP}\nSELECT '{DROP.replace(chr(39), chr(39) * 2)}';"),
    (DROP_POLICY, in_function(DROP)),
    (GRANT_PUBLIC, 'GRANT SELECT ON TABLE "plans" TO "authenticated";'),
    (GRANT_PUBLIC, 'REVOKE ALL ON TABLE "plans" FROM PUBLIC;'),
    (GRANT_PUBLIC, 'GRANT USAGE ON SCHEMA "public" TO "authenticated";'),
    (GRANT_PUBLIC, f"-- {GRANT}\nSELECT 'GRANT ALL ON plans TO PUBLIC';"),
    (GRANT_PUBLIC, in_function(GRANT)),
]


@pytest.mark.parametrize(("rule_id", "sql"), BAD)
def test_fires_once(rule_id: str, sql: str) -> None:
    severities = fired(sql, rule_id)
    assert len(severities) == 1, lint_text(sql).findings


@pytest.mark.parametrize(("rule_id", "sql"), GOOD)
def test_silent(rule_id: str, sql: str) -> None:
    assert fired(sql, rule_id) == []


@pytest.mark.parametrize(
    ("rule_id", "severity"), [(DISABLE_RLS, "error"), (DROP_POLICY, "warning"), (GRANT_PUBLIC, "warning")]
)
def test_default_severity(rule_id: str, severity: str) -> None:
    sql = next(sql for rule, sql in BAD if rule == rule_id)
    assert fired(sql, rule_id) == [severity]


def _rules(files: dict[str, str], tmp_path: Path, transactional: bool = True) -> list[tuple[str, str]]:
    folder = write_drizzle(tmp_path / f"m{len(list(tmp_path.iterdir()))}", files)  # a new folder each call
    return [
        (f.rule, Path(f.file).stem) for f in lint_paths([folder], LintOptions(transactional=transactional)).findings
    ]


SECRETS = (
    'CREATE TABLE "secrets" ("id" int);\nALTER TABLE "secrets" ENABLE ROW LEVEL SECURITY;\n'
    'ALTER TABLE "secrets" FORCE ROW LEVEL SECURITY;'
)


@pytest.mark.parametrize("switch", ["DISABLE ROW LEVEL SECURITY", "NO FORCE ROW LEVEL SECURITY"])
def test_row_level_security_switched_off_before_the_table_is_dropped_is_left_to_drop_table(
    tmp_path: Path, switch: str
) -> None:
    # drizzle-kit writes the switch before every DROP TABLE of a table with row level security; its
    # ACCESS EXCLUSIVE lock holds until the drop commits, so no query sees the table without policies.
    dropped = f'ALTER TABLE "secrets" {switch};--> statement-breakpoint\nDROP TABLE "secrets" CASCADE;'
    assert _rules({"0000_init": SECRETS, "0001_drop": dropped}, tmp_path) == [("drop-table", "0001_drop")]
    deprecated = {"0000_init": SECRETS, "0001_mark": '-- gates: deprecate table "secrets"\nSELECT 1;'}
    assert _rules({**deprecated, "0002_drop": dropped}, tmp_path) == [("drop-table", "0002_drop")]
    # Renamed or moved first, the table is the one dropped under its new name.
    for moved in (
        'RENAME TO "old_secrets";\nDROP TABLE "old_secrets";',
        'SET SCHEMA "archive";\nDROP TABLE "archive"."secrets";',
        'SET SCHEMA "archive";\nALTER TABLE "archive"."secrets" RENAME TO "old";\nDROP TABLE "archive"."old";',
    ):
        renamed = f'ALTER TABLE "secrets" {switch};\nALTER TABLE "secrets" {moved}'
        assert ("disable-row-level-security", "0001_drop") not in _rules(
            {"0000_init": SECRETS, "0001_drop": renamed}, tmp_path
        )
    # Dropped in a later file, or in autocommit pieces, the table is readable without its policies.
    later = {"0000_init": SECRETS, "0001_off": f'ALTER TABLE "secrets" {switch};', "0002_drop": 'DROP TABLE "secrets";'}
    assert ("disable-row-level-security", "0001_off") in _rules(later, tmp_path)
    assert ("disable-row-level-security", "0001_drop") in _rules(
        {"0000_init": SECRETS, "0001_drop": dropped}, tmp_path, transactional=False
    )
    # A drop that may not run, may be undone, or drops another table leaves the table without its policies.
    for undone in (
        f'ALTER TABLE "secrets" {switch};\nALTER TABLE "secrets" RENAME TO "kept";\n'
        'CREATE TABLE "secrets" ("id" int);\nDROP TABLE "secrets";',
        f'ALTER TABLE "secrets" {switch};\nCREATE TEMP TABLE "secrets" ("id" int);\nDROP TABLE "secrets";',
        f'ALTER TABLE "secrets" {switch};\nDO $$ BEGIN IF false THEN DROP TABLE "secrets"; END IF; END $$;',
        f'ALTER TABLE "secrets" {switch};\nSAVEPOINT "s";\nDROP TABLE "secrets";\nROLLBACK TO SAVEPOINT "s";',
    ):
        assert ("disable-row-level-security", "0001_drop") in _rules(
            {"0000_init": SECRETS, "0001_drop": undone}, tmp_path
        ), undone


def test_row_level_security_the_history_shows_off_is_no_change(tmp_path: Path) -> None:
    # drizzle-kit writes the switch before dropping tables without row level security too: on
    # Postgres 16.2 such a table has relrowsecurity false before and after, and no policy.
    plain = 'CREATE TABLE "vendor" ("id" int);'
    off = 'ALTER TABLE "vendor" DISABLE ROW LEVEL SECURITY;\nALTER TABLE "vendor" NO FORCE ROW LEVEL SECURITY;'
    assert _rules({"0000_init": plain, "0001_off": off}, tmp_path) == []
    switched_on = plain + '\nALTER TABLE "vendor" ENABLE ROW LEVEL SECURITY;'
    assert _rules({"0000_init": switched_on, "0001_off": off}, tmp_path) == [("disable-row-level-security", "0001_off")]
    forced = plain + '\nALTER TABLE "vendor" FORCE ROW LEVEL SECURITY;'
    assert _rules({"0000_init": forced, "0001_off": off}, tmp_path) == [("disable-row-level-security", "0001_off")]
    renamed = switched_on.replace('"vendor"', '"old"') + '\nALTER TABLE "old" RENAME TO "vendor";'
    assert (
        _rules({"0000_init": renamed, "0001_off": off}, tmp_path)
        == [
            ("disable-row-level-security", "0001_off"),
            ("rename-table", "0000_init"),
        ][::-1]
    )
    # A table the history does not show may have it on.
    assert _rules({"0000_off": off}, tmp_path) == [("disable-row-level-security", "0000_off")] * 2
