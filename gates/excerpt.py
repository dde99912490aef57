"""One-line, bounded excerpts of SQL or server answers, for failure messages and reports.

A failure message names what went wrong in one line a person can read in a CI log; a statement or
an HTTP body of any size and layout is flattened and cut to fit there. A server's answer can repeat
the request, credentials included, so what quotes one goes through `redacted_excerpt`.
"""

from __future__ import annotations

from collections.abc import Iterable

from gates.secret import MASK, Secret

EXCERPT_CHARS = 240


def excerpt(text: str) -> str:
    """`text` on one line (whitespace runs folded to one space), shortened with `...`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 3] + "..."


def redacted_excerpt(text: str, secrets: Iterable[Secret] = ()) -> str:
    """`excerpt(text)` with every secret replaced by `***` (before cutting, so no secret survives
    half-cut at the end)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret.reveal(), MASK)
    return excerpt(text)
