"""The shipped example history is what the README promises: clean under the deploy gate's bar."""

from __future__ import annotations

from pathlib import Path

from gates.config import load_config
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers.config import write_example_config


def test_example_history_passes_the_gate_bar(tmp_path: Path) -> None:
    config = load_config(write_example_config(tmp_path))
    result = lint_paths([config.migrations.path], LintOptions.from_config(config))
    assert result.blocking("warning") == []
    assert result.coverage.opaque == 0
    # The two-phase drop of 0005 is reported for review, naming the deprecating migration.
    assert {(f.rule, f.severity) for f in result.findings} == {("drop-column", "info")}
    assert all("0001_plan_archived_at" in f.message for f in result.findings)
