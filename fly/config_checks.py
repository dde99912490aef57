"""What `fly_config` checks in one fly.toml (platforms.md 2), as problems (the gate fails) and warnings.

Every problem names the file, the key and the value. Durations are read in the units flyctl uses
for that key (`fly.units`). The cross-environment check looks at every string in the file: a
staging config must not name production's apps, database variable or per-environment secrets
(`NAME_PROD`), and its `[env] APP_ENV` must be "staging"; and the other way round. No `[env]`
key may be one of gates.toml's secrets: `[env]` is plain text in the repository and in every
machine's config; such a value is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fly.platform import STRATEGIES
from fly.units import BareUnit, DurationError, seconds
from gates.config import Environment, FlySettings

KNOWN_KEYS = frozenset(
    [
        "app",
        "primary_region",
        "kill_signal",
        "kill_timeout",
        "build",
        "env",
        "processes",
        "deploy",
        "vm",
        "compute",
        "checks",
        "http_service",
        "services",
        "mounts",
        "experimental",
        "metrics",
        "statics",
        "restart",
        "console_command",
        "swap_size_mb",
        "files",
        "machine_checks",
    ]
)
REQUIRED_KEYS = ("app", "primary_region", "kill_signal", "kill_timeout")
HANDLED_SIGNALS = ("SIGTERM", "SIGINT")  # the workers drain on both (contract §3.4)
INTERVAL_S = (2.0, 60.0)
TIMEOUT_S = (0.5, 60.0)
GRACE_S = (1.0, 300.0)
CHECK_TYPES = ("http", "tcp")  # a top-level check's required type (platforms.md 2)
_MEMORY = re.compile(r"(\d+)\s*(mb|gb)", re.IGNORECASE)
ENVIRONMENT_NAME_KEY = "APP_ENV"  # [env] key naming the environment; host_checks reads it on the machine
HEALTH_PORT_KEY = "WORKER_HEALTH_PORT"  # [env] key: the port of the worker's health endpoint
HEALTH_PATH = "/health"


@dataclass
class ConfigReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, key: str, text: str) -> None:
        self.problems.append(f"{self.path.name}: {key} {text}" if key else f"{self.path.name}: {text}")


@dataclass(frozen=True)
class Check:
    where: str
    table: Mapping[str, Any]
    bare: BareUnit
    http: bool  # an HTTP request, not a TCP connect
    port: object  # the check's own port, else its service's internal_port

    def probes(self, port: object) -> bool:
        """Whether this check asks the worker's health endpoint on `port` (any port when None)."""
        path = str(self.table.get("path") or "").split("?", 1)[0]
        return self.http and path == HEALTH_PATH and (port is None or str(self.port) == str(port))


def check_config(
    path: Path,
    data: Mapping[str, Any],
    *,
    role: str,
    environment: Environment,
    others: list[Environment],
    settings: FlySettings,
) -> ConfigReport:
    report = ConfigReport(path)
    for key in sorted(set(data) - KNOWN_KEYS):
        report.warnings.append(f"{path.name}: unknown key {key} (flyctl --strict would reject it)")
    for key in REQUIRED_KEYS:
        if key not in data:
            report.problem(key, "is missing (a required key)")
    expected = environment.fly_apps.get(role)
    if "app" in data and expected and data["app"] != expected:
        report.problem(
            "app", f"= {data['app']!r} is not {expected!r}, the {role} app of {environment.name} in gates.toml"
        )
    _cross_environment(report, data, environment, others, settings)
    for key in sorted(set(data.get("env") or {}) & set(settings.secret_names)):
        report.problem(f"env.{key}", "sets a secret in plain text: set it with `fly secrets set` instead")
    if "kill_signal" in data and data["kill_signal"] not in HANDLED_SIGNALS:
        report.problem(
            "kill_signal", f"= {data['kill_signal']!r} is not one the workers drain on ({', '.join(HANDLED_SIGNALS)})"
        )
    if "kill_timeout" in data:
        _duration_at_least(report, "kill_timeout", data["kill_timeout"], "s", settings.graceful_shutdown_s)
    _memory(report, data, settings.memory_floor_mb)
    checks = list(_checks(data))
    if not checks:
        report.problem("[checks]", "is missing: no health check on the worker's health endpoint")
    else:
        _checks_the_health_endpoint(report, data, checks)
    for check in checks:
        _check_is_sane(report, check)
    _deploy(report, data.get("deploy") or {}, bool(checks), environment.fly.zero_downtime)
    return report


def _cross_environment(
    report: ConfigReport,
    data: Mapping[str, Any],
    environment: Environment,
    others: list[Environment],
    settings: FlySettings,
) -> None:
    forbidden: dict[str, str] = {}
    for other in others:
        forbidden.update({app: f"{other.name}'s {role} app" for role, app in other.fly_apps.items()})
        forbidden[other.database_url_env] = f"{other.name}'s database variable"
    suffix = {"staging": "_PROD", "production": "_STAGING"}.get(environment.name)
    secret_keys = {f"env.{name}" for name in settings.secret_names}
    for key, value in _strings(data):
        shown = "= (a secret, not shown)" if key in secret_keys else f"= {value!r}"
        for name, what in forbidden.items():
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", value):
                report.problem(key, f"{shown} names {what} ({environment.name} must never point at it)")
        if suffix and any(f"{secret}{suffix}" in value for secret in settings.per_environment_secrets):
            report.problem(key, f"{shown} names another environment's secret")
    named = (data.get("env") or {}).get(ENVIRONMENT_NAME_KEY)
    if named != environment.name:
        report.problem(
            f"env.{ENVIRONMENT_NAME_KEY}", f"= {named!r} is not {environment.name!r}, the environment deployed"
        )


