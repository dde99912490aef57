"""Lint generated Drizzle histories of 100, 1,000 and 10,000 migrations with this linter and with
squawk (PyPI `squawk-cli`), in the same run, and print wall time, ratio and findings per tool.

    pip install -e '.[bench]' && python bench/lint_bench.py [--sizes 100,1000,10000]

Both tools run as a user runs them: a fresh process over the folder, with Python's bytecode
cache on as in any installed tool (an untimed first run writes it). squawk gets the same files
and `--assume-in-transaction`, since Drizzle wraps every migration in a transaction.

Ours runs cold (`--no-cache`), then with an empty result cache (the first run, writing it), then
warm: the newest migration edited (the usual case while writing one), a middle one edited in a way
that keeps the schema (a comment), both, and none, each beside squawk's cold run on the same files.
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
from dataclasses import dataclass
from pathlib import Path

from corpus import write_corpus
from sqlglot.dialects.postgres import Postgres

from migrations_checks.lint.sql.lexer import tokenize


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


# Children write and reuse bytecode as an installed tool does, whatever this shell says.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> Run:
    # wait4 gives this child's CPU time (its reaped workers included) and the peak RSS of its largest process;
    # subprocess.run would reap it without them.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True, env=CHILD_ENV)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read())


def tokenizer_floor(folder: Path) -> tuple[float, float]:
    """CPU seconds sqlglot's Postgres tokenizer alone takes over the folder (the issue's floor), and
    this linter's own lexer alone."""
    tokenizer = Postgres.Tokenizer()
    texts = [path.read_text() for path in sorted(folder.glob("*.sql"))]
    start = time.process_time()
    for text in texts:
        tokenizer.tokenize(text)
    middle = time.process_time()
    for text in texts:
        tokenize(text)
    return middle - start, time.process_time() - middle


def top(counts: Counter[str]) -> str:
    return ", ".join(f"{rule} {count}" for rule, count in counts.most_common(4))


