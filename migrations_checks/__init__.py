"""Migration checks: read, lint, apply and replay Postgres migrations before they reach a deploy."""
