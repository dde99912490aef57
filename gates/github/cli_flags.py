"""The `flyctl` and `vercel` command lines of the workflows use only flags those CLIs have.

Vercel flags come from the installed CLI's own `<command> --help`; flyctl flags from platforms.md
section 1 (flyctl is not installable from the registries this suite may use).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Callable
from functools import cache

# Section 1.2 names the `--vm-*` family without listing it, so those flags are refused until listed.
FLY_GLOBAL = frozenset({"--access-token", "-t", "--verbose", "--debug", "--help", "-h"})
FLY_COMMANDS: dict[tuple[str, ...], frozenset[str]] = {
    ("deploy",): frozenset(
        [
            "-a",
            "--app",
            "-c",
            "--config",
            "-i",
            "--image",
            "--image-label",
            "--strategy",
            "--wait-timeout",
            "--release-command-timeout",
            "--lease-timeout",
            "--detach",
            "--remote-only",
            "--local-only",
            "--ha",
            "--update-only",
            "--max-unavailable",
            "--smoke-checks",
            "--dns-checks",
            "--regions",
            "--only-regions",
            "--exclude-regions",
            "--only-machines",
            "--exclude-machines",
            "--process-groups",
            "--primary-region",
            "-e",
            "--env",
            "--build-arg",
            "--dockerfile",
            "--no-cache",
            "--skip-release-command",
            "--deploy-retries",
            "--max-concurrent",
            "-y",
            "--yes",
        ]
    ),
    ("releases",): frozenset({"-a", "--app", "--image", "--json", "-j"}),
    ("status",): frozenset({"-a", "--app", "--json", "-j", "--watch"}),
    ("machines", "list"): frozenset({"-a", "--app", "--json", "-j"}),
    ("checks", "list"): frozenset({"-a", "--app", "--check-name", "--json", "-j"}),
    ("secrets", "list"): frozenset({"-a", "--app", "--json", "-j"}),
    ("config", "validate"): frozenset({"-c", "--config", "-s", "--strict", "-a", "--app"}),
}
TAKES_NO_ARGUMENTS = frozenset({("releases",)})  # `fly releases list` exits 1 (cobra.NoArgs)
_HELP_FLAG = re.compile(r"^\s+(?:(-\w),\s+)?(--[\w-]+)", re.MULTILINE)


def flags_of(words: list[str]) -> list[str]:
    return [word.split("=", 1)[0] for word in words if word.startswith("-") and word != "-"]


def check_fly(line: str) -> str | None:
    """None when the flyctl line uses known flags; else the sentence saying which are not."""
    words = shlex.split(line)[1:]
    command = next(
        (key for key in sorted(FLY_COMMANDS, key=len, reverse=True) if tuple(words[: len(key)]) == key), None
    )
    if command is None:
        return f"`{line}`: flyctl {' '.join(words[:2])} is not a command platforms.md section 1 documents"
    rest = words[len(command) :]
    if command in TAKES_NO_ARGUMENTS and rest and not rest[0].startswith("-"):
        return f"`{line}`: flyctl {' '.join(command)} takes no arguments (platforms.md 1.3)"
    unknown = [flag for flag in flags_of(rest) if flag not in FLY_COMMANDS[command] | FLY_GLOBAL]
    return f"`{line}`: flyctl {' '.join(command)} has no {', '.join(unknown)}" if unknown else None


@cache
def vercel_flags(vercel: str, command: str) -> frozenset[str]:
    """The flags `vercel <command> --help` lists (its own and the global ones)."""
    shown = subprocess.run([vercel, command, "--help"], capture_output=True, text=True, timeout=120, check=False)
    text = shown.stdout + shown.stderr
    found = {flag for pair in _HELP_FLAG.findall(text) for flag in pair if flag}
    if not found:
        raise RuntimeError(f"`vercel {command} --help` listed no flags (exit {shown.returncode}): {text.strip()[:200]}")
    return frozenset(found)


def check_vercel(line: str, flags: Callable[[str], frozenset[str]]) -> str | None:
    words = shlex.split(line)[1:]
    command = next((word for word in words if not word.startswith("-")), "deploy")
    unknown = [flag for flag in flags_of(words) if flag not in flags(command)]
    return f"`{line}`: vercel {command} has no {', '.join(unknown)}" if unknown else None
