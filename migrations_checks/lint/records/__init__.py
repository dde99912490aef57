"""The plain records every part of the linter shares: statement actions, findings, display paths."""
