"""Gate library shared by every gate: configuration, environments, databases, reporting."""
