"""A local stand-in for the Atlaris app: its plan API, its two queue workers and a mock AI provider.

It follows `shared/reference/atlaris-contract.md` (the app at f1bb2835) so the smoke gate can be
run, and shown to catch broken deployments, with no account anywhere. The schema is the example
Drizzle history applied with our own migrator; faults are switched on through `STANDIN_FAULTS`.
"""
