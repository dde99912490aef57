"""`gates review`: lint the migrations a pull request adds or changes, and report on the pull request.

The changed migrations are those of `git diff <merge base> HEAD` in the migrations folder of
gates.toml, against the base branch (`--base`, else GITHUB_BASE_REF's `origin/` branch). They are
linted with the whole history as context, and then reported four ways: annotations on the diff
(this command's output), one pull-request comment edited on every run (deleted once the pull
request changes no migrations), SARIF (`--sarif`) and the job summary (GITHUB_STEP_SUMMARY). The
exit code is the lint's: 1 when a finding at or above `--fail-on` remains.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from gates.config import find_config, load_config
from gates.git_changes import GitError, changed_files, merge_base, repository_root, resolve
from gates.github.client import GitHubClient, read_repository
from gates.github.commit_status import run_url
from gates.github.pull_request import base_ref_candidates, pull_request_number
from gates.inputs import InputError, Inputs
from gates.usage import EXIT_USAGE, UsageError
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.reader import read_configured
from migrations_checks.lint.records.findings import LintResult
from migrations_checks.lint.report import render
from migrations_checks.review.changed import changed_migrations, lint_pull_request
from migrations_checks.review.publish import (
    comment_body,
    deliver,
    delivery_command,
    review_comment,
    summarize,
    write_sarif,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base",
        metavar="REF",
        help="the base branch's ref (default: origin/$GITHUB_BASE_REF, which Actions sets on pull requests)",
    )
    parser.add_argument(
        "--pr",
        type=_number,
        metavar="N",
        help="the pull request's number (default: pull_request.number of the event in $GITHUB_EVENT_PATH)",
    )
    parser.add_argument("--sarif", type=Path, metavar="PATH", help="also write the findings as SARIF to PATH")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="warning",
        help="lowest severity that fails the review (default: warning, as the deploy gate)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="gates.toml to use (default: the nearest one above the current folder, else built-in defaults)",
    )


def run(args: argparse.Namespace) -> int:
    environ = os.environ
    config = load_config(args.config if args.config is not None else find_config(Path.cwd()))
    # Every input is checked before anything is read or posted: a half-delivered review misleads.
    # All are read first, so one run names every one to fix, wrong ones first.
    inputs = Inputs()
    number = inputs.read(lambda: pull_request_number(args.pr, environ))
    repository = inputs.read(lambda: read_repository(environ))
    candidates = inputs.read(lambda: base_ref_candidates(args.base, environ))
    try:
        inputs.raise_any()
    except InputError as error:
        raise UsageError(str(error)) from None
    assert number is not None and repository is not None and candidates is not None
    cwd = Path.cwd()
    base = _base(cwd, candidates)
    since = merge_base(cwd, base)
    settings = config.migrations
    changed = changed_migrations(settings.path, repository_root(cwd), changed_files(cwd, since, settings.path))
    comment = review_comment(number, config.github.review_author)
    footer = _footer(len(changed.tags), base, since, environ)
    if changed.touched:
        options = LintOptions.from_config(config)
        result = lint_pull_request(read_configured(settings), changed.tags, options)
        sys.stdout.write(render(result, "github"))
    else:
        result = LintResult()
        print(f"gates review: pull request #{number} changes nothing in {settings.path.name}/; nothing to lint")
    if args.sarif is not None:
        write_sarif(args.sarif, result)  # also when empty: an upload then closes the earlier alerts
    with GitHubClient(repository, retry_budget_s=config.github.retry_budget_s) as client:
        delivery = deliver(client, comment, comment_body(result, footer) if changed.touched else None)
    command = delivery_command(delivery)
    if command:
        print(command)
    summarize(render(result, "markdown") if changed.touched else None, delivery, footer)
    if delivery.failed:
        print(f"{args.prog}: {delivery.sentence}", file=sys.stderr)
        return EXIT_USAGE
    return 1 if result.blocking(args.fail_on) else 0


def _base(cwd: Path, candidates: list[str]) -> str:
    for ref in candidates:
        if resolve(cwd, ref) is not None:
            return ref
    raise GitError(
        f"the base ref {candidates[0]} is not in this clone: fetch it (actions/checkout with fetch-depth: 0) "
        "or name another with --base"
    )


def _footer(changed: int, base: str, since: str, environ: Mapping[str, str]) -> str:
    url = run_url(environ)
    run = f"; [the run]({url})" if url else ""
    what = f"{changed} added or changed migration(s) against `{base}` (merge base `{since[:12]}`)"
    return f"_`gates review`: {what}{run}._"


def _number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pull request number")
    return int(text)
