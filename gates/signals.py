"""Signals around work that must clean up after itself: stop like Ctrl-C, and hold them while cleaning.

CI runners cancel a job with SIGINT and then SIGTERM, and a closed terminal sends SIGHUP; Python
stops at once on either, skipping every `finally`. `terminating_like_ctrl_c` turns both into the
KeyboardInterrupt that Ctrl-C raises, so the same cleanup runs. `HeldSignals` defers SIGINT, SIGTERM,
SIGHUP and SIGALRM (pytest-timeout's signal method) while cleanup runs, so a burst of Ctrl-C or a
timeout cannot cut it short; cleanup bounds its own time instead. Signal handlers can only be set
in the main thread: elsewhere both do nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

STOPPING = (signal.SIGTERM, signal.SIGHUP)
HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM)

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: stop as Ctrl-C does, cleanup included."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"{signal.Signals(signum).name} received")


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


class _Handlers:
    """Sets handlers for some signals on enter and puts the previous ones back on exit."""

    def __init__(self, signums: tuple[signal.Signals, ...], handler: Callable[[int, FrameType | None], Any]) -> None:
        self._signums = signums
        self._handler = handler
        self.previous: dict[int, Handler] = {}

    def __enter__(self) -> _Handlers:
        if threading.current_thread() is threading.main_thread():
            self.previous = {signum: signal.signal(signum, self._handler) for signum in self._signums}
        return self

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def terminating_like_ctrl_c() -> _Handlers:
    """Within the block, SIGTERM and SIGHUP raise `Terminated` (a KeyboardInterrupt)."""
    return _Handlers(STOPPING, _raise_terminated)


class HeldSignals:
    """Within the block, SIGINT, SIGTERM, SIGHUP and SIGALRM wait. On leaving it normally, the
    first that arrived is delivered to the handler it would have met; when the block is left by an
    exception (already stopping), they are dropped, since the run stops anyway."""

    def __init__(self) -> None:
        self.arrived: list[int] = []
        self._handlers = _Handlers(HELD, lambda signum, _frame: self.arrived.append(signum))

    def __enter__(self) -> HeldSignals:
        self._handlers.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        previous = self._handlers.previous
        self._handlers.__exit__()
        if error is not None or not self.arrived:
            return
        handler = previous.get(self.arrived[0])
        if callable(handler):
            handler(self.arrived[0], None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(self.arrived[0])
