"""GitHub Actions workflow commands, escaped as actions/toolkit does (platforms.md 6.4)."""

from __future__ import annotations

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
