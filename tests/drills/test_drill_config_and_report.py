"""`[drills]` settings are parsed strictly; drill reports render as Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drills.framework import Drill, DrillFailure
from drills.report import publish, to_markdown
from gates.config import ConfigError, load_config


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_drill_settings_are_read(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, '[drills]\ntables_with_rows = ["users", "learning_plans"]\n'))
    assert config.drills.tables_with_rows == ("users", "learning_plans")
    assert config.drills.allow_production_drill is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[drills]\nallow_production = true\n", "drills.allow_production in .* is not a known setting"),
        ("[drills]\npoint_age_minutes = 600\n", "drills.point_age_minutes .* must lie inside history_window_hours"),
        ("[drills]\nallow_production_drill = 1\n", "must be true or false"),
    ],
)
def test_bad_drill_settings_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_config(tmp_path, text))


def test_report_has_steps_restores_and_timings(tmp_path: Path) -> None:
    def body(drill: Drill) -> None:
        drill.always("undo", lambda: "undone")
        with drill.step("check"):
            drill.milestone("time_to_x_s")
            raise DrillFailure("the check failed")

    report = Drill("drill_test", "target").run(body)
    assert report.outcome == "failed"
    assert report.message == "drill_test drill on target failed: the check failed; then undo ran and succeeded"
    summary = tmp_path / "summary.md"
    publish([report], tmp_path / "report.json", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert "| undo | restore | passed |" in summary.read_text() and "| time_to_x_s |" in to_markdown([report])
    data = json.loads((tmp_path / "report.json").read_text())
    assert [step["name"] for step in data["drills"][0]["steps"]] == ["check", "undo"]


def test_a_failing_restore_fails_the_drill() -> None:
    def broken() -> str:
        raise RuntimeError("promote refused")

    report = Drill("drill_test", "target").run(lambda drill: drill.always("undo", broken))
    assert report.outcome == "failed" and "restoring failed: undo: promote refused" in report.message
