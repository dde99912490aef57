"""Which pull request a run reviews, and its base branch, from the command line or Actions' variables.

On a `pull_request` event Actions sets GITHUB_BASE_REF to the base branch's name and writes the
event, `pull_request.number` included, to the file GITHUB_EVENT_PATH names. Anything missing or
unreadable is an input error (`gates.inputs`) naming how to provide it: a review that guesses its
pull request could comment on the wrong one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from gates.inputs import InputError, MissingInput


def pull_request_number(explicit: int | None, environ: Mapping[str, str]) -> int:
    if explicit is not None:
        return explicit
    event_path = environ.get("GITHUB_EVENT_PATH", "").strip()
    if not event_path:
        raise MissingInput(
            "no pull request number: pass --pr N, or run on a pull_request event (Actions names its "
            "payload in GITHUB_EVENT_PATH)"
        )
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the event payload {event_path} (GITHUB_EVENT_PATH): {error}") from None
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise InputError(
            f"the event payload {event_path} has no pull_request.number: run on a pull_request event, or pass --pr N"
        )
    return number


def base_ref_candidates(explicit: str | None, environ: Mapping[str, str]) -> list[str]:
    """The refs that may name the base branch, best first: `--base` alone when given, else the
    remote-tracking branch of GITHUB_BASE_REF (what actions/checkout fetches), then the name itself."""
    if explicit:
        return [explicit]
    branch = environ.get("GITHUB_BASE_REF", "").strip()
    if not branch:
        raise MissingInput(
            "no base branch: pass --base REF (e.g. origin/main), or run on a pull_request event, "
            "where Actions sets GITHUB_BASE_REF"
        )
    return [f"origin/{branch}", branch]
