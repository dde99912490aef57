"""GitHub Actions workflow commands, escaped as actions/toolkit does (platforms.md 6.4)."""

from __future__ import annotations

import os
from collections.abc import Mapping


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, properties: Mapping[str, object] | None = None) -> str:
    """`::error file=…,line=…::message` (level: error, warning or notice)."""
    fields = ",".join(f"{key}={escape_property(str(value))}" for key, value in (properties or {}).items())
    return f"::{level}{' ' + fields if fields else ''}::{escape_data(message)}"


def add_mask_lines(value: str) -> list[str]:
    """The `::add-mask::` commands for `value`: one per line, since the runner masks line by line."""
    return [f"::add-mask::{line}" for line in value.splitlines() if line.strip()]


def append_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append `markdown` to the job summary file GITHUB_STEP_SUMMARY names; False when it is unset."""
    path = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY", "").strip()
    if not path:
        return False
    with open(path, "a", encoding="utf-8") as file:
        file.write(markdown)
    return True
