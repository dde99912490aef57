"""Numbers read from environment variables, with one rule and one wording for every part of the suite.

Budgets, delays and ports come from the environment of a workflow or a shell. A value that cannot
be used stops the run with a sentence naming the variable and what it holds, whichever tool read
it: a typo must never silently become a default or an endless wait.
"""

from __future__ import annotations

import math
from collections.abc import Mapping


class EnvError(ValueError):
    """An environment variable holds a value that cannot be used; the message names it."""


def env_number(
    environ: Mapping[str, str], name: str, default: float, *, minimum: float, exclusive: bool = False
) -> float:
    """`name` as a finite number, or `default` when unset or empty.

    It must be at least `minimum`, or above it when `exclusive` (a budget of 0 s is no budget).
    """
    raw = environ.get(name, "")
    if not raw.strip():
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise EnvError(f"{name}={raw!r} is not a finite number")
    if value < minimum or (exclusive and value == minimum):
        bound = "above" if exclusive else "at least"
        raise EnvError(f"{name}={raw!r} must be {bound} {minimum:g}")
    return value
