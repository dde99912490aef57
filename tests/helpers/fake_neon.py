"""A fake Neon API v2 on 127.0.0.1, with the shapes of platforms.md 5.1.

Branches are kept in memory. Creating one calls `make_database(parent_id, parent_timestamp)`,
which returns the connection URI of a real database standing for the restored branch (a copy
made by the test), and `drop_database(uri)` runs when the branch is deleted. Each operation walks
through the statuses `operation_script` gives, one per GET. `throttle_next` answers the next
request with 429 and `retry-after`.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "neon-test-key"


@dataclass
class FakeNeonState:
    project_id: str
    make_database: Callable[[str, str | None], str]
    drop_database: Callable[[str], None]
    operation_script: list[str] = field(default_factory=lambda: ["running", "finished"])
    branches: dict[str, dict[str, Any]] = field(default_factory=dict)
    uris: dict[str, str] = field(default_factory=dict)
    operations: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    throttle_next: int = 0
    unauthorized: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_branch(self, name: str, *, created_at: datetime | None = None, default: bool = False) -> dict[str, Any]:
        branch_id = f"br-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        branch = {
            "id": branch_id,
            "project_id": self.project_id,
            "parent_id": None,
            "name": name,
            "current_state": "ready",
            "default": default,
            "protected": False,
            "created_at": (created_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
            "updated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        self.branches[branch_id] = branch
        return branch


def _handler(state: FakeNeonState) -> type[BaseHTTPRequestHandler]:
    prefix = f"/api/v2/projects/{state.project_id}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _error(self, status: int, code: str, message: str) -> None:
            self._send(status, {"code": code, "message": message, "request_id": secrets.token_hex(8)})

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            with state.lock:
                state.requests.append((method, url.path))
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    state.unauthorized += 1
                    return self._error(401, "", "authorization failed")
                if state.throttle_next:
                    state.throttle_next -= 1
                    return self._send(429, {"code": "", "message": "rate limited"}, {"retry-after": "0"})
                if not url.path.startswith(prefix):
                    return self._error(404, "", "project not found")
                self._dispatch(method, url.path[len(prefix) :], query)

        def _dispatch(self, method: str, path: str, query: dict[str, str]) -> None:
            if method == "GET" and path == "/branches":
                return self._send(200, {"branches": list(state.branches.values()), "annotations": {}, "pagination": {}})
            if method == "POST" and path == "/branches":
                return self._create()
            found = re.fullmatch(r"/branches/([^/]+)", path)
            if method == "DELETE" and found:
                branch = state.branches.pop(found.group(1), None)
                if branch is None:
                    return self._send(204)
                uri = state.uris.pop(branch["id"], None)
                if uri:
                    state.drop_database(uri)
                return self._send(200, {"branch": branch, "operations": []})
            found = re.fullmatch(r"/operations/([^/]+)", path)
            if method == "GET" and found:
                script = state.operations.get(found.group(1))
                if script is None:
                    return self._error(404, "", "operation not found")
                status = script.pop(0) if len(script) > 1 else script[0]
                return self._send(200, {"operation": self._operation(found.group(1), status)})
            if method == "GET" and path == "/connection_uri":
                uri = state.uris.get(query.get("branch_id", ""))
                if uri is None or not query.get("role_name"):
                    return self._error(404, "", "branch not found")
                return self._send(200, {"uri": uri})
            return self._error(404, "", f"no route {method} {path}")

        def _create(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            request = body.get("branch", {})
            parent_id = request.get("parent_id")
            if parent_id not in state.branches:
                return self._error(400, "", f"parent branch {parent_id} not found")
            branch = state.add_branch(request["name"])
            branch.update(parent_id=parent_id, parent_timestamp=request.get("parent_timestamp"), current_state="init")
            state.uris[branch["id"]] = state.make_database(parent_id, request.get("parent_timestamp"))
            endpoint = {"id": f"ep-{secrets.token_hex(4)}", "branch_id": branch["id"], "type": "read_write"}
            operations = []
            for action in ("create_branch", "start_compute"):
                operation_id = secrets.token_hex(8)
                state.operations[operation_id] = list(state.operation_script)
                operations.append(self._operation(operation_id, "running", branch["id"], action))
            self._send(
                201,
                {
                    "branch": branch,
                    "endpoints": [endpoint],
                    "operations": operations,
                    "roles": [],
                    "databases": [],
                    # Omitted on purpose: Neon leaves it out when the parent has several roles or databases.
                },
            )

        def _operation(self, operation_id: str, status: str, branch_id: str = "", action: str = "") -> dict[str, Any]:
            return {
                "id": operation_id,
                "project_id": state.project_id,
                "branch_id": branch_id,
                "action": action or "create_branch",
                "status": status,
                "error": "compute failed to start" if status in ("error", "failed") else None,
                "failures_count": 1 if status == "failed" else 0,
                "created_at": datetime.now(UTC).isoformat(),
            }

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def fake_neon(state: FakeNeonState) -> Iterator[str]:
    """Serve `state`; yields the API URL to put in `NEON_API_URL`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    finally:
        server.shutdown()
        server.server_close()
