"""Fly.io workers: their configs, the flyctl wrapper, the platform interface and the Fly gates."""
