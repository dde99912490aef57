"""Migrations against a real Postgres: the Drizzle-compatible migrator, status, replay, rollback, staged."""
