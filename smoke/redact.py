"""Short, single-line, secret-free excerpts of what a server answered, for failure messages."""

from __future__ import annotations

from collections.abc import Iterable

from gates.excerpt import excerpt as one_line
from gates.secret import Secret


def redacted_excerpt(text: str, secrets: Iterable[Secret] = ()) -> str:
    """`text` on one line and shortened, every secret replaced by `***` (before cutting, so no
    secret survives half-cut at the end)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret.reveal(), "***")
    return one_line(text)
