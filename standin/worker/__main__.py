"""`python -m standin.worker generator|regenerator`: one queue worker, configured by environment."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from standin.faults import Fault
from standin.settings import SettingsError, StandinSettings
from standin.worker.loop import JOB_TYPES, Worker


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m standin.worker", description=__doc__)
    parser.add_argument("kind", choices=sorted(JOB_TYPES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = StandinSettings.from_env(process=args.kind)
    except SettingsError as error:
        print(f"standin worker: {error}", file=sys.stderr)
        return 2
    if Fault.WORKER_NO_START in settings.faults:
        # The real regenerator's entry point imported `donv/config`: the process dies on the import,
        # before it polls or serves anything, with Python's own traceback and exit code 1.
        importlib.import_module("donv.config")
    return Worker(args.kind, settings).run()


sys.exit(main())
