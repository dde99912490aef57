"""SQL a DO block builds with format(): judged like any statement where every value is a constant,
passed where a name known only at run time cannot matter, and reported otherwise."""

from __future__ import annotations

import pytest

from tests.helpers import fired

UNPARSEABLE = "unparseable-statement"


def in_loop(execute: str) -> str:
    """`execute` run once per table of the schema, as grants to every table are written."""
    return (
        "DO $$\nDECLARE t text;\nBEGIN\n"
        "  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
        f"    {execute}\n"
        "  END LOOP;\nEND $$;"
    )


@pytest.mark.parametrize(
    "execute",
    [
        "EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE public.%I TO merchant', t);",
        "EXECUTE format('GRANT USAGE, UPDATE ON SEQUENCE public.%I TO merchant', t);",
        "EXECUTE format('SELECT count(*) FROM %I WHERE %I IS NOT NULL', t, 'id') INTO n;",
    ],
)
def test_a_run_time_name_that_nothing_judged_depends_on_passes(execute: str) -> None:
    assert fired(in_loop(execute), UNPARSEABLE) == []


@pytest.mark.parametrize(
    ("execute", "kind"),
    [
        ("EXECUTE format('GRANT SELECT ON TABLE public.plans TO %I', t);", "GRANT"),  # PUBLIC, maybe
        ("EXECUTE format('ALTER TABLE %I ADD COLUMN \"x\" int NOT NULL', t);", "ALTER TABLE"),
        ("EXECUTE format('DROP TABLE %I', t);", "DROP TABLE"),
        ("EXECUTE format('CREATE INDEX ON plans (%I)', t);", "CREATE INDEX"),
    ],
)
def test_a_run_time_name_that_a_rule_would_judge_is_reported_by_its_kind(execute: str, kind: str) -> None:
    [finding] = fired(in_loop(execute), UNPARSEABLE)
    assert finding.message.startswith(
        f"cannot examine dynamic SQL inside a DO block, {kind} on a name chosen at run time: "
    )
    assert (finding.line, finding.column) == (5, 21)  # the statement inside the template
    assert finding.severity == "error"


def test_a_run_time_value_that_could_be_any_literal_or_sql_is_not_identified() -> None:
    for execute in ("EXECUTE format('UPDATE plans SET s = %L', t);", "EXECUTE format('DROP TABLE %s', t);"):
        [finding] = fired(in_loop(execute), UNPARSEABLE)
        assert finding.message.startswith("cannot identify dynamic SQL inside a DO block: `EXECUTE format(")


def test_constant_values_are_filled_in_and_judged() -> None:
    execute = "EXECUTE format('CREATE INDEX %I ON %I (%I)', 'plans_topic_idx', 'plans', 'topic');"
    [finding] = fired(f"DO $$ BEGIN {execute} END $$;", "create-index-non-concurrently")
    assert finding.message == "builds index plans_topic_idx on plans while blocking its writes"
    # A label given as a constant %L value is a use of it, like a label written in the statement.
    add = "ALTER TYPE \"plan_status\" ADD VALUE 'archived';\n--> statement-breakpoint\n"
    use = "DO $$ BEGIN EXECUTE format('UPDATE %I SET status = %L', 'plans', 'archived'); END $$;"
    assert len(fired(add + use, "enum-value-used-in-same-transaction")) == 1


def test_a_run_time_name_inside_a_string_constant_could_be_any_value() -> None:
    # format() writes `archived` for %I: inside quotes, a new enum label the linter cannot see.
    execute = "EXECUTE format('UPDATE plans SET status = ''%I'' WHERE id = 1', t);"
    [finding] = fired(in_loop(execute), UNPARSEABLE)
    assert finding.message.startswith("cannot examine dynamic SQL inside a DO block, UPDATE on a name chosen")
