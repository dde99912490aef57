"""Commit statuses for the deploy contexts: pending while a deploy runs, then success or failure.

The pytest plugin posts `pending` when a gate run starts and `failure` when it fails; a passing
run leaves `pending` (the deploy goes on). The workflow's last step, run `if: always()`, posts the
deploy's final state: `python -m gates.github.commit_status --env staging --state success`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from gates.config import ConfigError, find_config, load_config
from gates.github.client import GitHubClient, GitHubError, commit_sha, read_repository
from gates.github.workflow_commands import annotation
from gates.inputs import Inputs

DESCRIPTION_LIMIT = 140  # GitHub answers 422 to a longer description


def fit_description(text: str) -> str:
    """`text` on one line, cut to GitHub's 140 characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= DESCRIPTION_LIMIT else line[: DESCRIPTION_LIMIT - 1] + "…"


def run_url(environ: Mapping[str, str]) -> str | None:
    """The link to this Actions run, or None outside Actions."""
    parts = [environ.get(name, "").strip() for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else None


def post(context: str, state: str, description: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Post the status on GITHUB_SHA; None when posted, else the sentence saying why it was not
    (every unusable variable at once, wrong ones first)."""
    environ = os.environ if environ is None else environ
    inputs = Inputs()
    sha = inputs.read(lambda: commit_sha(environ))
    repository = inputs.read(lambda: read_repository(environ))
    if sha is None or repository is None:
        return f"commit status {context} was not posted: {inputs.sentence()}"
    try:
        with GitHubClient(repository, retry_budget_s=30.0) as client:
            client.create_status(
                sha, state=state, context=context, description=fit_description(description), target_url=run_url(environ)
            )
    except GitHubError as error:
        return f"commit status {context} was not posted: {error}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gates.github.commit_status", description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="the environment deployed: its context comes from gates.toml")
    parser.add_argument("--state", required=True, choices=("success", "failure", "cancelled", "pending", "error"))
    parser.add_argument("--description", default=None)
    args = parser.parse_args(argv)
    try:
        context = load_config(find_config(Path.cwd())).github.context(args.env)
    except ConfigError as error:
        print(f"commit-status: {error}", file=sys.stderr)
        return 2
    if context is None:
        print(f"commit-status: {args.env} has no deploy context; nothing to post", file=sys.stderr)
        return 2
    state = (
        "failure" if args.state == "cancelled" else args.state
    )  # job.status says cancelled; GitHub has no such state
    problem = post(context, state, args.description or f"{args.env} deploy: {args.state}")
    if problem:
        print(annotation("error", problem))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
