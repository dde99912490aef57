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


@pytest.mark.parametrize(
    "template",
    [
        # format() writes `archived` for %I: inside quotes, a new enum label the linter cannot see
        "UPDATE plans SET status = ''%I'' WHERE id = 1",
        "GRANT SELECT ON t TO app /* %I */",  # a name holding `*/` ends the comment
        'DROP TABLE "%I"',  # `"abc"`: the quotes are the name's
        "TRUNCATE %I_old",  # one name, `abc_old`
        "DROP TABLE %I%s",
        "SELECT format(''TRUNCATE %I'', ''x'')",  # the inner format() takes the %I as its own
    ],
)
def test_a_run_time_name_that_does_not_stand_alone_is_not_identified(template: str) -> None:
    [finding] = fired(in_loop(f"EXECUTE format('{template}', t, 'x');"), UNPARSEABLE)
    assert finding.message.startswith("cannot identify dynamic SQL inside a DO block: `EXECUTE format(")


@pytest.mark.parametrize(
    "template",
    [
        "ALTER DOMAIN d %I NOT NULL",  # format('%I', 'set') writes `set`: SET NOT NULL
        "ALTER TYPE s %I VALUE ''c''",  # `add`
        "MERGE INTO t USING s ON true WHEN MATCHED THEN %I",  # `delete`
    ],
)
def test_a_run_time_name_where_a_keyword_may_go_is_reported_by_its_kind(template: str) -> None:
    [finding] = fired(in_loop(f"EXECUTE format('{template}', t);"), UNPARSEABLE)
    assert finding.message.startswith("cannot examine dynamic SQL inside a DO block, ")


@pytest.mark.parametrize(("value", "keyword"), [("set", True), ("SET", False)])  # `set`; `"SET"`, a name
def test_a_constant_name_is_written_as_quote_ident_writes_it(value: str, keyword: bool) -> None:
    execute = f"EXECUTE format('ALTER DOMAIN d %I NOT NULL', '{value}');"
    assert bool(fired(f"DO $$ BEGIN {execute} END $$;", "set-not-null")) is keyword
