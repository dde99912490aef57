"""Security rules: statements that change who can read or write rows."""

from __future__ import annotations

import pytest

from migrations_checks.lint.engine import lint_text
from tests.helpers import in_do_block, in_function

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
