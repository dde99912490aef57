"""Run the stages in order, stop at the first failure, and report each one as it goes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from rehearse.context import Rehearsal
from rehearse.stages import Outcome, Stage, StageFailed, StageResult


class RehearsalInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a stage; carries the results recorded up to then."""

    def __init__(self, results: list[StageResult]) -> None:
        super().__init__("interrupted")
        self.results = results


class Progress(Protocol):
    def started(self, number: int, total: int, stage: Stage) -> None: ...

    def finished(self, number: int, total: int, result: StageResult) -> None: ...


def run_stages(stages: Sequence[Stage], rehearsal: Rehearsal, progress: Progress) -> list[StageResult]:
    """Each stage's result, in order; stages after a stop are `not run`.

    A KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one by the command) marks the stage in
    progress `interrupted` and leaves as `RehearsalInterrupted` with the results so far.
    """
    results = rehearsal.results  # the commit-status stage reports the stages before it
    stopped = False
    for number, stage in enumerate(stages):  # stage 0 prepares; 1 to 9 are the issue's
        if stopped:
            results.append(StageResult(stage, Outcome.NOT_RUN))
            continue
        progress.started(number, len(stages), stage)
        began = time.monotonic()
        try:
            note = stage.action(rehearsal)
            result = StageResult(stage, Outcome.PASSED, time.monotonic() - began, note or "")
        except StageFailed as failure:
            result = StageResult(stage, Outcome.FAILED, time.monotonic() - began, str(failure))
            stopped = True
        except Exception as error:  # a stage that crashed still gets its row, and the teardown still runs
            sentence = f"unexpected {type(error).__name__}: {error}"
            result = StageResult(stage, Outcome.FAILED, time.monotonic() - began, sentence)
            stopped = True
        except KeyboardInterrupt:
            results.append(StageResult(stage, Outcome.INTERRUPTED, time.monotonic() - began, "interrupted"))
            results.extend(StageResult(later, Outcome.NOT_RUN) for later in stages[number + 1 :])
            progress.finished(number, len(stages), results[number])
            raise RehearsalInterrupted(results) from None
        results.append(result)
        progress.finished(number, len(stages), result)
    return results
