"""pytest's reports never show a secret the run can see, even where a frame holds the environment
itself: the assertion's diff, `--showlocals -vv`, a collection error and a skip reason, with and
without xdist, on the terminal, in JUnit and in the JSON report."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers.developer_env import developer_environ
from tests.helpers.leaks import run_reported

PASSWORD = "Pw-masked-in-reports-57"
TOKEN = "fly-tok-masked-in-reports-43"

SHOWS_THE_ENVIRONMENT = textwrap.dedent(
    """
    import os

    import pytest


    def test_holds_the_environment():
        environment = dict(os.environ)
        assert environment.get("DEPLOY_REF") == "never"


    def test_prints_a_token():
        print("token:", os.environ["FLY_API_TOKEN"])
        assert False


    def test_skips_naming_the_database():
        pytest.skip(f"no server at {os.environ['DATABASE_URL_STAGING']}")
    """
)
FAILS_TO_IMPORT = "import os\n\nraise RuntimeError(os.environ['FLY_API_TOKEN'])\n"


@pytest.fixture
def reported_run(tmp_path: Path) -> Path:
    (tmp_path / "test_environment.py").write_text(SHOWS_THE_ENVIRONMENT)
    (tmp_path / "test_import_error.py").write_text(FAILS_TO_IMPORT)
    return tmp_path


def _run(folder: Path, *arguments: str) -> tuple[int, str]:
    env = developer_environ(
        DATABASE_URL_STAGING=f"postgresql://app:{PASSWORD}@db.staging.example:5432/app",
        FLY_API_TOKEN=TOKEN,
    )
    return run_reported(folder, ["-vv", "-rs", "--continue-on-collection-errors", *arguments], env)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_no_report_shows_a_secret(reported_run: Path, workers: list[str]) -> None:
    code, written = _run(reported_run, *workers)
    assert code == 1 and "2 failed, 1 skipped, " in written, written  # each xdist worker reports the error
    assert PASSWORD not in written and TOKEN not in written
    assert "token: ***" in written and "no server at ***" in written


@pytest.mark.timeout(120)
def test_without_the_masking_plugin_the_same_run_shows_them(reported_run: Path) -> None:
    # What the plugin is there for: nothing else keeps these out of the reports.
    code, written = _run(reported_run, "-p", "no:gates.report_masking")
    assert code == 1 and PASSWORD in written and TOKEN in written
