"""The migration gates' check of a loaded gates.toml; `gates.config.load_config` runs it (named in
its PACKAGE_CHECKS), so every gate and command that reads the file refuses it alike."""

from __future__ import annotations

from gates.config import GatesConfig


def check_config(config: GatesConfig) -> None:
    """A `[migrations.severity]` id that is no rule's (a misspelling) or that lowers a rule keeping
    the gate closed is refused, as an unknown key is: the lint and replay gates would otherwise run
    with a severity the team did not ask for."""
    if not config.migrations.severity:
        return
    # Imported only when there are overrides to check: the rule registry brings sqlglot (about 0.2 s),
    # which the smoke, the Fly gates and the stand-in would otherwise pay for whenever they read the file.
    from migrations_checks.lint.context import check_severity_overrides
    from migrations_checks.lint.rules import all_rules

    check_severity_overrides(config.migrations.severity, config.source or "the built-in defaults", all_rules())
