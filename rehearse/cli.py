"""`gates rehearse` / `python -m rehearse`: the deploy pipeline end to end on this machine.

Exit codes: 0 every stage passed, 1 a stage failed (or is not built yet), 2 a usage error,
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
    new = fault.apply(NEW) if fault else NEW
    began = time.monotonic()
    with sigterm_as_interrupt(), ConsoleProgress() as progress:
        rehearsal = Rehearsal(OLD, new, history)
        try:
            results = run_stages(TARGETS[args.target], rehearsal, progress)
            code = 0 if all(result.passed for result in results) else EXIT_FAILED
        except RehearsalInterrupted as interrupted:
            results, code = interrupted.results, EXIT_INTERRUPTED
        finally:
            torn = time.monotonic()
            progress.tearing_down()
            with shielded():
                rehearsal.close()
            teardown_s = time.monotonic() - torn
    progress.summary(results, teardown_s, rehearsal.teardown_problems)
    if args.report:
        write_report(
            args.report,
            target=args.target,
            fault=fault.name if fault else None,
            releases=(OLD.version, new.version),
            results=results,
            exit_code=code,
            duration_s=time.monotonic() - began,
            teardown_s=teardown_s,
            teardown_problems=rehearsal.teardown_problems,
        )
    return code


def _list_faults() -> None:
    width = max(len(fault.name) for fault in FAULTS)
    for fault in FAULTS:
        where = f"{fault.stage} ({fault.gate})"
        status = "" if fault.wired else f"  [{fault.note}]"
        print(f"{fault.name:<{width}}  caught at {where}: {fault.breaks}{status}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gates rehearse", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))
