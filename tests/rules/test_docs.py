from pathlib import Path

from migrations_checks.commands.rules import catalogue_markdown

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/rules.md is stale: run `gates rules > docs/rules.md`"
    )
