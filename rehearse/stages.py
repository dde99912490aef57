"""The stage model: one step of the deploy pipeline, what it mirrors, and how it turned out.

A stage's action either returns (passed, with an optional note such as what was applied) or
raises `StageFailed` with one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehearse.context import Rehearsal


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM arrived while it ran
    NOT_RUN = "not run"  # an earlier stage stopped the pipeline


class StageFailed(Exception):
    """The stage failed; the message is the one sentence shown in the table and the report."""


StageAction = Callable[["Rehearsal"], "str | None"]


@dataclass(frozen=True)
class Stage:
    name: str
    mirrors: str  # the step of deploy-staging.yml (or deploy-production.yml) this stands for
    action: StageAction


@dataclass(frozen=True)
class StageResult:
    stage: Stage
    outcome: Outcome
    duration_s: float = 0.0
    sentence: str = ""  # why it failed, or a note on what a passed stage did

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    def to_json(self, number: int) -> dict[str, object]:
        return {
            "number": number,
            "name": self.stage.name,
            "mirrors": self.stage.mirrors,
            "outcome": self.outcome.value,
            "duration_s": round(self.duration_s, 3),
            "sentence": self.sentence,
        }
