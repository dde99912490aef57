"""The migration gates' part of the deploy-gates plugin (loaded through gates.plugin's `pytest_plugins`)."""

from __future__ import annotations

from gates.config import GatesConfig


def pytest_gates_config_loaded(config: GatesConfig) -> None:
    """A `[migrations.severity]` id that is no rule's (a misspelling) or that lowers a rule keeping
    the gate closed stops the run before any gate, as an unknown key does: the lint and replay gates
    would otherwise run with a severity the team did not ask for."""
    if not config.migrations.severity:
        return
    # Imported only when there are overrides to check: the rule registry brings sqlglot (about 0.2 s),
    # which a run of the smoke or Fly gates would otherwise pay for at start-up.
    from migrations_checks.lint.context import check_severity_overrides
    from migrations_checks.lint.rules import all_rules

    check_severity_overrides(config.migrations.severity, config.source or "the built-in defaults", all_rules())
