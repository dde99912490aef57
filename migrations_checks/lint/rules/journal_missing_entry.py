"""journal-missing-entry: a `.sql` file in a Drizzle folder that the journal does not list.

drizzle-orm applies exactly the entries of `meta/_journal.json` and never looks at the folder, so
a migration file without an entry is never applied anywhere: the schema change it carries silently
does not happen, while the code that needs it ships. It usually comes from a hand-written file or a
merge that kept one branch's journal. Generate migrations with `drizzle-kit generate` (or add the
entry by hand with a `when` newer than every other), or delete the stray file.
"""

from collections.abc import Iterator

from migrations_checks.lint.reader import JOURNAL_PATH, MigrationSet
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules.rule import JournalHit, Rule


def check_set(migration_set: MigrationSet) -> Iterator[JournalHit]:
    for orphan in migration_set.orphan_files:
        yield JournalHit(
            f"{orphan.name} has no entry in {JOURNAL_PATH.as_posix()}: drizzle-orm never applies it",
            file=display_path(orphan),
        )


RULE = Rule(
    id="journal-missing-entry",
    severity="error",
    category="journal",
    summary="a migration file the journal does not list is never applied",
    hint="add its journal entry (drizzle-kit generate does), or delete the stray file",
    bad='files: 0000_init.sql, 0001_add_plans.sql; entries: [{"tag": "0000_init", "when": 1000}]',
    good='files: 0000_init.sql, 0001_add_plans.sql; entries: [{"tag": "0000_init", "when": 1000}, '
    '{"tag": "0001_add_plans", "when": 2000}]',
    check_set=check_set,
)
