"""Read many migration files into statements quickly: a long history has thousands of them.

Reading a file (tokenizing, parsing, classifying) is independent per file, so large histories are
split between this process and worker processes. Python's collector is the other cost: a lint
creates millions of small objects and keeps most of them to the end, and every full collection
walks all of them again, so full collections are held off while a lint runs. Young collections
still run, and they are what frees sqlglot's throw-away parse trees.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from migrations_checks.reader import MigrationFile
from migrations_checks.statements import FileStatements, read_statements

# Below this many files, starting worker processes costs more than they save.
PARALLEL_THRESHOLD = 400
# Files per message to a worker: large enough that messaging is cheap, small enough to balance.
CHUNK_FILES = 64


@contextmanager
def fewer_full_collections() -> Iterator[None]:
    """Hold off full garbage collections (not young ones) inside the block."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


def read_many(files: Sequence[MigrationFile], processes: int | None = None) -> list[FileStatements]:
    """`read_statements` of every file, in order; `processes` defaults to the CPU count."""
    processes = processes or os.cpu_count() or 1
    if len(files) < PARALLEL_THRESHOLD or processes < 2:
        return _read_in_order(files)
    # This process reads the first share itself rather than wait idle for the workers.
    own = len(files) // processes
    chunks = [files[start : start + CHUNK_FILES] for start in range(own, len(files), CHUNK_FILES)]
    with ProcessPoolExecutor(processes - 1) as pool:
        theirs = pool.map(_read_in_order, chunks)
        mine = _read_in_order(files[:own])
        return mine + [statements for chunk in theirs for statements in chunk]


def _read_in_order(files: Sequence[MigrationFile]) -> list[FileStatements]:
    return [read_statements(file) for file in files]
