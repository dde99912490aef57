"""`gates rehearse` / `python -m rehearse`: the deploy pipeline end to end on this machine.

Exit codes: 0 every stage passed, 1 a stage failed, 2 a usage error,
130 interrupted (Ctrl-C or SIGTERM). Whatever the outcome, nothing it started is left behind.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rehearse.context import Rehearsal
from rehearse.faults import FAULTS, UnknownFault, find_fault
from rehearse.history import example_history
from rehearse.pipeline import TARGETS
from rehearse.progress import ConsoleProgress
from rehearse.releases import Release
from rehearse.report import write_report
from rehearse.runner import RehearsalInterrupted, run_stages
from rehearse.signals import shielded, sigterm_as_interrupt
from rehearse.stages import Outcome, StageResult
from rehearse.status_store import status_store

OLD = Release("v1")
NEW = Release("v2", migrations=("release_v2",))
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=sorted(TARGETS), default="staging", help="the pipeline (default: staging)")
    parser.add_argument("--break", dest="fault", metavar="FAULT", help="inject FAULT into release v2 (--list-faults)")
    parser.add_argument("--list-faults", action="store_true", help="list the faults and the stage that catches each")
    parser.add_argument("--report", type=Path, metavar="FILE.json", help="also write the results as JSON")
    parser.add_argument(
        "--migrations",
        type=Path,
        default=None,
        help="the Drizzle history release v1 runs (default: the example history, examples/atlaris/migrations)",
    )


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        _list_faults()
        return 0
    try:
        fault = find_fault(args.fault) if args.fault else None
    except UnknownFault as error:
        print(f"gates rehearse: {error}", file=sys.stderr)
        return EXIT_USAGE
    history = args.migrations or example_history()
    if not (history / "meta" / "_journal.json").is_file():
        print(f"gates rehearse: {history} is not a Drizzle folder (no meta/_journal.json)", file=sys.stderr)
        return EXIT_USAGE
    old, new = (fault.apply_old(OLD), fault.apply(NEW)) if fault else (OLD, NEW)
    began = time.monotonic()
    results: list[StageResult] = []
    teardown_s, problems, drills = 0.0, [], []
    code = 0
    with sigterm_as_interrupt(), ConsoleProgress() as progress, status_store() as store:
        for environment, stages in TARGETS[args.target]:
            if code != 0:  # an earlier leg stopped the run
                results += [StageResult(stage, Outcome.NOT_RUN) for stage in stages]
                continue
            rehearsal = Rehearsal(old, new, history, environment=environment, store=store)
            try:
                leg = run_stages(stages, rehearsal, progress)
                code = 0 if all(result.passed for result in leg) else EXIT_FAILED
            except RehearsalInterrupted as interrupted:
                leg, code = interrupted.results, EXIT_INTERRUPTED
            finally:
                torn = time.monotonic()
                progress.tearing_down()
                with shielded():
                    rehearsal.close()
                teardown_s += time.monotonic() - torn
            results += leg
            problems += rehearsal.teardown_problems
            drills += rehearsal.drills
    progress.summary(results, teardown_s, problems)
    if args.report:
        write_report(
            args.report,
            target=args.target,
            fault=fault.name if fault else None,
            releases=(old.version, new.version),
            results=results,
            exit_code=code,
            duration_s=time.monotonic() - began,
            teardown_s=teardown_s,
            teardown_problems=problems,
            drills=drills,
        )
    return code


def _list_faults() -> None:
    width = max(len(fault.name) for fault in FAULTS)
    for fault in FAULTS:
        print(f"{fault.name:<{width}}  caught at {fault.stage} ({fault.gate}): {fault.breaks}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gates rehearse", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))