def _strings(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _strings(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, f"{prefix}[{index}]")
    elif isinstance(data, str):
        yield prefix, data


def _duration_at_least(report: ConfigReport, key: str, value: Any, bare: BareUnit, bound: float) -> None:
    try:
        read = seconds(value, bare=bare)
    except DurationError as error:
        report.problem(key, f"= {value!r}: {error}")
        return
    if read < bound:
        report.problem(
            key,
            f"= {value!r} ({read:g} s as flyctl reads it) is under the workers' graceful-shutdown bound of "
            f"{bound:g} s: Fly would kill them mid-drain and strand their jobs",
        )


def _memory(report: ConfigReport, data: Mapping[str, Any], floor_mb: int) -> None:
    vms = data.get("vm", data.get("compute"))
    tables = [vms] if isinstance(vms, Mapping) else [vm for vm in vms or [] if isinstance(vm, Mapping)]
    if not tables:
        report.problem("[[vm]]", "is missing: the machine size and memory are not stated")
    for vm in tables:
        raw = vm.get("memory_mb", vm.get("memory"))
        if raw is None:
            report.problem("[[vm]] memory", "is missing")
            continue
        found = _MEMORY.fullmatch(str(raw).strip()) if isinstance(raw, str) else None
        megabytes = (
            int(raw)
            if isinstance(raw, int)
            else (int(found[1]) * (1024 if found[2].lower() == "gb" else 1) if found else None)
        )
        if megabytes is None:
            report.problem("[[vm]] memory", f'= {raw!r} is not a size such as "256mb" or "1gb"')
        elif megabytes < floor_mb:
            report.problem("[[vm]] memory", f"= {raw!r} is under the memory floor of {floor_mb} MB in gates.toml")


def _checks(data: Mapping[str, Any]) -> Iterator[Check]:
    for name, table in (data.get("checks") or {}).items():
        yield Check(f"[checks.{name}]", table, "ms", table.get("type") == "http", table.get("port"))
    http = data.get("http_service") or {}
    for index, table in enumerate(http.get("checks") or []):
        yield Check(f"[[http_service.checks]][{index}]", table, "ns", True, http.get("internal_port"))
    for number, service in enumerate(data.get("services") or []):
        for kind in ("tcp_checks", "http_checks"):
            for index, table in enumerate(service.get(kind) or []):
                where = f"[[services.{kind}]][{number}.{index}]"
                yield Check(where, table, "ms", kind == "http_checks", service.get("internal_port"))


def _checks_the_health_endpoint(report: ConfigReport, data: Mapping[str, Any], checks: list[Check]) -> None:
    """One check must ask the worker's own health endpoint: a TCP connect, or a GET of another path or port,
    passes while the worker loop is dead."""
    port = (data.get("env") or {}).get(HEALTH_PORT_KEY)
    if not any(check.probes(port) for check in checks):
        on = f"port {port} ([env] {HEALTH_PORT_KEY})" if port is not None else "its port"
        found = ", ".join(
            f"{check.where} ({'http' if check.http else 'tcp'} port {check.port}"
            + (f" path {check.table.get('path')!r})" if check.http else ")")
            for check in checks
        )
        report.problem(
            "[checks]", f"has no http check of {HEALTH_PATH} on {on}, the worker's health endpoint: found {found}"
        )


def _check_is_sane(report: ConfigReport, check: Check) -> None:
    if check.where.startswith("[checks.") and check.table.get("type") not in CHECK_TYPES:
        report.problem(f"{check.where} type", f"= {check.table.get('type')!r} is not one of {', '.join(CHECK_TYPES)}")
    values: dict[str, float] = {}
    for key, (low, high), required in (
        ("interval", INTERVAL_S, True),
        ("timeout", TIMEOUT_S, True),
        ("grace_period", GRACE_S, False),
    ):
        where = f"{check.where} {key}"
        if key not in check.table:
            if required:
                report.problem(where, "is missing")
            continue
        raw = check.table[key]
        try:
            values[key] = seconds(raw, bare=check.bare)
        except DurationError as error:
            report.problem(where, f"= {raw!r}: {error}")
            continue
        if not low <= values[key] <= high:
            report.problem(where, f"= {raw!r} ({values[key]:g} s as flyctl reads it) is outside {low:g} to {high:g} s")
    if "interval" in values and "timeout" in values and values["timeout"] > values["interval"]:
        report.problem(f"{check.where} timeout", f"= {check.table['timeout']!r} is longer than the interval")


def _deploy(report: ConfigReport, deploy: Mapping[str, Any], has_checks: bool, zero_downtime: bool) -> None:
    strategy = deploy.get("strategy")
    if strategy is None:
        report.problem("[deploy] strategy", "is missing (a required key)")
    elif strategy not in STRATEGIES:
        report.problem("[deploy] strategy", f"= {strategy!r} is not one of {', '.join(STRATEGIES)}")
    elif strategy == "bluegreen" and not has_checks:
        report.problem("[deploy] strategy", "= 'bluegreen' needs at least one health check, and there is none")
    if isinstance(deploy.get("wait_timeout"), int | float):
        report.problem(
            "[deploy] wait_timeout",
            f'= {deploy["wait_timeout"]!r} is a bare number, which flyctl reads as nanoseconds; write "5m"',
        )
    if zero_downtime:
        if strategy == "immediate":
            report.problem("[deploy] strategy", "= 'immediate' stops every machine at once, but zero_downtime is on")
        if "wait_timeout" not in deploy:
            report.problem("[deploy] wait_timeout", "is missing, but zero_downtime is on")
