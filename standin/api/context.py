"""What a route handler gets: the request, the caller's Clerk id, and the per-request connection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

Response = tuple[int, Any]


@dataclass(frozen=True)
class Request:
    connection: psycopg.Connection  # the service role: owns the tables, bypasses RLS
    clerk_user_id: str
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    regeneration_quota: int | None = None  # STANDIN_REGENERATION_QUOTA; None: the tier's, as the contract says

    @contextmanager
    def as_user(self) -> Iterator[psycopg.Connection]:
        """A transaction run as the app's route reads run: role `authenticated`, RLS on.

        Like `withAuth` in the real app: `SET ROLE authenticated` and `request.jwt.claims` with the
        caller's Clerk id, so the migrations' policies and grants decide what the caller sees.
        """
        with self.connection.transaction():
            self.connection.execute("SET LOCAL ROLE authenticated")
            self.connection.execute(
                "SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": self.clerk_user_id}),)
            )
            yield self.connection


def iso(moment: datetime) -> str:
    """A timestamp as JavaScript's `toISOString()` writes it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
