"""Helpers shared by the suite's tests: SQL wrappers, a rule filter and a Drizzle folder writer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict, Unpack

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_text
from migrations_checks.lint.records.findings import Finding

FIRST_WHEN = 1_700_000_000_000


class RuleOptions(TypedDict, total=False):
    """The LintOptions a rule's tests vary."""

    transactional: bool
    postgres_version: int
    hot_tables: frozenset[str]


def fired(sql: str, rule_id: str, **options: Unpack[RuleOptions]) -> list[Finding]:
    """The findings of one rule on `sql`, linted with `LintOptions(**options)`."""
    return [f for f in lint_text(sql, LintOptions(**options)).findings if f.rule == rule_id]


def in_do_block(sql: str) -> str:
    """The way Drizzle wraps statements that may already have run."""
    return f"DO $$ BEGIN\n {sql}\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;"


def in_function(sql: str) -> str:
    """`sql` as the body of a function: stored, not run by the migration."""
    return f"CREATE OR REPLACE FUNCTION touch() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n {sql}\nEND;\n$$;"


def write_drizzle(
    folder: Path, files: dict[str, str], whens: Sequence[int] | None = None, downs: dict[str, str] | None = None
) -> Path:
    """A Drizzle folder as drizzle-kit lays it out: one journal entry per file, in order (`when` one
    minute apart unless given), the files' SQL, and rollback files for the tags in `downs`."""
    (folder / "meta").mkdir(parents=True, exist_ok=True)
    whens = whens or [FIRST_WHEN + 60_000 * index for index in range(len(files))]
    entries = [
        {"idx": i, "version": "7", "when": when, "tag": tag, "breakpoints": True}
        for i, (tag, when) in enumerate(zip(files, whens, strict=True))
    ]
    (folder / "meta" / "_journal.json").write_text(
        json.dumps({"version": "7", "dialect": "postgresql", "entries": entries}, indent=2), encoding="utf-8"
    )
    for tag, sql in files.items():
        (folder / f"{tag}.sql").write_text(sql, encoding="utf-8")
    for tag, sql in (downs or {}).items():
        (folder / f"{tag}.down.sql").write_text(sql, encoding="utf-8")
    return folder
