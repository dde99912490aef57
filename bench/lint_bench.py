"""Lint generated Drizzle histories of 100, 1,000 and 10,000 migrations with this linter and with
squawk (PyPI `squawk-cli`), in the same run, and print wall time, ratio and findings per tool.

    pip install -e '.[bench]' && python bench/lint_bench.py [--sizes 100,1000,10000]

Both tools run as a user runs them: a fresh process over the folder. squawk gets the same files
and `--assume-in-transaction`, since Drizzle wraps every migration in a transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from corpus import write_corpus


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, completed


def top(counts: Counter[str]) -> str:
    return ", ".join(f"{rule} {count}" for rule, count in counts.most_common(4))


def ours(folder: Path) -> tuple[float, Counter[str], str]:
    seconds, completed = timed(
        [
            sys.executable,
            "-m",
            "migrations_checks",
            "lint",
            "--format",
            "json",
            "--config",
            str(folder / "none.toml"),
            str(folder),
        ],
        folder,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(f"migrations-checks failed: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    coverage = report["coverage"]
    detail = f"parsed {coverage['parsed']} / classified {coverage['classified']} / opaque {coverage['opaque']}"
    return seconds, Counter(finding["rule"] for finding in report["findings"]), detail


def squawk(folder: Path) -> tuple[float, Counter[str]]:
    # pip puts squawk's binary beside this interpreter, which need not be on PATH (an unactivated venv).
    search_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which("squawk", path=search_path)
    if executable is None:
        raise SystemExit("squawk is not installed: pip install -e '.[bench]'")
    seconds, completed = timed([executable, "--reporter", "json", "--assume-in-transaction", "*.sql"], folder)
    findings = json.loads(completed.stdout or "[]")
    return seconds, Counter(finding["rule_name"] for finding in findings)


def lint_both(size: int) -> tuple[float, Counter[str], str, float, Counter[str]]:
    with tempfile.TemporaryDirectory() as temp:
        folder = write_corpus(Path(temp) / "migrations", size)
        (folder / "none.toml").write_text("")  # built-in defaults, whatever the current folder holds
        return *ours(folder), *squawk(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    # What a run costs before any real work (starting the process, importing the parser): it
    # dominates small histories, and it is why the ratio shrinks as they grow.
    our_fixed, _, _, squawk_fixed, _ = lint_both(1)
    print(f"fixed cost (1 migration): ours {our_fixed:.2f} s, squawk {squawk_fixed:.2f} s")
    print(
        f"{'migrations':>10} {'ours s':>8} {'squawk s':>9} {'ratio':>6} {'ours/1k':>8} "
        f"{'findings ours':>14} {'findings squawk':>16}  coverage"
    )
    for size in sizes:
        our_seconds, our_findings, coverage, squawk_seconds, squawk_findings = lint_both(size)
        print(
            f"{size:>10} {our_seconds:>8.2f} {squawk_seconds:>9.2f} {our_seconds / squawk_seconds:>6.2f} "
            f"{our_seconds / size * 1000:>8.2f} {our_findings.total():>14} {squawk_findings.total():>16}  {coverage}"
        )
        print(f"{'':>10} ours: {top(our_findings)}\n{'':>10} squawk: {top(squawk_findings)}")


if __name__ == "__main__":
    main()
