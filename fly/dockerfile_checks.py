"""What `fly_config` checks in `Dockerfile.worker`: it runs as a non-root user, it can start both
workers (the app's command chooses, so no ENTRYPOINT fixes the program, and every file the commands
name is copied in), no `ENV` or `ARG` names a secret of gates.toml, and hadolint finds nothing at
warning level or above.

A secret in `ENV` is in the image's config for anyone who can pull it; one in `ARG` is kept in the
image's history and the build log. Either is refused in any stage, with its line and name only.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fly.config_checks import ConfigReport

ROOT_USERS = ("root", "0")
INITS = ("tini", "dumb-init", "/sbin/tini", "/usr/bin/dumb-init")
HADOLINT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Step:
    line: int  # where the instruction starts
    word: str  # upper case
    arguments: str


def instructions(text: str) -> list[Step]:
    """The instructions, continuation lines joined; comments and blank lines dropped, inside a
    continuation too, as docker does."""
    found = []
    parts: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        start = start if parts else number
        parts.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            word, _, rest = " ".join(parts).partition(" ")
            found.append(Step(start, word.upper(), rest.strip()))
            parts = []
    if parts:  # a continuation at the end of the file ends the instruction
        word, _, rest = " ".join(parts).partition(" ")
        found.append(Step(start, word.upper(), rest.strip()))
    return found


def check_dockerfile(
    path: Path, commands: Mapping[str, str], secrets: Sequence[str], hadolint: str | None
) -> ConfigReport:
    """`commands` maps each worker role to the command its fly.toml runs; `secrets` are gates.toml's;
    `hadolint` is the binary (None: not installed, so the caller decides whether that fails or skips)."""
    report = ConfigReport(path)
    if not path.is_file():
        report.problem("", "does not exist: one image for both workers is built from it")
        return report
    steps = instructions(path.read_text(encoding="utf-8"))
    users = [step.arguments for step in steps if step.word == "USER"]
    user = users[-1].split(":")[0] if users else None
    if user is None:
        report.problem("USER", "is missing: the workers would run as root")
    elif user in ROOT_USERS:
        report.problem("USER", f"= {users[-1]!r} runs the workers as root")
    entrypoints = [_words(step.arguments) for step in steps if step.word == "ENTRYPOINT"]
    if entrypoints and entrypoints[-1] and entrypoints[-1][0] not in INITS:
        report.problem(
            "ENTRYPOINT", f"= {entrypoints[-1]!r} fixes the program, so an app's command cannot choose its worker"
        )
    sources = [source for step in steps if step.word in ("COPY", "ADD") for source in _words(step.arguments)[:-1]]
    for role, command in commands.items():
        for name in (word for word in _words(command) if "/" in word and "." in word.rsplit("/", 1)[-1]):
            if not any(_covers(source, name) for source in sources if not source.startswith("--")):
                report.problem("COPY", f"never copies {name}, which the {role} runs: the image cannot start it")
    _baked_secrets(report, steps, secrets)
    if hadolint is not None:
        _hadolint(report, hadolint)
    return report


def _baked_secrets(report: ConfigReport, steps: list[Step], secrets: Sequence[str]) -> None:
    where = {"ENV": "the image's config", "ARG": "the image's history"}
    for step in steps:
        if step.word not in where:
            continue
        for name in _declared(step):
            if name in secrets:
                report.problems.append(
                    f"{report.path.name}:{step.line} {step.word} {name} bakes a secret into {where[step.word]}: "
                    f"set it with `fly secrets set` instead"
                )


def _declared(step: Step) -> list[str]:
    """The names an ENV or ARG declares: `NAME=value ...`, `ARG NAME`, or the old `ENV NAME value`."""
    words = _words(step.arguments)
    if step.word == "ENV" and words and "=" not in words[0]:
        return words[:1]
    return [word.partition("=")[0] for word in words]


def _words(arguments: str) -> list[str]:
    if arguments.startswith("["):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return []
        return [str(word) for word in parsed] if isinstance(parsed, list) else []
    try:
        return shlex.split(arguments)
    except ValueError:  # an unbalanced quote: docker's own parser will say so
        return arguments.split()


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
