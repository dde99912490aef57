"""Hooks the deploy-gates plugin calls and the gate packages above `gates/` implement, so the
plugin can consult them without importing them."""

from __future__ import annotations

import pytest

from gates.config import GatesConfig


@pytest.hookspec
def pytest_gates_config_loaded(config: GatesConfig) -> None:
    """Refuse a loaded gates.toml that a package's gates cannot use, by raising `ConfigError` with
    one sentence: a value gates.config reads but only that package can judge (a lint rule id).
    Called once per run, before any gate, with the file that every gate will then be given."""
