"""Durations in fly.toml as flyctl reads them (platforms.md 2): the unit of a bare integer depends on the key.

`kill_timeout` bare integers are seconds; `[checks.*]` and `[[services.*_checks]]` bare integers are
milliseconds (flyctl patches them); `[deploy] wait_timeout`, `[[http_service.checks]]` and other
unpatched durations read a bare integer as nanoseconds. Strings are Go durations (`"30s"`, `"1m30s"`).
"""

from __future__ import annotations

import re
from typing import Literal

BareUnit = Literal["s", "ms", "ns"]
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class DurationError(ValueError):
    """Not a duration flyctl accepts."""


def seconds(value: object, *, bare: BareUnit) -> float:
    """`value` (a bare number read in `bare` units, or a Go duration string) in seconds."""
    if isinstance(value, bool):
        raise DurationError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        return float(value) * _SECONDS[bare]
    if not isinstance(value, str):
        raise DurationError(f"{value!r} is not a duration")
    text = value.strip()
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise DurationError(f'{value!r} is not a duration such as "30s" or "1m30s"')
    return sum(float(number) * _SECONDS[unit] for number, unit in parts)
