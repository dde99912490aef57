"""rerun-failure: a migration statement that fails when it runs a second time.

A history is replayed over existing objects more often than it seems: a database built with
`drizzle-kit push`, a journal squashed or re-generated, a tracking table lost in a restore. The
Atlaris history itself had to make its initial migration idempotent by hand after that happened.
Statements written with `IF NOT EXISTS`, `IF EXISTS` or a `DO ... EXCEPTION WHEN duplicate_object`
block survive it. Only a database can tell, so the replay gate runs every migration twice on a
scratch database and reports here. A warning (the default) shows in the gate's output and passes;
`"rerun-failure" = "error"` in `[migrations.severity]` makes it block.
"""

from migrations_checks.lint.rules.rule import Rule

RULE = Rule(
    id="rerun-failure",
    severity="warning",
    category="journal",
    summary="a statement that fails when its migration is applied again over the migrated schema",
    hint="make the statement idempotent: IF NOT EXISTS / IF EXISTS, or a DO block catching duplicate_object",
    bad='CREATE TABLE "plans" ("id" uuid PRIMARY KEY);',
    good='CREATE TABLE IF NOT EXISTS "plans" ("id" uuid PRIMARY KEY);',
    needs_database=True,
)
