"""What a person sees: live progress on a terminal, plain lines in CI or a pipe, and the final table.

Live progress (rich) shows the current stage with a spinner and its elapsed time. It is used only
when stdout is a terminal and `CI` is not set; otherwise each stage prints one line when it starts
and one when it ends, with no terminal codes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from rehearse.stages import Outcome, Stage, StageResult

_STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.INTERRUPTED: "bold red",
    Outcome.NOT_RUN: "dim",
}
PLAIN_WIDTH = 200  # CI logs do not wrap; a failing sentence stays on one line


def interactive() -> bool:
    return sys.stdout.isatty() and os.environ.get("CI", "").strip().lower() in ("", "0", "false", "no")


class ConsoleProgress:
    """Implements the runner's `Progress`; use as a context manager around the run."""

    def __init__(self, live: bool | None = None) -> None:
        self.live = interactive() if live is None else live
        self.console = Console() if self.live else Console(width=PLAIN_WIDTH, no_color=True, highlight=False)
        self._spinner = Spinner("dots")
        self._display: Live | None = None

    def __enter__(self) -> ConsoleProgress:
        if self.live:
            self._display = Live(self._spinner, console=self.console, refresh_per_second=8, transient=True)
            self._display.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._display is not None:
            self._display.stop()
            self._display = None

    def started(self, number: int, total: int, stage: Stage) -> None:
        title = f"[{number}/{total - 1}] {stage.name}: {stage.mirrors}"
        if self._display is None:
            self.console.print(title, markup=False)
            return
        began = time.monotonic()

        class Elapsed:  # re-rendered by Live on every refresh, so the seconds keep counting
            def __rich__(self) -> Text:
                return Text(f"{title}  {time.monotonic() - began:5.1f} s")

        self._spinner = Spinner("dots", text=Elapsed())
        self._display.update(self._spinner)

    def finished(self, number: int, total: int, result: StageResult) -> None:
        line = Text(f"[{number}/{total - 1}] {result.stage.name}: ")
        line.append(result.outcome.value, style=_STYLE[result.outcome] if self.live else None)
        line.append(f" in {result.duration_s:.1f} s" + (f": {result.sentence}" if result.sentence else ""))
        self.console.print(line)

    def tearing_down(self) -> None:
        if self._display is not None:
            self._display.update(Spinner("dots", text="tearing down: processes, databases, workspace"))
        else:
            self.console.print("tearing down: processes, databases, workspace")

    def summary(self, results: Sequence[StageResult], teardown_s: float, problems: Sequence[str]) -> None:
        table = Table(title="gates rehearse", title_justify="left")
        for column in ("#", "stage", "outcome", "time", "sentence"):
            table.add_column(column, overflow="fold")
        for number, result in enumerate(results):
            table.add_row(
                str(number),
                result.stage.name,
                Text(result.outcome.value, style=_STYLE[result.outcome] if self.live else ""),
                f"{result.duration_s:.1f} s" if result.outcome is not Outcome.NOT_RUN else "",
                result.sentence,
            )
        self.console.print(table)
        self.console.print(f"teardown {teardown_s:.1f} s" + "".join(f"; {problem}" for problem in problems))
