"""Where text sits in a migration file: offsets and 1-based line and column positions.

Offsets are character offsets into the ``str`` the splitter was given. Lines are counted by
``\\n`` (a CRLF file counts as expected) and columns in characters from 1. (A file that starts
with a byte-order mark never gets here: the reader refuses it, as Postgres would.)
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

# Where the characters of a text sit in the file. An int is the file offset of the text's first
# character (the text is a slice of the file); a list gives, for each character and one past the
# end, the offset where the source text that produced it starts (the text was unescaped).
Offsets = int | list[int]


def offset_at(offsets: Offsets, index: int) -> int:
    """File offset of ``text[index]`` (``index == len(text)``: just past the text)."""
    return offsets + index if isinstance(offsets, int) else offsets[index]


def sub_offsets(offsets: Offsets, start: int, length: int) -> Offsets:
    """Offsets of ``text[start:start + length]``."""
    if isinstance(offsets, int):
        return offsets + start
    return offsets[start : start + length + 1]


def position(source: str, offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of ``offset`` in ``source``."""
    offset = min(max(offset, 0), len(source))
    starts = _line_starts(source)
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


@lru_cache(maxsize=16)
def _line_starts(source: str) -> list[int]:
    # Cached so that callers can ask for many positions in one file without rescanning it.
    starts = [0]
    index = source.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = source.find("\n", index + 1)
    return starts


def compose(outer: Offsets, shift: int, inner: Offsets, length: int) -> Offsets:
    """File offsets of a text of ``length`` whose characters sit at ``inner`` in the text that
    ``outer`` places, counting from ``shift`` in it."""
    if isinstance(inner, int):
        return sub_offsets(outer, shift + inner, length)
    return [offset_at(outer, shift + offset) for offset in inner]
