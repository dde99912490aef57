"""Pytest plugin hooks that report every gate run (registered in `gates.plugin`'s `pytest_plugins`).

In GitHub Actions (`GITHUB_ACTIONS=true`), before any test runs:
- every secret the suite reads from the environment is registered with `::add-mask::`, so the
  runner hides it in whatever prints later (a database URL's password on its own too);
- JUnit XML is written for the run (`--junitxml` wins; else `$GATES_REPORT_DIR`, default
  `gates-reports/`, as `junit-<env>-<marker expression>.xml`, numbered `-2`, `-3` ... when the
  same expression ran before in the job); outside Actions only when `GATES_REPORT_DIR` is set;
- the deploy context of the environment (gates.toml `[github]`) gets a `pending` commit status,
  then `failure` when the run fails (a passing run leaves it pending for the workflow's last step);
  a run of the rollback drills alone deploys nothing and posts none.
At the end, a Markdown table of each gate's outcome, duration and failure sentence is appended to
`GITHUB_STEP_SUMMARY` wherever that variable is set.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gates.github.commit_status import post
from gates.github.workflow_commands import add_mask_lines, annotation, append_step_summary
from gates.plugin import GATE_GROUPS, GATE_MARKERS, config_or_none
from gates.secret_env import secret_values

_GATE_NAMES = frozenset({*GATE_GROUPS, *GATE_MARKERS})
_DRILLS = frozenset({"rollback_drill", *(name for name in GATE_MARKERS if name.startswith("drill_"))})


@dataclass(frozen=True)
class GateOutcome:
    """One test of the run as the summary shows it."""

    nodeid: str
    gates: str
    outcome: str
    duration_s: float
    sentence: str


def _in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS", "").strip().lower() == "true"


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")  # xdist workers report through the controller


def _env_name(config: pytest.Config) -> str:
    return str(config.getoption("--gates-env") or os.environ.get("GATES_ENV") or "local")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _is_controller(config):
        return
    gates = config_or_none(config)
    if _in_actions():
        for value in secret_values(gates):
            for line in add_mask_lines(value):
                sys.stdout.write(line + "\n")
        sys.stdout.flush()
    report_dir = os.environ.get("GATES_REPORT_DIR", "").strip() or ("gates-reports" if _in_actions() else "")
    if report_dir and not config.option.xmlpath:
        slug = re.sub(r"[^A-Za-z0-9_]+", "-", config.option.markexpr or "all").strip("-") or "all"
        config.option.xmlpath = str(_unused(Path(report_dir), f"junit-{_env_name(config)}-{slug}"))
    deploys = not _drill_only(config.option.markexpr or "")
    context = gates.github.context(_env_name(config)) if gates and _in_actions() and deploys else None
    config.pluginmanager.register(_RunReport(config, context), "deploy-gates-run-report")


def _drill_only(expression: str) -> bool:
    """True for a run of the rollback drills alone: it deploys nothing, so it posts no deploy status
    (a `pending` left on main's head would hold production's staging_green until it failed)."""
    # Imported here: gates.empty_selection is a plugin of its own, which pytest must import first.
    from gates.empty_selection import named_gate_markers

    named = named_gate_markers(expression)
    return bool(named) and all(marker in _DRILLS for marker in named)


def _unused(folder: Path, stem: str) -> Path:
    """`folder/stem.xml`, or `stem-2.xml`, `stem-3.xml` ... when an earlier run of the job wrote it: a
    deploy runs `pytest -m smoke` twice (old release, new release), and both reports are kept."""
    path, number = folder / f"{stem}.xml", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.xml"
    return path


class _RunReport:
    """The outcomes of one run as they arrive, and the statuses and summary that report them."""

    def __init__(self, config: pytest.Config, context: str | None) -> None:
        self.what = f"{config.option.markexpr or 'gates'} on {_env_name(config)}"
        self.context = context
        self.outcomes: list[GateOutcome] = []

    def _post(self, state: str, description: str) -> None:
        if self.context is None:
            return
        problem = post(self.context, state, f"{self.what}: {description}")
        if problem:
            # Reporting is not a gate: the run's own outcome stands, and the sentence is shown.
            sys.stdout.write(annotation("warning", problem) + "\n")

    def pytest_sessionstart(self) -> None:
        self._post("pending", "running")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.failed or (report.skipped and report.when == "setup"):
            outcome = "error" if report.failed and report.when != "call" else report.outcome
            gates = ", ".join(sorted(name for name in report.keywords if name in _GATE_NAMES))
            sentence = _sentence(report) if outcome != "passed" else ""
            self.outcomes.append(GateOutcome(report.nodeid, gates, outcome, report.duration, sentence))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.outcomes.append(GateOutcome(report.nodeid, "", "error", 0.0, _sentence(report)))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, exitstatus: int) -> None:
        failed = [outcome for outcome in self.outcomes if outcome.outcome in ("failed", "error")]
        if failed or exitstatus not in (0, 5):
            self._post("failure", failed[0].sentence if failed else f"pytest exited {exitstatus}")
        else:
            self._post("pending", "passed; the deploy goes on")
        append_step_summary(render_summary(self.what, self.outcomes))


def _sentence(report: pytest.TestReport | pytest.CollectReport) -> str:
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = report.longreprtext.strip()
    # A pytrace=False failure is its sentence; a traceback ends with the `E   ...` lines that matter.
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return (errors[0] if errors else text.splitlines()[0] if text else "").strip()


def render_summary(what: str, outcomes: list[GateOutcome]) -> str:
    """The Markdown section for one gate run."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    tally = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "no gates selected"
    lines = [
        f"### Deploy gates: {what}",
        "",
        tally,
        "",
        "| gate | test | outcome | duration | why |",
        "|---|---|---|---|---|",
    ]
    icons = {"passed": "✅", "failed": "❌", "error": "❌", "skipped": "⏭️"}
    for outcome in outcomes:
        why = outcome.sentence.replace("|", "\\|")
        lines.append(
            f"| {outcome.gates or '-'} | `{outcome.nodeid}` | {icons.get(outcome.outcome, '')} {outcome.outcome} "
            f"| {outcome.duration_s:.2f} s | {why} |"
        )
    return "\n".join(lines) + "\n\n"
