"""Short, single-line, secret-free excerpts of what a server answered, for failure messages."""

from __future__ import annotations

from collections.abc import Iterable

EXCERPT_CHARS = 200


def excerpt(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` on one line, cut to 200 characters, with every secret replaced by `***`."""
    flat = " ".join(text.split())
    for secret in secrets:
        if secret:
            flat = flat.replace(secret, "***")
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 3] + "..."
