"""The flyctl wrapper's own sentences for an app flyctl cannot find and a command that hangs, the
token its child sees, and a standby machine read from its config."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from fly.flyctl import Flyctl, FlyctlError
from fly.flyctl_platform import FlyctlPlatform
from gates.config import Environment
from tests.helpers.fake_flyctl import FakeFlyctl, machine

STAGING = Environment(name="staging", database_url_env="DATABASE_URL_STAGING")


def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeFlyctl:
    """The fake first on PATH of this process too: the wrapper hands its child this process's environment."""
    fake = FakeFlyctl.install(tmp_path)
    for name, value in fake.environ().items():
        monkeypatch.setenv(name, value)
    return fake


def test_an_unknown_app_is_named_with_where_to_fix_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = installed(tmp_path, monkeypatch)
    fake.answer("releases --app atlaris-worker-stagin", stderr="Error: Could not find App\n", exit=1)
    flyctl = Flyctl.find(STAGING, fake.environ())
    with pytest.raises(FlyctlError) as raised:
        flyctl.json(["releases", "--app", "atlaris-worker-stagin"])
    assert str(raised.value) == (
        "Fly app atlaris-worker-stagin was not found (Could not find App): check fly_apps in gates.toml"
    )


def test_a_hung_command_times_out_in_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = installed(tmp_path, monkeypatch)
    fake.answer("releases --app atlaris-worker-staging", data=[], hang_s=30)
    flyctl = Flyctl.find(STAGING, fake.environ())
    with pytest.raises(FlyctlError) as raised:
        flyctl.json(["releases", "--app", "atlaris-worker-staging"], timeout_s=0.5)
    assert str(raised.value) == "flyctl releases timed out after 0.5 s"


def test_flyctl_acts_with_fly_api_token_even_when_fly_access_token_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # flyctl prefers FLY_ACCESS_TOKEN: a developer's, or another environment's, would win over the gates' token.
    script = tmp_path / "flyctl"
    code = "import json, os; print(json.dumps({k: os.environ.get(k) for k in ('FLY_API_TOKEN', 'FLY_ACCESS_TOKEN')}))"
    script.write_text(f"#!{sys.executable}\n{code}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FLY_ACCESS_TOKEN", "production-token")
    environ = {"PATH": str(tmp_path), "FLY_API_TOKEN": "staging-token"}
    seen = Flyctl.find(STAGING, environ).json(["status"])
    assert seen == {"FLY_API_TOKEN": "staging-token", "FLY_ACCESS_TOKEN": None}, json.dumps(seen)


def test_a_machine_is_a_standby_when_its_config_lists_standbys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = installed(tmp_path, monkeypatch)
    app = "atlaris-worker-staging"
    standby = machine("7b6a5f4e3d2c1b", app, "v8", state="stopped", standby_for=("3d8d1a2b3c4d5e",))
    fake.answer(f"machines list --app {app}", data=[machine("3d8d1a2b3c4d5e", app, "v8"), standby])
    primary, read = FlyctlPlatform(Flyctl.find(STAGING, fake.environ())).machines(app)
    assert (primary.standby, primary.standby_for) == (False, ())
    assert (read.standby, read.standby_for) == (True, ("3d8d1a2b3c4d5e",))


def test_standbys_that_are_not_a_list_of_ids_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = installed(tmp_path, monkeypatch)
    app = "atlaris-worker-staging"
    row = machine("7b6a5f4e3d2c1b", app, "v8", state="stopped")
    row["config"]["standbys"] = "3d8d1a2b3c4d5e"
    fake.answer(f"machines list --app {app}", data=[row])
    with pytest.raises(FlyctlError) as raised:
        FlyctlPlatform(Flyctl.find(STAGING, fake.environ())).machines(app)
    assert str(raised.value) == f"fly machines list --app {app} printed a config.standbys that is not a list of ids"
