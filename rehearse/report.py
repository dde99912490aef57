"""`--report FILE.json`: the table's data for a machine."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rehearse.stages import StageResult

REPORT_VERSION = 1


def write_report(
    path: Path,
    *,
    target: str,
    fault: str | None,
    releases: tuple[str, str],
    results: Sequence[StageResult],
    exit_code: int,
    duration_s: float,
    teardown_s: float,
    teardown_problems: Sequence[str],
    drills: Sequence[Mapping[str, Any]] = (),
) -> None:
    data = {
        "version": REPORT_VERSION,
        "target": target,
        "fault": fault,
        "releases": {"from": releases[0], "to": releases[1]},
        "passed": exit_code == 0,
        "exit_code": exit_code,
        "duration_s": round(duration_s, 3),
        "teardown_s": round(teardown_s, 3),
        "teardown_problems": list(teardown_problems),
        "stages": [result.to_json(number) for number, result in enumerate(results)],
        "drills": list(drills),  # the rollback drill's reports: each drill's steps, timings (recovery times), outcome
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
