"""Faults the stand-in can be told to have, so tests and drills can break it on purpose.

`STANDIN_FAULTS` holds a comma-separated list of names. An unknown name stops the process at once:
a drill that silently runs without its fault would prove nothing.
"""

from __future__ import annotations

from enum import StrEnum

FAULTS_ENV = "STANDIN_FAULTS"


class Fault(StrEnum):
    API_ERROR = "api_error"  # every API route answers 500 INTERNAL_ERROR
    WORKER_JOB_ERROR = "worker_job_error"  # every job raises inside the worker (retried, then failed)
    WORKER_CRASH = "worker_crash"  # the worker process is killed (SIGKILL, as by OOM) on each job it claims
    WORKER_EMPTY = "worker_empty"  # jobs complete without writing modules or tasks
    WORKER_HANG = "worker_hang"  # the worker claims a job and never finishes it
    WORKER_EXIT = "worker_exit"  # the worker process exits as soon as it starts


class FaultError(ValueError):
    """`STANDIN_FAULTS` names something that is not a fault."""


def parse_faults(text: str | None) -> frozenset[Fault]:
    """The faults listed in `text` (comma-separated, blanks ignored)."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    try:
        return frozenset(Fault(name) for name in names)
    except ValueError:
        known = ", ".join(fault.value for fault in Fault)
        raise FaultError(f"{FAULTS_ENV}={text!r} names an unknown fault; known: {known}") from None
