"""Drill reports as Markdown (for `GITHUB_STEP_SUMMARY`) and as JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from drills.framework import DrillReport

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
_ICON = {"passed": "✅", "failed": "❌", "interrupted": "⚠️"}


def to_json(reports: Sequence[DrillReport]) -> str:
    return json.dumps({"drills": [report.as_dict() for report in reports]}, indent=2)


def to_markdown(reports: Sequence[DrillReport]) -> str:
    lines = ["## Rollback drills", ""]
    for report in reports:
        lines += [f"### {_ICON[report.outcome]} {report.drill} on {report.target}: {report.outcome}", ""]
        lines += [_cell(report.message), ""]
        if report.timings:
            lines += ["| timing | seconds |", "|---|---:|"]
            lines += [f"| {name} | {seconds:.1f} |" for name, seconds in report.timings.items()]
            lines.append("")
        lines += ["| step | phase | outcome | seconds | detail |", "|---|---|---|---:|---|"]
        for step in report.steps:
            lines.append(
                f"| {_cell(step.name)} | {step.phase} | {step.outcome} | {step.duration_s:.1f} | {_cell(step.detail)} |"
            )
        lines.append("")
    return "\n".join(lines)


def publish(reports: Sequence[DrillReport], json_path: Path | None, environ: Mapping[str, str] = os.environ) -> None:
    """Append the Markdown to the step summary when there is one; write the JSON when asked."""
    if not reports:
        return
    summary = environ.get(SUMMARY_ENV)
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(to_markdown(reports) + "\n")
    if json_path is not None:
        json_path.write_text(to_json(reports) + "\n", encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
