"""journal-missing-file: a Drizzle journal entry whose `.sql` file does not exist.

drizzle-orm reads every journal entry's file before it applies anything, so one missing file makes
every deploy's migrate step fail. It usually comes from a renamed or deleted migration, or a merge
that kept the other branch's journal entry but not its file. Restore the file, or remove the entry
if the migration was never applied anywhere.
"""

from collections.abc import Iterator

from migrations_checks.lint.reader import MigrationSet
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules.rule import JournalHit, Rule


def check_set(migration_set: MigrationSet) -> Iterator[JournalHit]:
    journal = migration_set.journal
    if journal is None:
        return
    present = {file.tag for file in migration_set.files}  # the reader keeps the entries it found a file for
    for position, entry in enumerate(journal.entries):
        if entry.tag not in present:
            yield JournalHit(
                f"journal entry {entry.tag} has no file {entry.tag}.sql: drizzle-orm fails before "
                "applying any migration",
                file=display_path(journal.path),
                line=journal.line_of(position),
            )


RULE = Rule(
    id="journal-missing-file",
    severity="error",
    category="journal",
    summary="a journal entry without its migration file makes every migrate run fail",
    hint="restore the migration file, or remove the entry if it was never applied anywhere",
    bad='files: 0000_init.sql; entries: [{"tag": "0000_init", "when": 1000}, {"tag": "0001_add_plans", "when": 2000}]',
    good='files: 0000_init.sql, 0001_add_plans.sql; entries: [{"tag": "0000_init", "when": 1000}, '
    '{"tag": "0001_add_plans", "when": 2000}]',
    check_set=check_set,
)
