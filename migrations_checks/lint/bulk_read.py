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
from contextlib import contextmanager

from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.statements import FileStatements, read_statements

# Below this many files, starting worker processes costs more than they save.
PARALLEL_THRESHOLD = 400
# Sending a worker's statements back and unpickling them here costs about a fifth of reading them
# (measured on bench/corpus.py histories), so this process, which sends nothing, takes more.
OWN_SHARE_WEIGHT = 1.2


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
    # One share per process, this one included, each sent and returned in one message: while this
    # process reads, the pool's helper threads barely get to run, so a worker waiting on them for
    # its next piece of work would sit idle.
    mine, *rest = shares(files, [OWN_SHARE_WEIGHT] + [1.0] * (processes - 1))
    # Imported only here: multiprocessing is a tenth of the start-up of a lint too small for workers.
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(len(rest)) as pool:
        theirs = pool.map(_read_in_order, rest)
        return _read_in_order(mine) + [statements for share in theirs for statements in share]


def shares(files: Sequence[MigrationFile], weights: Sequence[float]) -> list[Sequence[MigrationFile]]:
    """`files` cut into one run per weight, in order, each holding SQL in proportion to its weight."""
    total_sql = sum(len(file.text) for file in files)
    total_weight = sum(weights)
    runs: list[Sequence[MigrationFile]] = []
    start = 0
    seen = 0
    boundary = total_sql * weights[0] / total_weight
    for index, file in enumerate(files):
        seen += len(file.text)
        if len(runs) < len(weights) - 1 and seen >= boundary:
            runs.append(files[start : index + 1])
            start = index + 1
            boundary += total_sql * weights[len(runs)] / total_weight
    runs.append(files[start:])
    return runs + [files[len(files) :]] * (len(weights) - len(runs))  # more weights than files


def _read_in_order(files: Sequence[MigrationFile]) -> list[FileStatements]:
    return [read_statements(file) for file in files]
