"""fly_health against a fake flyctl: passes when every machine is healthy on the newest complete release,
and fails naming app, machine, state, image and check output on each kind of unhealthy deploy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.developer_env import developer_environ
from tests.helpers.fake_flyctl import FakeFlyctl, machine, release
from tests.helpers.gate_run import GateRun, run_gates
from tests.helpers.leaks import run_reported

WORKER, REGENERATOR = "atlaris-worker-staging", "atlaris-worker-regenerator-staging"
GATES_TOML = f"""
[environments.staging]
fly_apps = {{ worker = "{WORKER}", regenerator = "{REGENERATOR}" }}
"""


@pytest.fixture
def fake(tmp_path: Path) -> FakeFlyctl:
    (tmp_path / "gates.toml").write_text(GATES_TOML, encoding="utf-8")
    fake = FakeFlyctl.install(tmp_path)
    for app in (WORKER, REGENERATOR):
        fake.app(app, [release(app, 8, "v8"), release(app, 7, "v7")], [machine("3d8d1a2b3c4d5e", app, "v8")])
    return fake


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake: FakeFlyctl, tmp_path: Path
) -> Callable[..., GateRun]:
    """`run(**environ)`: the fly_health gate against the fake, with a 1 s budget unless `environ` says otherwise."""

    def gate(**environ: str) -> GateRun:
        environ = {**fake.environ(), "GATES_FLY_HEALTH_BUDGET_S": "1", **environ}
        return run_gates(pytester, monkeypatch, tmp_path, "post_deploy and fly_health", "staging", environ)

    return gate


def test_all_healthy_passes(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    ran = run()
    code, output = ran
    assert code == 0, output
    ran.assert_outcomes(passed=2)
    assert not any("--detach" in call for call in fake.calls())


def test_a_machine_on_the_old_image_fails(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.app(
        WORKER,
        [release(WORKER, 8, "v8"), release(WORKER, 7, "v7")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v8"), machine("9a8b7c6d5e4f3a", WORKER, "v7")],
    )
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{WORKER} machine 9a8b7c6d5e4f3a (started, image registry.fly.io/{WORKER}:v7) is not on the image of "
        f"release v8, registry.fly.io/{WORKER}:v8"
    ) in output
    ran.assert_outcomes(failed=1, passed=1)


def test_the_newest_complete_release_counts_not_a_failed_one(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.app(
        WORKER,
        [release(WORKER, 9, "v9", "failed"), release(WORKER, 8, "v8")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v8")],
    )
    code, output = run()
    assert code == 0, output


def test_a_critical_check_fails_with_its_output(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    checks = [("servicecheck-00-http-8080", "critical", "HTTP 503: loop stalled for 31.0 s")]
    fake.app(WORKER, [release(WORKER, 8, "v8")], [machine("3d8d1a2b3c4d5e", WORKER, "v8", checks=checks)])
    code, output = run()
    assert code == 1
    assert "check servicecheck-00-http-8080 is critical: HTTP 503: loop stalled for 31.0 s" in output
    assert "budget 1 s" in output


def test_a_crash_looping_machine_is_named_as_such_not_as_a_timeout(
    fake: FakeFlyctl, run: Callable[..., GateRun]
) -> None:
    looping = machine("3d8d1a2b3c4d5e", REGENERATOR, "v8", state="starting", checks=[], exits=[1, 1, 1])
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [looping])
    code, output = run(GATES_FLY_HEALTH_BUDGET_S="30")
    assert code == 1
    assert f"{REGENERATOR} is not healthy: {REGENERATOR} machine 3d8d1a2b3c4d5e (starting" in output
    assert "is crash-looping: it exited 3 times (codes 1, 1, 1)" in output
    assert "budget" not in output.split("crash-looping")[0].rsplit("\n", 1)[-1]


def test_exits_before_the_deploy_updated_the_machine_are_no_crash_loop(
    fake: FakeFlyctl, run: Callable[..., GateRun]
) -> None:
    # The broken release crash-looped; the fix updated the same machine in place, and its events remain.
    fixed = machine("3d8d1a2b3c4d5e", REGENERATOR, "v8", history=("launch", 1, 1, 1, "update", "start"))
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8"), release(REGENERATOR, 7, "v7")], [fixed])
    code, output = run()
    assert code == 0, output


def test_exits_since_the_deploy_updated_the_machine_are_a_crash_loop(
    fake: FakeFlyctl, run: Callable[..., GateRun]
) -> None:
    looping = machine("3d8d1a2b3c4d5e", REGENERATOR, "v8", state="starting", checks=[], history=(1, "update", 1, 1))
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [looping])
    code, output = run(GATES_FLY_HEALTH_BUDGET_S="30")
    assert code == 1
    assert "is crash-looping: it exited 2 times (codes 1, 1)" in output


def test_the_regenerator_with_no_started_machine_fails(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    stopped = machine("5e4f3a2b1c0d9e", REGENERATOR, "v8", state="stopped", checks=[], exits=[1])
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [stopped])
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{REGENERATOR} machine 5e4f3a2b1c0d9e (stopped, image registry.fly.io/{REGENERATOR}:v8) is not started"
        in output
    )
    ran.assert_outcomes(failed=1, passed=1)


def test_an_auth_error_is_one_sentence_naming_the_token(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.answer(
        f"releases --app {WORKER}",
        stderr="Error: You must be authenticated to view this.\n",
        exit=1,
    )
    code, output = run()
    assert code == 1
    assert "flyctl could not authenticate (You must be authenticated to view this.): check FLY_API_TOKEN" in output
    assert "fly-test-token" not in output


def test_a_timeout_while_flyctl_runs_shows_no_token_even_at_vv(fake: FakeFlyctl, tmp_path: Path) -> None:
    # -vv lifts pytest's cut of long locals: subprocess's frames would show the child's whole environment.
    fake.answer(f"releases --app {WORKER}", hang_s=30)
    arguments = ["-v", "--pyargs", "fly", "-o", "python_files=gate_*.py", "-m", "post_deploy and fly_health"]
    arguments += ["--gates-env", "staging", "--gates-config=gates.toml", "--timeout=2"]
    env = developer_environ(**fake.variables("fly-token-never-shown"), GATES_FLY_HEALTH_BUDGET_S="1")
    code, written = run_reported(tmp_path, arguments, env)
    assert code == 1 and "Timeout (>2.0s) from pytest-timeout" in written, written
    assert "fly-token-never-shown" not in written


def test_a_missing_token_fails_outside_local(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    code, output = run(FLY_API_TOKEN="")
    assert code == 1
    assert "FLY_API_TOKEN is not set: flyctl needs a Fly API token for staging" in output


def test_a_wrong_budget_is_named_first_with_everything_missing(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    (fake.bin_dir / "flyctl").unlink()
    code, output = run(FLY_API_TOKEN="", GATES_FLY_HEALTH_BUDGET_S="abc")
    assert code == 1
    sentence = (
        "fly_health cannot run: GATES_FLY_HEALTH_BUDGET_S='abc' is not a number; flyctl is not installed: "
        "neither `flyctl` nor `fly` is on PATH"
    )
    assert sentence in output and "; FLY_API_TOKEN is not set: flyctl needs a Fly API token for staging" in output
    assert "During handling" not in output


def test_a_wrong_budget_fails_even_locally(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    environ = {"GATES_FLY_HEALTH_BUDGET_S": "abc"}
    code, output = run_gates(pytester, monkeypatch, tmp_path, "post_deploy and fly_health", "local", environ)
    assert code == 1, output
    assert "fly_health cannot run: GATES_FLY_HEALTH_BUDGET_S='abc' is not a number" in output
    assert "skipped" not in output.splitlines()[-1]


def test_flyctl_missing_fails(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    (fake.bin_dir / "flyctl").unlink()
    code, output = run()
    assert code == 1
    assert "flyctl is not installed: neither `flyctl` nor `fly` is on PATH" in output


def test_unreadable_json_fails(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.answer(f"machines list --app {WORKER}", stdout='[{"id": "3d8d", \n')
    code, output = run()
    assert code == 1
    assert "flyctl machines list printed JSON that cannot be read" in output


def test_fly_is_used_when_flyctl_is_not_on_path(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    (fake.bin_dir / "flyctl").rename(fake.bin_dir / "fly")
    code, output = run()
    assert code == 0, output


def test_zero_downtime_needs_two_healthy_machines_per_app(
    fake: FakeFlyctl, run: Callable[..., GateRun], tmp_path: Path
) -> None:
    (tmp_path / "gates.toml").write_text(GATES_TOML + "[environments.staging.fly]\nzero_downtime = true\n")
    second = machine("9a8b7c6d5e4f3a", REGENERATOR, "v8")
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [machine("3d8d1a2b3c4d5e", REGENERATOR, "v8"), second])
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{WORKER} has 1 started machine(s) on the image of release v8 passing their checks, "
        "but zero_downtime needs 2 or more"
    ) in output
    assert f"{REGENERATOR} has" not in output
    ran.assert_outcomes(failed=1, passed=1)


# Fly gives a process group without services a standby per machine: stopped, `config.standbys` naming
# its primary, updated to each new image by the deploy but never started by it.
PRIMARY, STANDBY = "3d8d1a2b3c4d5e", "7b6a5f4e3d2c1b"


def standby(app: str, tag: str, checks: list[tuple[str, str, str]] | None = None) -> dict[str, object]:
    return machine(STANDBY, app, tag, state="stopped", checks=checks or [], standby_for=(PRIMARY,))


def test_a_stopped_standby_on_the_new_image_passes(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    # Its last check results are stale (it was never started on this image): they are not read.
    stale = [("worker-health", "critical", "connect: connection refused")]
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [machine(PRIMARY, REGENERATOR, "v8")])
    fake.app(
        WORKER,
        [release(WORKER, 8, "v8"), release(WORKER, 7, "v7")],
        [machine(PRIMARY, WORKER, "v8"), standby(WORKER, "v8", stale)],
    )
    code, output = run()
    assert code == 0, output


def test_a_standby_on_the_old_image_fails_naming_it(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.app(
        WORKER,
        [release(WORKER, 8, "v8"), release(WORKER, 7, "v7")],
        [machine(PRIMARY, WORKER, "v8"), standby(WORKER, "v7")],
    )
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{WORKER} standby machine {STANDBY} (stopped, image registry.fly.io/{WORKER}:v7, standby for {PRIMARY}) "
        f"is not on the image of release v8, registry.fly.io/{WORKER}:v8: a failover would start that image's code"
    ) in output
    ran.assert_outcomes(failed=1, passed=1)


def test_a_started_standby_is_judged_by_its_checks(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    # Fly failed over to it: it runs the app now, so a failing check is a failure.
    failing = machine(STANDBY, WORKER, "v8", checks=[("worker-health", "critical", "HTTP 503")], standby_for=(PRIMARY,))
    fake.app(WORKER, [release(WORKER, 8, "v8")], [machine(PRIMARY, WORKER, "v8"), failing])
    code, output = run()
    assert code == 1
    assert (
        f"{WORKER} standby machine {STANDBY} (started, " in output
        and "check worker-health is critical: HTTP 503" in output
    )


def test_only_standbys_fails(fake: FakeFlyctl, run: Callable[..., GateRun]) -> None:
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], [standby(REGENERATOR, "v8")])
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{REGENERATOR} has only standby machines ({STANDBY}), which Fly starts only on a host failure: "
        "none runs the app"
    ) in output
    ran.assert_outcomes(failed=1, passed=1)


def test_zero_downtime_does_not_count_a_standby(fake: FakeFlyctl, run: Callable[..., GateRun], tmp_path: Path) -> None:
    (tmp_path / "gates.toml").write_text(GATES_TOML + "[environments.staging.fly]\nzero_downtime = true\n")
    two = [machine(PRIMARY, REGENERATOR, "v8"), machine("9a8b7c6d5e4f3a", REGENERATOR, "v8")]
    fake.app(REGENERATOR, [release(REGENERATOR, 8, "v8")], two)
    fake.app(WORKER, [release(WORKER, 8, "v8")], [machine(PRIMARY, WORKER, "v8"), standby(WORKER, "v8")])
    ran = run()
    code, output = ran
    assert code == 1
    assert (
        f"{WORKER} has 1 started machine(s) on the image of release v8 passing their checks (standbys not "
        "counted: Fly starts them only on a host failure), but zero_downtime needs 2 or more"
    ) in output
    ran.assert_outcomes(failed=1, passed=1)
