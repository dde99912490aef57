"""How the smoke gate marks what it creates, so that it deletes only that.

The real app's create API takes no tag field, so the run id goes where the app keeps it: the plan's
topic starts with `gates-smoke <run id> ` (the topic is stored on the plan row) and the notes
repeat it (they reach the job payload). Cleanup matches the topic prefix of its own run, and the
preflight matches the general pattern, always together with the test user's id: a plan without
the prefix, or of another user, is never touched.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

PREFIX = "gates-smoke"
RUN_ID_HEX = 12
# Postgres regular expression for any run's topic.
ANY_RUN_TOPIC = rf"^{PREFIX} [0-9a-f]{{{RUN_ID_HEX}}} "


@dataclass(frozen=True)
class RunTag:
    run_id: str

    @classmethod
    def new(cls) -> RunTag:
        return cls(secrets.token_hex(RUN_ID_HEX // 2))

    @property
    def topic(self) -> str:
        return f"{PREFIX} {self.run_id} deploy check"

    @property
    def topic_like(self) -> str:
        """A LIKE pattern for this run's topics (the run id is hex: no LIKE wildcards in it)."""
        return f"{PREFIX} {self.run_id} %"

    def plan_payload(self) -> dict[str, Any]:
        """The create body: valid for the real app, short (2 weeks fits every tier), no deadline."""
        return {
            "topic": self.topic,
            "skillLevel": "beginner",
            "weeklyHours": 5,
            "learningStyle": "mixed",
            "notes": f"Created by the deploy-gate smoke test, run {self.run_id}; safe to delete.",
            "visibility": "private",
        }
