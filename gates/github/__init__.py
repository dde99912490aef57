"""GitHub: the REST client, the staging-green decision, commit statuses and run reports."""
