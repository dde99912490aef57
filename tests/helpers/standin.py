"""What the `standin` fixture starts the stand-in with."""

from __future__ import annotations

STANDIN_API_KEY = "standin-test-key"
# Short mock delay and poll interval so every stand-in test finishes in about a second.
STANDIN_FAST = {"MOCK_GENERATION_DELAY_MS": "200", "WORKER_POLL_INTERVAL_MS": "50", "STANDIN_SHUTDOWN_GRACE_S": "1"}
