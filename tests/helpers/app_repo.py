"""A minimal application repository: a gates.toml and a Drizzle migrations folder, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

# tag -> (migration, its rollback file): the replay gate rolls every migration down and up again.
CLEAN_HISTORY = {
    "0000_users": (
        'CREATE TABLE "users" ("id" serial PRIMARY KEY, "email" text NOT NULL, "bio" text);',
        'DROP TABLE "users";',
    ),
    "0001_plans": (
        'CREATE TABLE "plans" ("id" serial PRIMARY KEY, "user_id" integer NOT NULL);',
        'DROP TABLE "plans";',
    ),
}
DROP_COLUMN = {
    "0002_drop_bio": ('ALTER TABLE "users" DROP COLUMN "bio";', 'ALTER TABLE "users" ADD COLUMN "bio" text;')
}


def write_app_repo(root: Path, migrations: dict[str, tuple[str, str]] = CLEAN_HISTORY) -> Path:
    """`root` holding gates.toml and `drizzle/` with the given migrations, their rollbacks and journal."""
    folder = root / "drizzle"
    (folder / "meta").mkdir(parents=True, exist_ok=True)
    entries = []
    for index, (tag, (up, down)) in enumerate(migrations.items()):
        (folder / f"{tag}.sql").write_text(up + "\n", encoding="utf-8")
        (folder / f"{tag}.down.sql").write_text(down + "\n", encoding="utf-8")
        entries.append(
            {"idx": index, "version": "7", "when": 1_700_000_000_000 + index, "tag": tag, "breakpoints": True}
        )
    journal = {"version": "7", "dialect": "postgresql", "entries": entries}
    (folder / "meta" / "_journal.json").write_text(json.dumps(journal), encoding="utf-8")
    (root / "gates.toml").write_text('[migrations]\npath = "drizzle"\n', encoding="utf-8")
    return root
