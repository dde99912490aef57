"""One-line, bounded excerpts of SQL or server answers, for failure messages and reports.

A failure message names what went wrong in one line a person can read in a CI log; a statement or
an HTTP body of any size and layout is flattened and cut to fit there.
"""

from __future__ import annotations

EXCERPT_CHARS = 240


def excerpt(text: str) -> str:
    """`text` on one line (whitespace runs folded to one space), shortened with `...`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 3] + "..."
