"""What `fly_config` checks in `Dockerfile.worker`: it runs as a non-root user, it can start both
workers (the app's command chooses, so no ENTRYPOINT fixes the program, and every file the commands
name is copied in), and hadolint finds nothing at warning level or above."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from fly.config_checks import ConfigReport

ROOT_USERS = ("root", "0")
INITS = ("tini", "dumb-init", "/sbin/tini", "/usr/bin/dumb-init")
HADOLINT_TIMEOUT_S = 60.0


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def check_dockerfile(path: Path, commands: Mapping[str, str], hadolint: str | None) -> ConfigReport:
    """`commands` maps each worker role to the command its fly.toml runs; `hadolint` is the binary
    (None: not installed, so the caller decides whether that fails or skips)."""
    report = ConfigReport(path)
    if not path.is_file():
        report.problem("", "does not exist: one image for both workers is built from it")
        return report
    steps = instructions(path.read_text(encoding="utf-8"))
    users = [arguments for word, arguments in steps if word == "USER"]
    user = users[-1].split(":")[0] if users else None
    if user is None:
        report.problem("USER", "is missing: the workers would run as root")
    elif user in ROOT_USERS:
        report.problem("USER", f"= {users[-1]!r} runs the workers as root")
    entrypoints = [_words(arguments) for word, arguments in steps if word == "ENTRYPOINT"]
    if entrypoints and entrypoints[-1] and entrypoints[-1][0] not in INITS:
        report.problem(
            "ENTRYPOINT", f"= {entrypoints[-1]!r} fixes the program, so an app's command cannot choose its worker"
        )
    sources = [source for word, arguments in steps if word in ("COPY", "ADD") for source in _words(arguments)[:-1]]
    for role, command in commands.items():
        for name in (word for word in _words(command) if "/" in word and "." in word.rsplit("/", 1)[-1]):
            if not any(_covers(source, name) for source in sources if not source.startswith("--")):
                report.problem("COPY", f"never copies {name}, which the {role} runs: the image cannot start it")
    if hadolint is not None:
        _hadolint(report, hadolint)
    return report


def _words(arguments: str) -> list[str]:
    if arguments.startswith("["):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return []
        return [str(word) for word in parsed] if isinstance(parsed, list) else []
    return shlex.split(arguments)


def _covers(source: str, name: str) -> bool:
    source = source.rstrip("/").removeprefix("./")
    return source in ("", ".") or name == source or name.startswith(f"{source}/")


def _hadolint(report: ConfigReport, executable: str) -> None:
    try:
        done = subprocess.run(
            [executable, "--no-color", "-f", "json", "--no-fail", str(report.path)],
            capture_output=True,
            text=True,
            timeout=HADOLINT_TIMEOUT_S,
            check=False,
        )
        findings = json.loads(done.stdout or "[]")
    except (subprocess.TimeoutExpired, ValueError, OSError) as error:
        report.problems.append(f"hadolint could not check {report.path.name}: {type(error).__name__}")
        return
    for finding in findings:
        text = f"{report.path.name}:{finding.get('line')} hadolint {finding.get('code')}: {finding.get('message')}"
        (report.problems if finding.get("level") in ("error", "warning") else report.warnings).append(text)