def ours(folder: Path, *options: str) -> tuple[Run, Counter[str], str]:
    completed = timed(
        [
            sys.executable,
            "-m",
            "migrations_checks",
            "lint",
            "--format",
            "json",
            "--config",
            str(folder / "none.toml"),
            *options,
            str(folder),
        ],
        folder,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(f"migrations-checks failed: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    coverage = report["coverage"]
    detail = f"parsed {coverage['parsed']} / classified {coverage['classified']} / opaque {coverage['opaque']}"
    return completed, Counter(finding["rule"] for finding in report["findings"]), detail


def squawk(folder: Path) -> tuple[Run, Counter[str]]:
    # pip puts squawk's binary beside this interpreter, which need not be on PATH (an unactivated venv).
    search_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which("squawk", path=search_path)
    if executable is None:
        raise SystemExit("squawk is not installed: pip install -e '.[bench]'")
    completed = timed([executable, "--reporter", "json", "--assume-in-transaction", "*.sql"], folder)
    findings = json.loads(completed.stdout or "[]")
    return completed, Counter(finding["rule_name"] for finding in findings)


def lint_both(size: int) -> tuple[Run, Counter[str], str, Run, Counter[str], tuple[float, float]]:
    with tempfile.TemporaryDirectory() as temp:
        folder = write_corpus(Path(temp) / "migrations", size)
        (folder / "none.toml").write_text("")  # built-in defaults, whatever the current folder holds
        return *ours(folder, "--no-cache"), *squawk(folder), tokenizer_floor(folder)


def edit(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def warm_runs(size: int, repeats: int) -> list[tuple[str, Run, Run, bool]]:
    """(what, ours, squawk's cold run, same findings as the first run) for the cached runs of a
    history, each after the edits it names: the median of `repeats` runs, each after edits of its
    own (the first as named, the others a comment on the same files); the first run, which fills
    the cache, runs once. No edit adds a finding, so every run must report what the first did."""
    with tempfile.TemporaryDirectory() as temp:
        folder = write_corpus(Path(temp) / "migrations", size)
        (folder / "none.toml").write_text("")
        files = sorted(folder.glob("*.sql"))
        first, first_findings, _ = ours(folder)
        runs = [("first run, empty cache", first, squawk(folder)[0], True)]
        newest, middle = files[-1], files[len(files) // 2]
        table = newest.stem.split("_", 1)[1]
        steps: tuple[tuple[str, list[tuple[Path, str]]], ...] = (
            (
                "warm, the newest file edited",
                [(newest, f'--> statement-breakpoint\nALTER TABLE "{table}" ADD COLUMN "late" text;\n')],
            ),
            ("warm, a middle file edited", [(middle, "-- reviewed\n")]),
            ("warm, newest and a middle file edited", [(newest, "-- reviewed\n"), (middle, "-- again\n")]),
            ("warm, nothing edited", []),
        )
        for what, edits in steps:
            ours_runs, squawk_runs, same = [], [], True
            for repeat in range(repeats):
                for path, text in edits:
                    edit(path, text if repeat == 0 else f"-- edit {repeat}\n")
                run, findings, _ = ours(folder)
                ours_runs.append(run)
                squawk_runs.append(squawk(folder)[0])
                same = same and findings == first_findings
            runs.append((what, median(ours_runs), median(squawk_runs), same))
        return runs


def median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--warm-sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each cached case (their median is shown)")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    lint_both(1)  # untimed: writes the bytecode caches, as a first use after installing does
    # What a run costs before any real work (starting the process, importing the parser): it
    # dominates small histories, and it is why the ratio shrinks as they grow.
    our_fixed, _, _, squawk_fixed, _, _ = lint_both(1)
    # The least any linter in Python pays: starting the interpreter (a lint that reads no statement
    # sqlglot must parse does not import sqlglot).
    start_floor = timed([sys.executable, "-c", "pass"], Path.cwd())
    print(
        f"fixed cost (1 migration): ours {our_fixed.seconds:.2f} s (target <= 0.15), "
        f"squawk {squawk_fixed.seconds:.2f} s; Python starting alone {start_floor.seconds:.2f} s"
    )
    print(
        f"{'migrations':>10} {'ours s':>8} {'squawk s':>9} {'ratio':>6} {'ours cpu':>9} {'tokenizer':>10} "
        f"{'cpu/tok':>8} {'our lexer':>10} {'ours MB':>8} {'findings ours':>14} {'findings squawk':>16}  coverage"
    )
    for size in sizes:
        run, our_findings, coverage, squawk_run, squawk_findings, (floor, lexer) = lint_both(size)
        print(
            f"{size:>10} {run.seconds:>8.2f} {squawk_run.seconds:>9.2f} {run.seconds / squawk_run.seconds:>6.2f} "
            f"{run.cpu_seconds:>9.2f} {floor:>10.2f} {run.cpu_seconds / floor:>8.2f} {lexer:>10.2f} "
            f"{run.peak_rss_mb:>8.0f} {our_findings.total():>14} {squawk_findings.total():>16}  {coverage}"
        )
        print(f"{'':>10} ours: {top(our_findings)}\n{'':>10} squawk: {top(squawk_findings)}")
    print("targets: cold ratio <= 3 at 10,000; cpu/tok <= 3 at 10,000; peak RSS < 400 MB")
    cached_run = f"cached run (median of {arguments.repeats})"
    print(f"\n{'migrations':>10} {cached_run:<40} {'ours s':>8} {'squawk cold s':>14} {'ratio':>6}  same findings")
    for size in [int(size) for size in arguments.warm_sizes.split(",") if size]:
        for what, run, squawk_run, same in warm_runs(size, arguments.repeats):
            ratio = run.seconds / squawk_run.seconds
            print(f"{size:>10} {what:<40} {run.seconds:>8.2f} {squawk_run.seconds:>14.2f} {ratio:>6.2f}  {same}")
    print("target: warm ratio <= 1.0 (one file changed)")


if __name__ == "__main__":
    main()
