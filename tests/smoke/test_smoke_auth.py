"""Clerk session tokens from a local stand-in of Clerk's Backend API, and the static bearer token."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from smoke.api_client import ApiError, PlanApi
from smoke.auth import AuthError, ClerkCredentials, ClerkSessionTokens, StaticToken

SECRET = "sk_test_never_shown"


class FakeClerk:
    """Clerk's two testing endpoints: create a session for a user, mint a JWT for a session."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []  # (path, authorization, body)
        self.now = 1_000_000.0
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((self.path, self.headers.get("Authorization", ""), body))
                if fake.status != 200:
                    self._send(fake.status, {"errors": [{"message": "Unauthorized", "code": "authentication_invalid"}]})
                elif self.path == "/v1/sessions":
                    self._send(200, {"object": "session", "id": "sess_123", "user_id": body["user_id"]})
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


@pytest.fixture
def clerk() -> Iterator[FakeClerk]:
    fake = FakeClerk()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_tokens_are_minted_once_and_renewed_before_they_expire(clerk: FakeClerk) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(ClerkCredentials(SECRET, "user_1", clerk.url), client, clock=lambda: clerk.now)
        first = tokens.authorization()
        clerk.now += 30  # 30 s left on a 60 s token: still fine
        assert tokens.authorization() == first
        clerk.now += 15  # 15 s left, under the 20 s margin: a fresh token
        second = tokens.authorization()
    # The secret key and both minted tokens are secrets now.
    assert first.startswith("Bearer eyJ") and second != first and len(tokens.secrets()) == 3
    assert [path for path, _, _ in clerk.requests] == ["/v1/sessions", "/v1/sessions/sess_123/tokens",
                                                       "/v1/sessions/sess_123/tokens"]
    assert clerk.requests[0][2] == {"user_id": "user_1"}
    assert all(authorization == f"Bearer {SECRET}" for _, authorization, _ in clerk.requests)


def test_a_refusal_is_one_sentence_without_the_secret(clerk: FakeClerk) -> None:
    clerk.status = 401
    with httpx.Client() as client, pytest.raises(AuthError) as caught:
        ClerkSessionTokens(ClerkCredentials(SECRET, "user_1", clerk.url), client).authorization()
    message = str(caught.value)
    assert message.startswith("Clerk refused to create a session for user user_1: HTTP 401 (check CLERK_SECRET_KEY)")
    assert SECRET not in message and SECRET not in repr(ClerkCredentials(SECRET, "user_1"))


def test_an_unreachable_clerk_is_named() -> None:
    with httpx.Client() as client, pytest.raises(AuthError, match="Clerk could not be reached to create a session"):
        ClerkSessionTokens(ClerkCredentials(SECRET, "user_1", "http://127.0.0.1:9"), client).authorization()


def test_the_static_token_is_sent_as_is_and_never_shown() -> None:
    token = StaticToken("static-key")
    assert token.authorization() == "Bearer static-key" and "static-key" not in repr(token)


@pytest.fixture
def echoing_app() -> Iterator[str]:
    """An app that answers every request with a 500 whose body repeats the request's Authorization."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.dumps({"error": "boom", "received": self.headers.get("Authorization", "")}).encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_minted_token_an_app_echoes_back_is_never_shown(clerk: FakeClerk, echoing_app: str) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(ClerkCredentials(SECRET, "user_1", clerk.url), client, clock=lambda: clerk.now)
        with pytest.raises(ApiError) as caught:
            PlanApi(echoing_app, tokens, client).create_plan({"topic": "x"})
    jwt = tokens.authorization().removeprefix("Bearer ")
    message = str(caught.value)
    assert message.startswith("POST /api/v1/plans answered HTTP 500: ") and '"received": "Bearer ***"' in message
    assert jwt not in message and SECRET not in message
    assert tokens.secrets() == [SECRET, jwt]


def test_the_static_token_an_app_echoes_back_is_never_shown(echoing_app: str) -> None:
    with httpx.Client() as client, pytest.raises(ApiError) as caught:
        PlanApi(echoing_app, StaticToken("static-key"), client).create_plan({})
    assert "static-key" not in str(caught.value) and "Bearer ***" in str(caught.value)
