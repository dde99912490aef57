"""A fake Vercel REST API on 127.0.0.1 for the real `vercel` CLI (pointed at it with `--api`).

Shapes follow platforms.md 4.2: `GET /v9/projects/{id}` with `targets.production` and
`lastAliasRequest`, `GET /v6/deployments` rows with `uid`, `GET /v13/deployments/{id}` with `id`,
the rollback (`/v9`) and promote (`/v10`) calls. `/app/health` stands for the production alias:
it answers 200 while the serving deployment is not in `unhealthy`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

TOKEN = "vercelTestToken123"  # the CLI refuses a token with other characters
ORG_ID = "team_drill"
PROJECT_ID = "prj_drill"


@dataclass
class FakeVercelState:
    deployments: list[str] = field(default_factory=lambda: ["dpl_new", "dpl_old", "dpl_older"])  # newest first
    serving: str = "dpl_new"
    rollback_job: str = "succeeded"  # what the rollback's alias job ends as
    promote_job: str = "succeeded"
    unhealthy: set[str] = field(default_factory=set)
    on_rollback: Callable[[], None] | None = None
    last_alias_request: dict[str, Any] | None = None
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _row(self, uid: str, index: int) -> dict[str, Any]:
        created = 1_760_000_000_000 - index * 3_600_000
        return {
            "uid": uid,
            "name": "app",
            "projectId": PROJECT_ID,
            "url": f"app-{uid}.vercel.app",
            "created": created,
            "createdAt": created,
            "ready": created,
            "state": "READY",
            "readyState": "READY",
            "target": "production",
            "isRollbackCandidate": True,
            "creator": {"uid": "u_1", "username": "ci"},
            "meta": {},
        }

    def _alias_job(self, kind: str, source: str, target: str, status: str) -> None:
        self.last_alias_request = {
            "fromDeploymentId": source,
            "toDeploymentId": target,
            "jobStatus": status,
            "requestedAt": int(time.time() * 1000),
            "type": kind,
        }
        if status in ("succeeded", "skipped"):
            self.serving = target


def _handler(state: FakeVercelState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _route(self) -> None:
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length", "0"))
            if length:
                self.rfile.read(length)
            with state.lock:
                state.requests.append((self.command, self.path))
                if path == "/app/health":
                    healthy = state.serving not in state.unhealthy
                    return self._send(200 if healthy else 503, {"deployment": state.serving})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(403, {"error": {"code": "forbidden", "message": "Not authorized"}})
                self._dispatch(self.command, path)

        def _dispatch(self, method: str, path: str) -> None:
            if path == "/v2/user":
                return self._send(200, {"user": {"id": "u_1", "uid": "u_1", "username": "ci", "email": "ci@x"}})
            if path.startswith("/v2/teams/"):
                return self._send(200, {"id": ORG_ID, "slug": "drill", "name": "Drill"})
            if method == "GET" and path == f"/v9/projects/{PROJECT_ID}":
                return self._send(200, self._project())
            if method == "GET" and path == "/v6/deployments":
                rows = [state._row(uid, index) for index, uid in enumerate(state.deployments)]
                return self._send(
                    200, {"pagination": {"count": len(rows), "next": None, "prev": None}, "deployments": rows}
                )
            found = re.fullmatch(r"/v13/deployments/([^/]+)", path)
            if method == "GET" and found and found.group(1) in state.deployments:
                row = state._row(found.group(1), state.deployments.index(found.group(1)))
                return self._send(200, {**row, "id": row["uid"], "ownerId": ORG_ID, "alias": [], "version": 2})
            found = re.fullmatch(r"/v(9|10)/projects/[^/]+/(rollback|promote)/([^/]+)", path)
            if method == "POST" and found:
                kind, target = found.group(2), found.group(3)
                status = state.rollback_job if kind == "rollback" else state.promote_job
                state._alias_job(kind, state.serving, target, status)
                if kind == "rollback" and state.on_rollback:
                    state.on_rollback()
                return self._send(201, {})
            return self._send(404, {"error": {"code": "not_found", "message": f"no route {method} {path}"}})

        def _project(self) -> dict[str, Any]:
            serving = state._row(state.serving, state.deployments.index(state.serving))
            project: dict[str, Any] = {
                "id": PROJECT_ID,
                "name": "app",
                "accountId": ORG_ID,
                "targets": {"production": {**serving, "id": serving["uid"], "alias": ["app.example.com"]}},
                "latestDeployments": [],
            }
            if state.last_alias_request:
                project["lastAliasRequest"] = state.last_alias_request
            return project

        do_GET = do_POST = do_PATCH = _route

    return Handler


@contextmanager
def fake_vercel(state: FakeVercelState) -> Iterator[str]:
    """Serve `state`; yields its base URL (the CLI's `--api`; `/app` is the app's URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
