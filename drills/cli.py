"""`gates drill`: run the rollback drills outside pytest, with the same report.

Exit 0 when every chosen drill passed, 1 when one failed, 2 when one cannot run (what is
missing is named), 130 when interrupted (after its restore and cleanup ran).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from drills.fly_drill import run_fly_drill
from drills.framework import DrillReport
from drills.neon_drill import run_neon_drill
from drills.report import publish, to_markdown
from drills.targets import fly_targets, neon_target, vercel_target
from drills.vercel_drill import run_vercel_drill
from gates.config import Environment, GatesConfig, find_config, load_config
from gates.connect import ConnectBudget
from gates.inputs import InputError

DRILLS = ("neon", "vercel", "fly")
EXIT_FAILED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 1, 2, 130


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("drills", nargs="*", choices=DRILLS, default=["neon"], help="drills to run (default: neon)")
    parser.add_argument("--gates-env", default=os.environ.get("GATES_ENV") or "local", help="environment")
    parser.add_argument("--config", type=Path, default=None, help="gates.toml (default: the nearest)")
    parser.add_argument("--allow-production-drill", action="store_true", help="let drill_vercel move production")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the report as JSON")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config or find_config(Path.cwd()))
    environment = config.environment(args.gates_env)
    reports: list[DrillReport] = []
    status = 0
    try:
        for name in args.drills:
            try:
                reports += _run_one(name, config, environment, args.allow_production_drill)
            except InputError as error:
                print(f"gates drill: {error}", file=sys.stderr)
                status = max(status, EXIT_CANNOT_RUN)
                continue
            if reports[-1].outcome == "interrupted":
                return EXIT_INTERRUPTED
            if not reports[-1].passed:
                status = max(status, EXIT_FAILED)
    finally:
        publish(reports, args.json, os.environ)
        if reports:
            print(to_markdown(reports))
    return status


def _run_one(name: str, config: GatesConfig, environment: Environment, allowed: bool) -> list[DrillReport]:
    if name == "neon":
        with neon_target(config, environment, os.environ, _budget(config)) as target:
            return [run_neon_drill(target, _progress)]
    if name == "fly":
        return _run_fly(config, environment)
    return [run_vercel_drill(vercel_target(config, environment, os.environ, allowed), _progress)]


def _run_fly(config: GatesConfig, environment: Environment) -> list[DrillReport]:
    """Each app in turn; a failed or interrupted app ends the run, its restore done."""
    reports: list[DrillReport] = []
    for target in fly_targets(config, environment, os.environ, _progress, _budget(config)).values():
        reports.append(run_fly_drill(target, _progress))
        if not reports[-1].passed:
            break
    return reports


def _budget(config: GatesConfig) -> ConnectBudget:
    """The command's own connect budget: one drill run."""
    return ConnectBudget(config.migrations.connect_budget_s)


def _progress(line: str) -> None:
    print(line, file=sys.stderr)
