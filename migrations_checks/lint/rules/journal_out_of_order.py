"""journal-out-of-order: a Drizzle journal entry whose `when` is not newer than every entry before it.

drizzle-orm applies only entries newer than the newest `created_at` already recorded, and never
compares hashes. An entry that sorts before one already applied (typically merged in from another
branch, generated earlier) is skipped on every database that has the later one: silently, forever.
"""

from collections.abc import Iterator

from migrations_checks.lint.reader import MigrationSet
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules.rule import JournalHit, Rule


def check_set(migration_set: MigrationSet) -> Iterator[JournalHit]:
    journal = migration_set.journal
    if journal is None:
        return
    newest = None
    for position, entry in enumerate(journal.entries):
        if newest is not None and entry.when <= newest.when:
            yield JournalHit(
                f"{entry.tag} has when={entry.when}, not newer than {newest.tag} (when={newest.when}); "
                "drizzle-orm will skip it on every database that already applied the newer one",
                file=display_path(journal.path),
                line=journal.line_of(position),
            )
        if newest is None or entry.when > newest.when:
            newest = entry


RULE = Rule(
    id="journal-out-of-order",
    severity="error",
    category="journal",
    summary="a journal entry older than an earlier one is silently skipped by drizzle-orm",
    hint="regenerate the migration (drizzle-kit generate) so its `when` is newer than every earlier entry",
    bad='entries: [{"tag": "0000_a", "when": 2000}, {"tag": "0001_b", "when": 1000}]',
    good='entries: [{"tag": "0000_a", "when": 1000}, {"tag": "0001_b", "when": 2000}]',
    check_set=check_set,
)
