"""Is the commit production is about to run green on staging? (issue: staging_green)

Green means, on the staging branch's head: the staging deploy context's status is `success`, and
every check run concluded `success`, `neutral` or `skipped` (the combined status ignores check
runs, so both are read). The deployed commit must be that head, an ancestor of it, or a commit with
the same tree (production is often a merge of `main` into `prod`). A pending or absent status is
waited for with backoff up to a budget; every other outcome is a verdict with one sentence.

When `prod` is fast-forwarded to `main`, the production run's own jobs are check runs on that very
commit, still in progress while this gate runs. They are left out, recognised by their page: an
Actions job's `details_url` is `<server>/<repo>/actions/runs/<run id>/job/<job id>`. Should GitHub
ever shape it otherwise, they are waited for and the gate fails: never a wrong pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gates.github.client import GitHubClient

GOOD_CONCLUSIONS = frozenset({"success", "neutral", "skipped"})
BAD_STATES = frozenset({"failure", "error"})
FIRST_WAIT_S = 2.0
MAX_WAIT_S = 30.0


@dataclass(frozen=True)
class Verdict:
    """The answer: green or not, and the sentence that says why."""

    green: bool
    sentence: str


@dataclass(frozen=True)
class _Reading:
    """One look at the staging head: settled (a verdict) or still waiting (why)."""

    verdict: Verdict | None
    waiting_for: str


def staging_green(
    client: GitHubClient,
    deployed_sha: str,
    *,
    branch: str,
    context: str,
    pending_budget_s: float,
    own_run_id: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Verdict:
    """The verdict for `deployed_sha`; waits while the staging head is pending, up to `pending_budget_s`.
    Check runs of the Actions run `own_run_id` (GITHUB_RUN_ID: this deploy's jobs) are not read."""
    head = client.branch_head(branch)
    placement = _placement(client, deployed_sha, head, branch)
    if placement is not None:
        return placement
    started = time.monotonic()
    wait = FIRST_WAIT_S
    while True:
        reading = _read(client, head, branch, context, own_run_id)
        if reading.verdict is not None:
            return reading.verdict
        waited = time.monotonic() - started
        if waited + wait > pending_budget_s:
            return Verdict(
                False,
                f"{reading.waiting_for} on {branch} head {head[:12]} after {waited:.0f} s "
                f"(the pending budget is {pending_budget_s:g} s, github.pending_budget_s in gates.toml)",
            )
        sleep(wait)
        wait = min(wait * 2, MAX_WAIT_S)


def _placement(client: GitHubClient, deployed: str, head: str, branch: str) -> Verdict | None:
    """None when `deployed` is what staging ran (the head, an ancestor, or the same tree); else the refusal."""
    if deployed == head or client.is_ancestor(deployed, head):
        return None
    if client.tree_of(deployed) == client.tree_of(head):
        return None
    return Verdict(
        False,
        f"the deployed commit {deployed[:12]} is not on {branch} (head {head[:12]}) and its tree differs from "
        f"that head's: production would run code staging never deployed",
    )


def _read(client: GitHubClient, head: str, branch: str, context: str, own_run_id: str | None) -> _Reading:
    status = _context_status(client.statuses(head), context)
    runs = [run for run in client.check_runs(head) if not _of_run(run, own_run_id)]
    where = f"{branch} head {head[:12]}"
    if status is not None and status["state"] in BAD_STATES:
        described = f": {status['description']}" if status.get("description") else ""
        return _Reading(Verdict(False, f"staging status {context} is {status['state']} on {where}{described}"), "")
    failed = [run for run in runs if run["status"] == "completed" and run["conclusion"] not in GOOD_CONCLUSIONS]
    if failed:
        names = ", ".join(f"{run['name']} ({run['conclusion']})" for run in failed)
        return _Reading(Verdict(False, f"check run(s) on {where} did not succeed: {names}"), "")
    unfinished = [run["name"] for run in runs if run["status"] != "completed"]
    if status is None:
        return _Reading(None, f"no {context} status was reported (the staging deploy has not posted it)")
    if status["state"] != "success":
        return _Reading(None, f"staging status {context} is still {status['state']}")
    if unfinished:
        return _Reading(None, f"check run(s) {', '.join(unfinished)} have not finished")
    checked = f" and {len(runs)} check run(s)" if runs else ""
    return _Reading(Verdict(True, f"{context} is success{checked} on {where}"), "")


def _context_status(statuses: list[dict[str, Any]], context: str) -> dict[str, Any] | None:
    # Contexts are case-insensitive on GitHub; the combined status holds only the latest per context.
    wanted = context.lower()
    return next((status for status in statuses if str(status["context"]).lower() == wanted), None)


def _of_run(check_run: dict[str, Any], run_id: str | None) -> bool:
    """True when `check_run` is a job of the Actions run `run_id`."""
    if not run_id:
        return False
    page = f"/actions/runs/{run_id}/"
    return any(page in str(check_run.get(key) or "") for key in ("details_url", "html_url"))
