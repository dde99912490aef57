"""The stand-in's HTTP API: the plan routes and the worker-health route of the real app."""
