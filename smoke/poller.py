"""Poll until done or out of time: exponential backoff with jitter, first poll fast, interval capped.

The first look comes quickly (a healthy stand-in can finish in well under a second), later looks
spread out so a slow real generation (6 to 13 s) is not hammered, and jitter keeps concurrent runs
from polling in lockstep. The budget is a hard limit: the last sleep is cut short to end on it,
and each observation is told how much is left so it can bound its own wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    first_s: float = 0.1
    factor: float = 1.6
    cap_s: float = 1.0
    jitter: float = 0.2  # each delay is scaled by a random factor in [1 - jitter, 1 + jitter]

    def delays(self, rng: random.Random) -> Iterator[float]:
        delay = self.first_s
        while True:
            yield min(self.cap_s, delay * rng.uniform(1 - self.jitter, 1 + self.jitter))
            delay = min(self.cap_s, delay * self.factor)


@dataclass(frozen=True)
class PollOutcome(Generic[T]):
    last: T | None  # the last observation (None only when the budget allowed none)
    done: bool
    polls: int
    elapsed_s: float
    cpu_s: float  # process CPU time spent while polling (sleeps cost none)


def poll(
    observe: Callable[[float], T],
    finished: Callable[[T], bool],
    *,
    budget_s: float,
    backoff: Backoff,
    rng: random.Random,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PollOutcome[T]:
    """Call `observe` after each backoff delay until `finished` says so or `budget_s` is spent.

    `observe` gets the seconds left of the budget, to bound its own wait (an HTTP call) by them.
    """
    start = clock()
    cpu_start = time.process_time()
    last: T | None = None
    polls = 0
    for delay in backoff.delays(rng):
        remaining = budget_s - (clock() - start)
        if remaining <= 0:
            break
        sleep(min(delay, remaining))
        last = observe(budget_s - (clock() - start))
        polls += 1
        if finished(last):
            return PollOutcome(last, True, polls, clock() - start, time.process_time() - cpu_start)
    return PollOutcome(last, False, polls, clock() - start, time.process_time() - cpu_start)
