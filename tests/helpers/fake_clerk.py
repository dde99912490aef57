"""A local stand-in of Clerk's Backend API, shaped like its answers, for the smoke gate's tests."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "sk_test_never_shown"


class FakeClerk:
    """Clerk's Backend API endpoints for testing sessions: create a session for a user, mint a JWT
    for it, revoke it. Mints `jwt` when given (the token an app stand-in accepts), else a JWT whose
    `exp` is 60 s after `now`."""

    def __init__(self, jwt: str | None = None, revoke_status: int = 200) -> None:
        self.requests: list[tuple[str, str, Any]] = []  # (path, authorization, body)
        self.now = 1_000_000.0
        self.status = 200  # of every answer
        self.revoke_status = revoke_status  # of revocations alone
        self.jwt = jwt
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((self.path, self.headers.get("Authorization", ""), body))
                revoking = self.path.endswith("/revoke")
                if fake.status != 200 or (revoking and fake.revoke_status != 200):
                    status = fake.status if fake.status != 200 else fake.revoke_status
                    self._send(status, {"errors": [{"message": "Unauthorized", "code": "authentication_invalid"}]})
                elif self.path == "/v1/sessions":
                    user_id = body.get("user_id") if isinstance(body, dict) else None
                    if user_id:
                        self._send(200, {"object": "session", "id": "sess_123", "user_id": user_id, "status": "active"})
                    else:  # Clerk validates the form before acting: no user, no session
                        self._send(422, {"errors": [{"message": "user_id is required", "code": "form_param_missing"}]})
                elif revoking:
                    self._send(200, {"object": "session", "id": self.path.split("/")[3], "status": "revoked"})
                elif fake.jwt is not None:
                    self._send(200, {"object": "token", "jwt": fake.jwt})
                else:
                    claims = json.dumps({"sub": "user_1", "exp": int(fake.now) + 60}).encode()
                    payload = base64.urlsafe_b64encode(claims).decode().rstrip("=")
                    jwt = f"eyJhbGciOiJSUzI1NiJ9.{payload}.sig{len(fake.requests)}"
                    self._send(200, {"object": "token", "jwt": jwt})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    @contextmanager
    def serving(self) -> Iterator[FakeClerk]:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
