"""Generate Drizzle-like migration histories for benchmarks.

Each migration looks like drizzle-kit output for a growing app: new tables with enums and foreign
keys in DO blocks, indexes, RLS policies and grants, column additions to earlier tables, and every
tenth migration a deprecation followed later by a drop. Deterministic for a given size.
"""

from __future__ import annotations

import json
from pathlib import Path

BREAK = "--> statement-breakpoint\n"


def migration(index: int) -> str:
    table = f"entity_{index}"
    parent = f"entity_{index - 1}" if index else None
    parts = [
        f"DO $$ BEGIN\n CREATE TYPE \"public\".\"{table}_state\" AS ENUM('new', 'active', 'gone');\n"
        "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n",
        f'CREATE TABLE IF NOT EXISTS "{table}" (\n\t"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,\n'
        f'\t"parent_id" uuid,\n\t"name" varchar(120) NOT NULL,\n\t"state" "{table}_state" DEFAULT \'new\' NOT NULL,\n'
        '\t"note" text,\n\t"created_at" timestamp with time zone DEFAULT now() NOT NULL\n);\n',
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;\n',
        f'CREATE INDEX IF NOT EXISTS "{table}_name_idx" ON "{table}" USING btree ("name");\n',
        f'CREATE POLICY "{table}_select_own" ON "{table}" AS PERMISSIVE FOR SELECT TO public '
        "USING (current_setting('request.jwt.claims', true)::json->>'sub' = 'x; not a statement');\n",
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "{table}" TO authenticated;\n',
    ]
    if parent:
        parts.append(
            f'DO $$ BEGIN\n ALTER TABLE "{table}" ADD CONSTRAINT "{table}_parent_fk" FOREIGN KEY ("parent_id") '
            f'REFERENCES "public"."{parent}"("id") ON DELETE cascade ON UPDATE no action;\n'
            "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n"
        )
        parts.append(f'ALTER TABLE "{parent}" ADD COLUMN "extra_{index}" text;\n')
    if index % 10 == 5:
        parts.append(f"-- gates: deprecate column entity_{index - 5}.note\nSELECT 1;\n")
    if index % 10 == 9 and index >= 10:
        parts.append(f'ALTER TABLE "entity_{index - 9}" DROP COLUMN "note";\n')
    if index % 50 == 7 and parent:
        parts.append(f'CREATE INDEX "{parent}_state_idx" ON "{parent}" ("state");\n')
    return BREAK.join(parts)


def write_corpus(folder: Path, size: int) -> Path:
    """Write `size` migrations and their journal into `folder`; return the folder."""
    (folder / "meta").mkdir(parents=True, exist_ok=True)
    entries = []
    for index in range(size):
        tag = f"{index:04d}_entity_{index}"
        (folder / f"{tag}.sql").write_text(migration(index), encoding="utf-8")
        entries.append(
            {"idx": index, "version": "7", "when": 1_700_000_000_000 + index * 1000, "tag": tag, "breakpoints": True}
        )
    journal = {"version": "7", "dialect": "postgresql", "entries": entries}
    (folder / "meta" / "_journal.json").write_text(json.dumps(journal, indent=2), encoding="utf-8")
    return folder
