"""Faults the stand-in can be told to have, so tests and drills can break it on purpose.

`STANDIN_FAULTS` holds a comma-separated list of names. A name applies to every process; written
`name@process` (`worker_no_start@regenerator`) it applies to that process only, so one worker can be
broken while the other runs. An unknown name or process stops the process at once: a drill that
silently runs without its fault would prove nothing.
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
    WORKER_NO_START = "worker_no_start"  # the entry point fails at import (the real regenerator's `donv/config`)
    WORKER_STRICT_SCHEMA = "worker_strict_schema"  # at start, validates the column types it maps; exits on a mismatch


PROCESSES = ("api", "generator", "regenerator")
EXITS_AT_START = frozenset({Fault.WORKER_EXIT, Fault.WORKER_NO_START})  # a worker with one of these never comes up


class FaultError(ValueError):
    """`STANDIN_FAULTS` names something that is not a fault."""


def parse_faults(text: str | None, process: str | None = None) -> frozenset[Fault]:
    """The faults listed in `text` (comma-separated, blanks ignored) that apply to `process`."""
    faults = set()
    for entry in (entry.strip() for entry in (text or "").split(",")):
        if not entry:
            continue
        name, _, scope = entry.partition("@")
        if scope and scope not in PROCESSES:
            raise FaultError(f"{FAULTS_ENV}={text!r} scopes a fault to {scope!r}; known: {', '.join(PROCESSES)}")
        try:
            fault = Fault(name.strip())
        except ValueError:
            known = ", ".join(fault.value for fault in Fault)
            raise FaultError(f"{FAULTS_ENV}={text!r} names an unknown fault; known: {known}") from None
        if not scope or scope == process:
            faults.add(fault)
    return frozenset(faults)
