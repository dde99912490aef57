"""The migration linter: reads migration files and reports deploy hazards; needs no database."""
