"""Partitioned tables: the CONCURRENTLY forms Postgres refuses on them (and elsewhere), and the
locks and scans that attaching a partition takes. Each case was checked on Postgres 16.2."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from migrations_checks.lint.records.findings import Finding
from tests.helpers import fired, write_drizzle

UNSUPPORTED = "concurrently-unsupported"
EVENTS = (
    'CREATE TABLE "events" ("id" int, "at" date, "kind" text) PARTITION BY RANGE ("at");\n'
    "--> statement-breakpoint\n"
    "CREATE TABLE \"events_2024\" PARTITION OF \"events\" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    "--> statement-breakpoint\n"
    'CREATE INDEX "events_kind_idx" ON "events" ("kind");'
)


def findings(tmp_path: Path, later: str, rule_id: str, first: str = EVENTS) -> list[Finding]:
    """The findings of one rule on `later`, linted after a migration `first` (by default the
    partitioned `events`, with a partition and an index)."""
    folder = write_drizzle(tmp_path / "drizzle", {"0000_first": first, "0001_later": later})
    return [f for f in lint_paths([folder], LintOptions(transactional=False)).findings if f.rule == rule_id]


@pytest.mark.parametrize(
    ("later", "message"),
    [
        (
            'CREATE INDEX CONCURRENTLY "events_at_idx" ON "events" ("at");',
            "CREATE INDEX CONCURRENTLY fails on events: a partitioned table cannot be indexed concurrently",
        ),
        (
            'create unique index concurrently if not exists events_at_idx on only public.events (id, "at");',
            "CREATE INDEX CONCURRENTLY fails on events: a partitioned table cannot be indexed concurrently",
        ),
        (
            'DROP INDEX CONCURRENTLY "events_kind_idx";',
            "DROP INDEX CONCURRENTLY fails on events_kind_idx: a partitioned table's index cannot be dropped "
            "concurrently",
        ),
        (
            'DROP INDEX CONCURRENTLY IF EXISTS "a", "b";',
            "DROP INDEX CONCURRENTLY fails: it drops one index at a time, not 2",
        ),
        ('DROP INDEX CONCURRENTLY "events_kind_idx" CASCADE;', "DROP INDEX CONCURRENTLY fails with CASCADE"),
        ("drop index concurrently if exists missing cascade;", "DROP INDEX CONCURRENTLY fails with CASCADE"),
    ],
)
def test_a_concurrently_form_postgres_refuses_fails_under_any_runner(tmp_path: Path, later: str, message: str) -> None:
    [finding] = findings(tmp_path, later, UNSUPPORTED)
    assert finding.message == message
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "later",
    [
        'CREATE INDEX CONCURRENTLY "events_2024_at_idx" ON "events_2024" ("at");',  # a partition: a plain table
        'CREATE INDEX CONCURRENTLY "plans_topic_idx" ON "plans" ("topic");',  # a table the history does not show
        'DROP INDEX CONCURRENTLY "plans_topic_idx" RESTRICT;',
        'DROP INDEX CONCURRENTLY IF EXISTS "missing";',
        'DROP INDEX "a", "b" CASCADE;',  # not concurrently: drop-index-non-concurrently's business
        'CREATE INDEX "events_at_idx" ON ONLY "events" ("at");',
    ],
)
def test_a_form_postgres_accepts_is_not_reported(tmp_path: Path, later: str) -> None:
    assert findings(tmp_path, later, UNSUPPORTED) == []


def test_the_history_that_drops_a_partitioned_table_forgets_it(tmp_path: Path) -> None:
    later = 'DROP TABLE "events";\nCREATE TABLE "events" ("id" int, "kind" text);\n' + (
        'CREATE INDEX CONCURRENTLY "events_id_idx" ON "events" ("id");'
    )
    assert findings(tmp_path, later, UNSUPPORTED) == []


def test_dropping_a_partitioned_tables_index_suggests_what_postgres_allows(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, 'DROP INDEX "events_kind_idx";', "drop-index-non-concurrently")
    assert finding.hint == "events is partitioned, so its index cannot be dropped CONCURRENTLY: drop it at a quiet time"
    [plain] = fired('DROP INDEX "plans_topic_idx";', "drop-index-non-concurrently")
    assert plain.hint == "DROP INDEX CONCURRENTLY, in its own step outside a transaction"


SCAN = "partition-scan"
ATTACH = "ALTER TABLE \"events\" ATTACH PARTITION \"events_2025\" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
CREATE_PARTITION = (
    "CREATE TABLE \"events_2026\" PARTITION OF \"events\" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
)
STANDALONE = 'CREATE TABLE "events_2025" ("id" int, "at" date, "kind" text);'
DEFAULT = 'CREATE TABLE "events_other" PARTITION OF "events" DEFAULT;'
BOUND = (
    'ALTER TABLE "events_2025" ADD CONSTRAINT "events_2025_bound" '
    'CHECK ("at" IS NOT NULL AND "at" >= \'2025-01-01\' AND "at" < \'2026-01-01\')'
)


def with_first(*statements: str) -> str:
    return "\n--> statement-breakpoint\n".join((EVENTS, *statements))


@pytest.mark.parametrize(
    ("first", "later", "message"),
    [
        (
            with_first(STANDALONE),
            ATTACH,
            "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it",
        ),
        (
            with_first(STANDALONE, BOUND + " NOT VALID;"),  # not valid: no proof
            ATTACH,
            "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it",
        ),
        (
            EVENTS,  # a table the history does not show
            ATTACH,
            "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it, "
            "unless a valid CHECK constraint on it implies the bound",
        ),
        (
            with_first(DEFAULT),
            CREATE_PARTITION,
            "scans events's DEFAULT partition events_other for rows of the new bound under an ACCESS EXCLUSIVE "
            "lock on it",
        ),
        (
            with_first(DEFAULT, STANDALONE, BOUND + ";"),
            ATTACH,
            "scans events's DEFAULT partition events_other for rows of the new bound under an ACCESS EXCLUSIVE "
            "lock on it",
        ),
        (
            with_first(DEFAULT, STANDALONE),  # both scans: one finding
            ATTACH,
            "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it; "
            "scans events's DEFAULT partition events_other for rows of the new bound under an ACCESS EXCLUSIVE "
            "lock on it",
        ),
        (
            with_first(STANDALONE, 'ALTER TABLE "events" ATTACH PARTITION "events_2025" DEFAULT;'),
            CREATE_PARTITION,  # the default attached
            "scans events's DEFAULT partition events_2025 for rows of the new bound under an ACCESS EXCLUSIVE "
            "lock on it",
        ),
        (  # a key with an expression: which check implies the bound is unknown (Postgres 16.2 scans here)
            'CREATE TABLE "events" ("id" int, "at" date, "kind" text) PARTITION BY LIST (lower("kind"));\n'
            'CREATE TABLE "events_b" ("id" int, "at" date, "kind" text);\n'
            'ALTER TABLE "events_b" ADD CONSTRAINT "b" CHECK ("kind" IS NOT NULL AND "kind" = \'b\');',
            'ALTER TABLE "events" ATTACH PARTITION "events_b" FOR VALUES IN (\'b\');',
            "checks every row of events_b against its partition bound under an ACCESS EXCLUSIVE lock on it, "
            "unless a valid CHECK constraint on it implies the bound",
        ),
        (  # a valid CHECK that does not read the partition key cannot imply the bound
            with_first(STANDALONE, 'ALTER TABLE "events_2025" ADD CONSTRAINT "positive" CHECK ("id" > 0);'),
            ATTACH,
            "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it",
        ),
        (
            with_first(DEFAULT, 'ALTER TABLE "events_other" RENAME TO "events_rest";'),
            CREATE_PARTITION,  # the default renamed
            "scans events's DEFAULT partition events_rest for rows of the new bound under an ACCESS EXCLUSIVE "
            "lock on it",
        ),
    ],
)
def test_a_partition_that_makes_postgres_scan_a_live_table_is_reported(
    tmp_path: Path, first: str, later: str, message: str
) -> None:
    [finding] = findings(tmp_path, later, SCAN, first)
    assert finding.message == message
    assert finding.severity == "warning"


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (with_first(STANDALONE, BOUND + ";"), ATTACH),  # a valid CHECK: Postgres skips the scan
        (
            with_first(
                STANDALONE, BOUND + " NOT VALID;", 'ALTER TABLE "events_2025" VALIDATE CONSTRAINT "events_2025_bound";'
            ),
            ATTACH,
        ),
        (EVENTS, STANDALONE + "\n" + ATTACH),  # created in the same file: no rows
        (
            with_first(DEFAULT),
            DEFAULT.replace("events_other", "events_more") + "\n",
        ),  # Postgres refuses a second DEFAULT
        (EVENTS, CREATE_PARTITION),  # no DEFAULT partition
        (with_first(DEFAULT, 'ALTER TABLE "events" DETACH PARTITION "events_other";'), CREATE_PARTITION),
        (with_first(DEFAULT, 'DROP TABLE "events_other";'), CREATE_PARTITION),
        (
            with_first(DEFAULT, 'ALTER TABLE "events_other" ADD CONSTRAINT "rest" CHECK ("at" < \'2026-01-01\');'),
            CREATE_PARTITION,
        ),
        (EVENTS, DEFAULT + "\n" + CREATE_PARTITION),  # the DEFAULT created in the same file: no rows
        (  # a column's CHECK in CREATE TABLE
            with_first(
                'CREATE TABLE "events_2025" ("id" int, "at" date '
                'CHECK ("at" IS NOT NULL AND "at" >= \'2025-01-01\' AND "at" < \'2026-01-01\'), "kind" text);'
            ),
            ATTACH,
        ),
    ],
)
def test_a_partition_postgres_need_not_scan_for_is_not_reported(tmp_path: Path, first: str, later: str) -> None:
    assert findings(tmp_path, later, SCAN, first) == []


def test_a_check_goes_with_a_column_it_reads_or_its_drop(tmp_path: Path) -> None:
    # Postgres 16.2 drops the check with the column it reads, and then scans.
    standalone = STANDALONE.replace('"at" date', '"at" date, "x" int')
    bound = BOUND.replace('("at" IS NOT NULL', '("x" IS NULL AND "at" IS NOT NULL')
    first = with_first(standalone, bound + ";", 'ALTER TABLE "events_2025" DROP COLUMN "x";')
    [finding] = findings(tmp_path, ATTACH, SCAN, first)
    assert finding.message == (
        "checks every row of events_2025 against its partition bound under an ACCESS EXCLUSIVE lock on it"
    )
    dropped = with_first(STANDALONE, BOUND + ";", 'ALTER TABLE "events_2025" DROP CONSTRAINT "events_2025_bound";')
    assert len(findings(tmp_path / "dropped", ATTACH, SCAN, dropped)) == 1


def test_a_partition_has_its_parents_columns_not_null_constraints_and_defaults(tmp_path: Path) -> None:
    # Postgres 16.2 gives a PARTITION OF table its parent's columns with their NOT NULL and defaults.
    first = (
        'CREATE TABLE "plans" ("id" int NOT NULL, "at" date DEFAULT now(), "note" text) PARTITION BY RANGE ("at");\n'
        'CREATE TABLE "plans_2024" PARTITION OF "plans" ("note" WITH OPTIONS DEFAULT \'none\') '
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    )
    assert (
        findings(tmp_path / "a", 'ALTER TABLE "plans_2024" ALTER COLUMN "id" SET NOT NULL;', "set-not-null", first)
        == []
    )
    assert (
        len(
            findings(
                tmp_path / "b", 'ALTER TABLE "plans_2024" ALTER COLUMN "note" SET NOT NULL;', "set-not-null", first
            )
        )
        == 1
    )
    for column in ("at", "note"):
        later = f'ALTER TABLE "plans_2024" ALTER COLUMN "{column}" DROP DEFAULT;'
        assert len(findings(tmp_path / column, later, "drop-default", first)) == 1
    later = 'ALTER TABLE "plans_2024" ALTER COLUMN "id" DROP DEFAULT;'  # it never had one
    assert findings(tmp_path / "c", later, "drop-default", first) == []


def test_a_table_with_a_default_partition_cannot_detach_concurrently(tmp_path: Path) -> None:
    detach = 'ALTER TABLE "events" DETACH PARTITION "events_2024" CONCURRENTLY;'
    [finding] = findings(tmp_path / "a", detach, UNSUPPORTED, with_first(DEFAULT))
    assert (
        finding.message == "DETACH PARTITION ... CONCURRENTLY fails on events: it has a DEFAULT partition, events_other"
    )
    assert findings(tmp_path / "b", detach, UNSUPPORTED) == []
    detached = with_first(DEFAULT, 'ALTER TABLE "events" DETACH PARTITION "events_other";')
    assert findings(tmp_path / "c", detach, UNSUPPORTED, detached) == []
    # Nor is the concurrent form suggested for a plain DETACH there.
    [plain] = findings(
        tmp_path / "d", detach.replace(" CONCURRENTLY", ""), "detach-partition-non-concurrently", with_first(DEFAULT)
    )
    assert plain.hint is not None and plain.hint.startswith("Postgres refuses DETACH PARTITION ... CONCURRENTLY")
    [usual] = findings(tmp_path / "e", detach.replace(" CONCURRENTLY", ""), "detach-partition-non-concurrently")
    assert usual.hint == "DETACH PARTITION ... CONCURRENTLY (Postgres 14+), in its own non-transactional step"


@pytest.mark.parametrize(
    ("first", "column", "reported"),
    [
        # a partition takes its parent's CHECK constraints
        (
            'CREATE TABLE "plans" ("id" int, "note" text, CHECK ("note" IS NOT NULL)) PARTITION BY RANGE ("id");\n'
            'CREATE TABLE "plans_low" PARTITION OF "plans" FOR VALUES FROM (0) TO (10);',
            "note",
            False,
        ),
        # so does a table that INHERITS, with the NOT NULL columns
        (
            'CREATE TABLE "plans" ("id" int, "note" text NOT NULL, CONSTRAINT "c" CHECK ("id" IS NOT NULL));\n'
            'CREATE TABLE "plans_low" ("extra" text, "id" int) INHERITS ("plans");',
            "id",
            False,
        ),
        (
            'CREATE TABLE "plans" ("id" int, "note" text NOT NULL);\n'
            'CREATE TABLE "plans_low" ("extra" text) INHERITS ("plans");',
            "note",
            False,
        ),
        (
            'CREATE TABLE "plans" ("id" int, "note" text NOT NULL);\n'
            'CREATE TABLE "plans_low" ("extra" text) INHERITS ("plans");',
            "extra",
            True,
        ),
        (  # a parent the history does not show: nothing known
            'CREATE TABLE "plans_low" ("extra" text) INHERITS ("plans");',
            "note",
            True,
        ),
    ],
)
def test_a_child_table_has_its_parents_not_null_columns_and_checks(
    tmp_path: Path, first: str, column: str, reported: bool
) -> None:
    # Postgres 16.2 proves each silent case from the inherited constraint, and scans otherwise.
    later = f'ALTER TABLE "plans_low" ALTER COLUMN "{column}" SET NOT NULL;'
    assert bool(findings(tmp_path, later, "set-not-null", first)) is reported


def test_an_index_is_in_its_tables_schema(tmp_path: Path) -> None:
    first = 'CREATE TABLE "s"."p" ("a" int) PARTITION BY LIST ("a");\nCREATE INDEX "pi" ON "s"."p" ("a");'
    [finding] = findings(tmp_path / "a", 'DROP INDEX CONCURRENTLY "s"."pi";', UNSUPPORTED, first)
    assert finding.message.startswith("DROP INDEX CONCURRENTLY fails on s.pi:")
    # unnamed, its name cut to 63 bytes as Postgres cuts it
    long = f'CREATE TABLE "{"t" * 40}" ("{"c" * 40}" int);\nCREATE INDEX ON "{"t" * 40}" ("{"c" * 40}");'
    [drop] = findings(tmp_path / "b", f'DROP INDEX "{"t" * 29}_{"c" * 29}_idx";', "drop-index-non-concurrently", long)
    assert drop.message.startswith(f"drops index {'t' * 29}_{'c' * 29}_idx (on {'t' * 40})")


def test_a_renamed_column_is_read_under_its_new_name(tmp_path: Path) -> None:
    # Postgres 16.2: "partition constraint for table "t" is implied by existing constraints".
    first = (
        'CREATE TABLE "p" ("x" int NOT NULL) PARTITION BY LIST ("x");\n'
        'ALTER TABLE "p" RENAME COLUMN "x" TO "a";\n'
        'CREATE TABLE "t" ("b" int NOT NULL, CONSTRAINT "c" CHECK ("b" = 1));\n'
        'ALTER TABLE "t" RENAME COLUMN "b" TO "a";'
    )
    assert findings(tmp_path, 'ALTER TABLE "p" ATTACH PARTITION "t" FOR VALUES IN (1);', SCAN, first) == []


PARENT = (
    'CREATE TABLE "p" ("a" int NOT NULL, "b" int NOT NULL) PARTITION BY RANGE ("a");\n'
    'CREATE TABLE "p1" PARTITION OF "p" FOR VALUES FROM (0) TO (10);\n'
)


# What an ALTER TABLE of the parent does, it does to its partitions (each checked on Postgres 16.2).
@pytest.mark.parametrize(
    ("first", "later", "rule_id", "reported"),
    [
        (
            PARENT + 'ALTER TABLE "p" ALTER COLUMN "b" DROP NOT NULL;',
            'ALTER TABLE "p1" ALTER "b" SET NOT NULL;',
            "set-not-null",
            True,
        ),
        (
            PARENT.replace('"b" int NOT NULL', '"b" int, CONSTRAINT "bc" CHECK ("b" IS NOT NULL)')
            + 'ALTER TABLE "p" DROP CONSTRAINT "bc";',
            'ALTER TABLE "p1" ALTER "b" SET NOT NULL;',
            "set-not-null",
            True,
        ),
        (
            PARENT.replace('"b" int NOT NULL', '"b" int')
            + 'ALTER TABLE "p" ADD CONSTRAINT "bc" CHECK ("b" IS NOT NULL);',
            'ALTER TABLE "p1" ALTER "b" SET NOT NULL;',
            "set-not-null",
            False,
        ),
        (  # an unnamed check is named for the parent, and the partition's copy has that name
            PARENT.replace('"b" int NOT NULL', '"b" int')
            + 'ALTER TABLE "p" ADD CHECK ("b" IS NOT NULL);\nALTER TABLE "p" DROP CONSTRAINT "p_b_check";',
            'ALTER TABLE "p1" ALTER "b" SET NOT NULL;',
            "set-not-null",
            True,
        ),
        (
            PARENT
            + 'CREATE TABLE "pd" PARTITION OF "p" DEFAULT;\nALTER TABLE "p" ADD CONSTRAINT "pc" CHECK ("a" < 100);',
            'CREATE TABLE "p2" PARTITION OF "p" FOR VALUES FROM (200) TO (300);',
            SCAN,
            False,
        ),
        (
            "CREATE TYPE \"mood\" AS ENUM ('a');\n"
            'CREATE TABLE "p" ("id" int, "x" text, "m" "mood") PARTITION BY LIST ("id");\n'
            'CREATE TABLE "p1" PARTITION OF "p" FOR VALUES IN (1);\n'
            'ALTER TABLE "p" DROP COLUMN "x";\nALTER TABLE "p" ADD COLUMN "z" text;',
            "ALTER TYPE \"mood\" ADD VALUE 'b';\nINSERT INTO \"p1\" VALUES (1, 'b', 'x');",
            "enum-value-used-in-same-transaction",
            True,
        ),
    ],
)
def test_a_partition_follows_its_parents_changes(
    tmp_path: Path, first: str, later: str, rule_id: str, reported: bool
) -> None:
    assert bool(findings(tmp_path, later, rule_id, first)) is reported


@pytest.mark.parametrize(
    ("between", "reported"),
    [
        ('ALTER TABLE "par" ALTER COLUMN "b" SET NOT NULL;', False),  # the child's too
        ('ALTER TABLE ONLY "par" ALTER COLUMN "b" SET NOT NULL;', True),  # the parent's alone
    ],
)
def test_alter_table_only_leaves_the_children_as_they_are(tmp_path: Path, between: str, reported: bool) -> None:
    # Postgres 16.2 scans "ch" after the ONLY form, and proves nothing to do after the other.
    first = 'CREATE TABLE "par" ("a" int, "b" int);\nCREATE TABLE "ch" () INHERITS ("par");\n' + between
    later = 'ALTER TABLE "ch" ALTER COLUMN "b" SET NOT NULL;'
    assert bool(findings(tmp_path, later, "set-not-null", first)) is reported


SOURCE = (
    'CREATE TABLE "src" ("a" int NOT NULL DEFAULT 1, "c" int, CONSTRAINT "cc" CHECK ("c" IS NOT NULL) NOT VALID);\n'
)


# CREATE TABLE ... (LIKE src) copies NOT NULL always, defaults and checks when told to (each checked
# on Postgres 16.2: a copied check is valid, as the new table is empty, and proves NOT NULL).
@pytest.mark.parametrize(
    ("like", "later", "rule_id", "reported"),
    [
        ('LIKE "src"', 'ALTER TABLE "t" ALTER COLUMN "a" SET NOT NULL;', "set-not-null", False),
        ('LIKE "src"', 'ALTER TABLE "t" ALTER COLUMN "a" DROP DEFAULT;', "drop-default", False),
        ('LIKE "src" INCLUDING DEFAULTS', 'ALTER TABLE "t" ALTER COLUMN "a" DROP DEFAULT;', "drop-default", True),
        ('LIKE "src" INCLUDING ALL', 'ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL;', "set-not-null", False),
        (
            'LIKE "src" INCLUDING ALL EXCLUDING CONSTRAINTS',
            'ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL;',
            "set-not-null",
            True,
        ),
        # A table the history does not show: its defaults may be any.
        ('LIKE "elsewhere" INCLUDING DEFAULTS', 'ALTER TABLE "t" ALTER COLUMN "a" DROP DEFAULT;', "drop-default", True),
    ],
)
def test_a_like_copies_not_null_and_when_told_defaults_and_checks(
    tmp_path: Path, like: str, later: str, rule_id: str, reported: bool
) -> None:
    first = SOURCE + f'CREATE TABLE "t" ({like}, "d" int);'
    assert bool(findings(tmp_path, later, rule_id, first)) is reported
