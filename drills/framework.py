"""Run a drill as timed steps, and always run its restore and cleanup actions.

A drill registers what must happen however it ends (`always`: delete the branch, promote the
original deployment) as soon as there is something to undo. `Drill.run` runs the body, then every
registered action, newest first, each as a `restore` step: after a failed check, an unexpected
error, Ctrl-C or SIGTERM alike. While they run, a further Ctrl-C or SIGTERM is noted and ignored,
so a restore is never cut in half. The outcome and one sentence saying what happened, restores
included, go into the `DrillReport`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from types import FrameType
from typing import Any, Literal

Outcome = Literal["passed", "failed", "interrupted"]
Phase = Literal["drill", "restore"]
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DrillFailure(Exception):
    """A drill step found the rollback or the restore not working; the message is one sentence."""


@dataclass
class StepRecord:
    name: str
    phase: Phase
    started_s: float  # since the drill started
    duration_s: float
    outcome: Outcome
    detail: str = ""


@dataclass
class DrillReport:
    drill: str
    target: str
    outcome: Outcome
    message: str
    total_s: float
    steps: list[StepRecord] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # named milestones, seconds since start

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Action:
    name: str
    run: Callable[[], str | None]


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


class Drill:
    """One drill run: `step` the work, `milestone` the times that matter, `always` what must be undone."""

    def __init__(
        self,
        name: str,
        target: str,
        *,
        progress: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.target = target
        self._progress = progress or (lambda _line: None)
        self._clock = clock
        self._started = clock()
        self._steps: list[StepRecord] = []
        self._timings: dict[str, float] = {}
        self._actions: list[_Action] = []
        self._ignored_signals: list[str] = []
        self._detail = ""

    def elapsed(self) -> float:
        return self._clock() - self._started

    @contextmanager
    def step(self, name: str, phase: Phase = "drill") -> Iterator[None]:
        """Time a step; it fails (and the error goes on) if its block raises."""
        started = self.elapsed()
        self._detail = ""
        outcome: Outcome = "failed"
        try:
            yield
            outcome = "passed"
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        except Exception as error:
            self._detail = self._detail or str(error)
            raise
        finally:
            record = StepRecord(
                name, phase, round(started, 3), round(self.elapsed() - started, 3), outcome, self._detail
            )
            self._steps.append(record)
            suffix = f": {record.detail}" if record.detail else ""
            self._progress(f"{self.name} {phase} step {name!r} {outcome} in {record.duration_s:.1f} s{suffix}")

    def note(self, detail: str) -> None:
        """What the current step found, shown next to it in the report."""
        self._detail = detail

    def milestone(self, name: str) -> float:
        """Record the time since the drill started under `name` (e.g. `time_to_restored_s`)."""
        self._timings[name] = round(self.elapsed(), 3)
        return self._timings[name]

    def always(self, name: str, action: Callable[[], str | None]) -> None:
        """Run `action` when the drill ends however it ends, unless `settle(name)` ran it before."""
        self._actions.append(_Action(name, action))

    def settle(self, name: str) -> None:
        """Run the registered action `name` now, as a drill step; it will not run again."""
        action = self._take(name)
        with self.step(name):
            self.note(action.run() or "")

    def _take(self, name: str) -> _Action:
        for index, action in enumerate(self._actions):
            if action.name == name:
                return self._actions.pop(index)
        raise KeyError(name)

    def run(self, body: Callable[[Drill], None]) -> DrillReport:
        """Run `body`, then every pending action; the report says how it went."""
        outcome: Outcome = "passed"
        message = f"{self.name} drill on {self.target} passed"
        escaping: BaseException | None = None
        with _signals_raise_interrupt():
            try:
                body(self)
            except KeyboardInterrupt as interrupt:
                outcome = "interrupted"
                message = f"{self.name} drill on {self.target} was interrupted ({interrupt or 'SIGINT'})"
            except Exception as error:
                outcome, message = "failed", f"{self.name} drill on {self.target} failed: {error}"
            except BaseException as error:  # a test timeout or exit: restore first, then let it go on
                outcome, message, escaping = "interrupted", f"{self.name} drill on {self.target} was stopped", error
        restore_problems, restored = self._run_actions()
        if restore_problems:
            outcome = "interrupted" if outcome == "interrupted" else "failed"
            message += "; and restoring failed: " + "; ".join(restore_problems)
        elif restored and outcome != "passed":
            message += "; then " + " and ".join(restored) + " ran and succeeded"
        if self._ignored_signals:
            message += f"; {', '.join(self._ignored_signals)} during the restore was ignored so it could finish"
        if escaping is not None:
            raise escaping
        return DrillReport(
            self.name, self.target, outcome, message, round(self.elapsed(), 3), self._steps, self._timings
        )

    def _run_actions(self) -> tuple[list[str], list[str]]:
        problems, done = [], []
        with self._signals_deferred():
            while self._actions:
                action = self._actions.pop()
                try:
                    with self.step(action.name, "restore"):
                        self.note(action.run() or "")
                    done.append(action.name)
                except Exception as error:
                    problems.append(f"{action.name}: {error}")
        return problems, done

    @contextmanager
    def _signals_deferred(self) -> Iterator[None]:
        def note(signum: int, _frame: FrameType | None) -> None:
            self._ignored_signals.append(signal.Signals(signum).name)

        with _handlers(note):
            yield


@contextmanager
def _signals_raise_interrupt() -> Iterator[None]:
    """SIGTERM (how a CI runner cancels a job) interrupts the body like Ctrl-C does."""
    with _handlers(_raise_interrupt):
        yield


@contextmanager
def _handlers(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; there is nothing to install
        return
    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
