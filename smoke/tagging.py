"""How the smoke gate marks what it creates, so that it deletes only that.

The real app's create API takes no tag field, so the run id goes where the app keeps it: the plan's
topic starts with `gates-smoke <run id> ` (the topic is stored on the plan row) and the notes
repeat it (they reach the job payload). Cleanup matches the topic prefix of its own run, and the
preflight matches the general pattern, always together with the test user's id: a plan without
the prefix, or of another user, is never touched.

A run also says when it will certainly be over, in its own topic (`until <epoch seconds>`, read
from the database's clock: the run's budget plus its cleanup), and while it lives it keeps a
database session named after its run id (`application_name`). A leftover whose run is past its
deadline, or has no session any more, belongs to a dead run.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

PREFIX = "gates-smoke"
RUN_ID_HEX = 12
# Postgres regular expressions: any run's topic (and session name), its run id, its deadline.
ANY_RUN_TOPIC = rf"^{PREFIX} [0-9a-f]{{{RUN_ID_HEX}}} "
RUN_ID_OF_TOPIC = rf"^{PREFIX} ([0-9a-f]{{{RUN_ID_HEX}}}) "
DEADLINE_OF_TOPIC = rf"^{PREFIX} [0-9a-f]{{{RUN_ID_HEX}}} until ([0-9]{{1,12}}) "


@dataclass(frozen=True)
class RunTag:
    run_id: str
    deadline: int | None = None  # epoch seconds on the database's clock when the run is certainly over

    @classmethod
    def new(cls) -> RunTag:
        return cls(secrets.token_hex(RUN_ID_HEX // 2))

    def until(self, deadline: int) -> RunTag:
        return replace(self, deadline=deadline)

    @property
    def topic(self) -> str:
        until = f" until {self.deadline}" if self.deadline is not None else ""
        return f"{PREFIX} {self.run_id}{until} deploy check"

    @property
    def session_name(self) -> str:
        """The `application_name` of the run's database sessions: its heartbeat."""
        return f"{PREFIX} {self.run_id} run"

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
