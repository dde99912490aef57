"""Profile a cold lint of a generated Drizzle history in one process, and print where the time goes:
each stage of reading a file (splitting, DO blocks, the lexer, the sqlglot parse, the extractors) and
of judging it (the rules), then the functions that take the most time of their own.

    python bench/lint_profile.py [--size 1000] [--top 25]

One process, so the profile sees every file (a lint of this size would share them with workers).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

from migrations_checks.lint import bulk_read
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths

# (label, file name ending, function name) of the stages worth telling apart.
STAGES = (
    ("read files into statements", "statements.py", "read_statements"),
    ("  split into statements", "splitter.py", "split_sql"),
    ("  unwrap DO blocks", "do_blocks.py", "unwrap_do_block"),
    ("  lexer (inside the two above)", "lexer.py", "tokenize"),
    ("  sqlglot parse", "statements.py", "_parse"),
    ("  extractors (actions)", "__init__.py", "describe"),
    ("the whole lint (reading included)", "engine.py", "_lint_files"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args()
    bulk_read.PARALLEL_THRESHOLD = arguments.size + 1
    with tempfile.TemporaryDirectory() as temp:
        folder = write_corpus(Path(temp) / "migrations", arguments.size)
        profile = cProfile.Profile()
        start = time.process_time()
        profile.enable()
        result = lint_paths([folder], LintOptions())
        profile.disable()
        cpu = time.process_time() - start
    stats = pstats.Stats(profile)
    print(f"{arguments.size} migrations, {result.statements} statements, {len(result.findings)} findings")
    # Shares of the profiler's own clock: a shared machine stretches wall time, not the proportions.
    profiled = stats.total_tt  # type: ignore[attr-defined]
    print(f"CPU under the profiler: {cpu:.2f} s, profiled {profiled:.2f} s")
    cumulative = {
        (Path(file).name, name): (calls, total)
        for (file, _, name), (_, calls, _, total, _) in stats.stats.items()  # type: ignore[attr-defined]
    }
    for label, file, name in STAGES:
        calls, total = cumulative.get((file, name), (0, 0.0))
        print(f"{label:<34} {total:>7.2f} s {100 * total / profiled:>5.1f} %  ({calls} calls)")
    judging = cumulative.get(("engine.py", "_lint_files"), (0, 0.0))[1] - cumulative.get(STAGES[0][1:], (0, 0.0))[1]
    print(f"{'  judge files (rules, history)':<34} {judging:>7.2f} s {100 * judging / profiled:>5.1f} %")
    print()
    stats.sort_stats("tottime").print_stats(arguments.top)


if __name__ == "__main__":
    main()
