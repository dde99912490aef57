"""The Fly platform over the real flyctl: JSON of mixed casing (platforms.md 1.3 to 1.10) into typed records.

`fly releases --json` is PascalCase; machines (`fly machines list --json`) are snake_case, with the
running image in `config.image`, the machines a standby stands by for in `config.standbys`, checks in
`checks[]` and exits among `events[]`. `fly deploy` has no
`--json` and is never run with `--detach`, which would skip the health checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fly.flyctl import Flyctl, FlyctlError
from fly.platform import Check, Machine, Release, Strategy

DEPLOY_MARGIN_S = 120.0  # building nothing (an existing image), flyctl still needs time around the waits
_NEW_CONFIG = ("launch", "update")  # machine events that start a new config (image) on the machine


class FlyctlPlatform:
    """`FlyPlatform` over flyctl; `config_files` maps each app to the fly.toml it deploys with."""

    def __init__(self, flyctl: Flyctl, config_files: Mapping[str, Path] | None = None) -> None:
        self.flyctl = flyctl
        self.config_files = dict(config_files or {})

    def releases(self, app: str) -> Sequence[Release]:
        data = self.flyctl.json(["releases", "--app", app])
        rows = _list_of_objects(data, f"fly releases --app {app}")
        try:
            releases = [
                Release(
                    version=int(row["Version"]),
                    status=str(row.get("Status") or ""),
                    image=str(row.get("ImageRef") or ""),
                    created_at=str(row.get("CreatedAt") or ""),
                    description=str(row.get("Description") or ""),
                )
                for row in rows
            ]
        except (KeyError, TypeError, ValueError):
            raise FlyctlError(f"fly releases --app {app} printed releases without a numeric Version") from None
        return sorted(releases, key=lambda release: release.version, reverse=True)

    def machines(self, app: str) -> Sequence[Machine]:
        data = self.flyctl.json(["machines", "list", "--app", app])
        return [_machine(row, app) for row in _list_of_objects(data, f"fly machines list --app {app}")]

    def deploy(self, app: str, image: str, *, strategy: Strategy, wait_timeout_s: float) -> None:
        args = [
            "deploy",
            "--app",
            app,
            "--image",
            image,
            "--strategy",
            strategy,
            "--wait-timeout",
            f"{wait_timeout_s:g}s",
        ]
        if app in self.config_files:
            args += ["--config", str(self.config_files[app])]
        self.flyctl.run([*args, "--yes"], timeout_s=4 * wait_timeout_s + DEPLOY_MARGIN_S)

    def secret_names(self, app: str) -> set[str]:
        """The names of the app's secrets, in any of the three JSON shapes flyctl has printed (1.10)."""
        data = self.flyctl.json(["secrets", "list", "--app", app])
        rows = _list_of_objects(data, f"fly secrets list --app {app}")
        names = {row.get("name", row.get("Name")) for row in rows}
        if not all(isinstance(name, str) for name in names):
            raise FlyctlError(f"fly secrets list --app {app} printed a secret without a name")
        return {name for name in names if isinstance(name, str)}

    def ssh(self, app: str, machine_id: str, script: str, *, timeout_s: float = 60.0) -> str:
        """Run `script` under `sh -c` on the machine; its stdout (see fly.host_backend for the exit status)."""
        return self.flyctl.run(
            ["ssh", "console", "--app", app, "--machine", machine_id, "--quiet", "-C", script], timeout_s=timeout_s
        )


def _list_of_objects(data: Any, command: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise FlyctlError(f"{command} printed JSON that is not a list of objects")
    return data


def _machine(row: dict[str, Any], app: str) -> Machine:
    machine_id = row.get("id")
    if not isinstance(machine_id, str):
        raise FlyctlError(f"fly machines list --app {app} printed a machine without an id")
    config = _object(row.get("config"))
    checks = tuple(
        Check(str(check.get("name") or ""), str(check.get("status") or ""), str(check.get("output") or ""))
        for check in row.get("checks") or []
        if isinstance(check, dict)
    )
    return Machine(
        id=machine_id,
        state=str(row.get("state") or "unknown"),
        image=str(config.get("image") or ""),
        checks=checks,
        exit_codes=_exit_codes(row.get("events") or []),
        standby_for=_standbys(config.get("standbys"), app),
    )


def _standbys(value: Any, app: str) -> tuple[str, ...]:
    """The ids in a machine config's `standbys` (omitted when empty); anything else is not read as "none"."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(primary, str) for primary in value):
        raise FlyctlError(f"fly machines list --app {app} printed a config.standbys that is not a list of ids")
    return tuple(value)


def _exit_codes(events: list[Any]) -> tuple[int, ...]:
    """Exit codes of the machine's `exit` events since its newest `launch` or `update` event, oldest first.

    A deploy updates machines in place and their events outlive it: exits of the release before (the
    broken one a fix replaces) would otherwise read as the new release crash-looping.
    """
    rows = [event for event in events if isinstance(event, dict)]
    configured = max((_timestamp(event) for event in rows if event.get("type") in _NEW_CONFIG), default=-1)
    exits = []
    for event in rows:
        if event.get("type") != "exit" or _timestamp(event) < configured:
            continue
        code = _object(_object(event.get("request")).get("exit_event")).get("exit_code")
        if isinstance(code, int):
            exits.append((_timestamp(event), code))
    return tuple(code for _, code in sorted(exits))


def _timestamp(event: dict[str, Any]) -> int:
    stamp = event.get("timestamp")
    return stamp if isinstance(stamp, int) else 0


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
