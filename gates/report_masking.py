"""Mask every secret of the run in what pytest reports: the last line of defence.

Secrets travel as `Secret` and `Dsn`, whose reprs are masked, and calls into libraries that hold
one revealed sit behind `SecretBoundary`. Neither covers a frame that holds the environment itself
(`os.environ`, or a subprocess's copy of it) while something slow runs: with `--showlocals -vv`
pytest prints such a mapping whole, every token in it. So each test's and collector's report is
searched for the value of every secret variable that is set, and each database URL and its
password alone (`gates.secret_env.secret_values`), and every one found becomes `***` before the
terminal, JUnit, xdist or a report plugin reads the report.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from gates.plugin import config_or_none
from gates.secret import MASK
from gates.secret_env import secret_values


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    found = {value for value in secret_values(config_or_none(config)) if value.strip()}
    config.pluginmanager.register(MaskedReports(found), "deploy-gates-masked-reports")


class MaskedReports:
    """Hooks that mask `secrets` in each report before any other plugin reads it."""

    def __init__(self, secrets: set[str]) -> None:
        # Longest first: a URL is masked whole before the password inside it.
        self._secrets = sorted(secrets, key=len, reverse=True)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        # Captured output waits on the item (in `_report_sections`, its only home) until the report
        # is made, and a report plugin may read it there (pytest-json-report does): masked first.
        # Read with a default: a pytest that keeps it elsewhere must not break every test.
        sections = getattr(item, "_report_sections", None)
        if self._secrets and sections:
            item._report_sections = [(when, key, self.masked(content)) for when, key, content in sections]
        return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._mask(report)  # here, not in makereport: an xdist controller gets the workers' reports here

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._mask(report)

    def _mask(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if not self._secrets:
            return
        longrepr = report.longrepr
        if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
            path, line, reason = longrepr
            report.longrepr = (path, line, self.masked(reason))
        elif longrepr is not None:
            text = str(longrepr)
            masked = self.masked(text)
            if masked != text:
                report.longrepr = masked  # plain text in place of the rendered traceback
        report.sections = [(title, self.masked(content)) for title, content in report.sections]

    def masked(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text
