"""gates.toml files the suite's own tests write for themselves (never this repository's own)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).parents[2]
EXAMPLE_MIGRATIONS = REPO / "examples" / "atlaris" / "migrations"
NEON_PRELUDE = REPO / "migrations_checks" / "db" / "preludes" / "neon_rls.sql"


def write_example_config(folder: Path, extra: str = "") -> Path:
    """A gates.toml in `folder` for the example Atlaris history, as a team on Neon would write it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gates.toml"
    path.write_text(
        "[migrations]\n"
        f'path = "{EXAMPLE_MIGRATIONS.as_posix()}"\n'
        f'prelude = "{NEON_PRELUDE.as_posix()}"\n'
        'hot_tables = ["users", "learning_plans", "job_queue"]\n'
        '\n[environments.local]\napi_url = "http://127.0.0.1:8787"\n' + extra,
        encoding="utf-8",
    )
    return path
