"""applied-migration-edited: a migration recorded as applied whose file has changed since.

drizzle-orm records each applied migration's SHA-256 in `drizzle.__drizzle_migrations` but never
compares it again: an edited migration is not re-run, so databases that applied the old text keep
the old schema while fresh databases (CI, preview branches, a restore) get the new one, and the
two drift apart without any error. Never edit an applied migration; put the change in a new one.

Linting files alone cannot tell which migrations are applied, so this rule needs a database: the
`status` command and the replay gates compare the recorded hashes with the files and report it.
"""

from migrations_checks.lint.rules.rule import Rule

RULE = Rule(
    id="applied-migration-edited",
    severity="error",
    category="journal",
    summary="an applied migration whose file changed: databases silently drift apart",
    hint="restore the applied file as it was and put the change in a new migration",
    bad="0001_add_plans.sql is recorded as applied with hash a1b2..., and its file now hashes to 9f8e...",
    good="every applied migration's file hashes to the hash recorded in drizzle.__drizzle_migrations",
    needs_database=True,
)
