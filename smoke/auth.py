"""How the smoke gate proves who it is to the app: a static bearer token, or fresh Clerk tokens.

The real app accepts no API key: Clerk guards every route, and a test session token lives about
60 s (contract §1.1). `ClerkSessionTokens` creates one session for the test user through Clerk's
Backend API (`POST /v1/sessions`) and mints a token from it (`POST /v1/sessions/{id}/tokens`)
whenever the current one is near expiry, so a 90 s smoke never sends an expired token; at the end
of the run it revokes the session (`POST /v1/sessions/{id}/revoke`), so no smoke run leaves a
signed-in session behind. The static token is for the stand-in. Keys and tokens are `Secret`s and
reach the request only through `BearerAuth`; neither provider ever puts one in an error message or
a repr, and each lists its secrets (the Clerk key and every token minted so far) for the excerpts
of server answers.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from gates.excerpt import redacted_excerpt
from gates.secret import MASK, BearerAuth, Secret, SecretBoundary

CLERK_API_URL = "https://api.clerk.com"
TOKEN_LIFETIME_S = 60.0  # used when a token's `exp` cannot be read
REFRESH_MARGIN_S = 20.0


class AuthError(Exception):
    """No token could be obtained; one sentence, without any secret."""


class AuthProvider(Protocol):
    def auth(self) -> httpx.Auth:
        """What signs the next request (a bearer token valid now)."""
        ...

    def secrets(self) -> list[Secret]:
        """Every value this provider holds or has sent that must never reach output.

        Asked for each time output is written, since a provider that mints tokens has new ones
        then; a server that echoes the request in an error body must not show any of them.
        """
        ...

    def close(self) -> str | None:
        """End what the provider started (a signed-in session); the problem, if that failed."""
        ...


@dataclass(frozen=True)
class StaticToken:
    token: Secret

    def auth(self) -> httpx.Auth:
        return BearerAuth(self.token)

    def secrets(self) -> list[Secret]:
        return [self.token]

    def close(self) -> None:
        return None  # a static token opens nothing


@dataclass(frozen=True)
class ClerkCredentials:
    """What minting Clerk session tokens needs; the secret key never shows in a repr."""

    secret_key: Secret
    user_id: str
    api_url: str = CLERK_API_URL


class ClerkSessionTokens:
    """Session tokens for one Clerk user, minted on demand and renewed before they expire."""

    def __init__(
        self,
        credentials: ClerkCredentials,
        client: httpx.Client,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self._credentials = credentials
        self._client = client
        self._clock = clock
        self._margin = refresh_margin_s
        self._session_id: str | None = None
        self._token: Secret | None = None
        self._minted_tokens: list[Secret] = []  # an expired token is still a credential in a log
        self._expires_at = 0.0

    def auth(self) -> httpx.Auth:
        if self._token is None or self._expires_at - self._clock() < self._margin:
            self._token = self._mint()
        return BearerAuth(self._token)

    def secrets(self) -> list[Secret]:
        return [self._credentials.secret_key, *self._minted_tokens]

    def close(self) -> str | None:
        if self._session_id is None:
            return None
        session_id, self._session_id, self._token = self._session_id, None, None
        try:
            self._post(f"/v1/sessions/{session_id}/revoke", None, f"revoke session {session_id}")
        except AuthError as error:
            return f"{error}; the session stays signed in until Clerk expires it"
        return None

    def _mint(self) -> Secret:
        if self._session_id is None:
            session = self._post("/v1/sessions", {"user_id": self._credentials.user_id}, "create a session")
            self._session_id = session.text("id")
        answer = self._post(f"/v1/sessions/{self._session_id}/tokens", None, "mint a session token")
        token = Secret(answer.text("jwt"))
        self._minted_tokens.append(token)
        self._expires_at = _expiry(token) or self._clock() + TOKEN_LIFETIME_S
        return token

    def _post(self, path: str, body: dict[str, str] | None, action: str) -> ClerkAnswer:
        url = self._credentials.api_url.rstrip("/") + path
        try:
            with SecretBoundary():
                response = self._client.post(url, json=body, auth=BearerAuth(self._credentials.secret_key))
        except httpx.HTTPError as error:
            reason = redacted_excerpt(str(error), self.secrets())
            raise AuthError(f"Clerk could not be reached to {action} at {url}: {reason}") from None
        if response.status_code >= 400:
            hint = " (check CLERK_SECRET_KEY)" if response.status_code in (401, 403) else ""
            raise AuthError(
                f"Clerk refused to {action} for user {self._credentials.user_id}: HTTP "
                f"{response.status_code}{hint}: {redacted_excerpt(response.text, self.secrets())}"
            )
        return ClerkAnswer(response, action)


class ClerkAnswer:
    """Clerk's JSON object answering one request. It may hold a session token, so it is never a
    dict of ours that a traceback with `--showlocals` would print: its repr is masked, and a field
    leaves it only as the value its caller asked for (the token straight into a `Secret`)."""

    __slots__ = ("_action", "_data")

    def __init__(self, response: httpx.Response, action: str) -> None:
        self._action = action
        try:
            self._data: object = response.json()
        except ValueError:
            self._data = None
        if not isinstance(self._data, dict):
            raise AuthError(f"Clerk answered the request to {action} with something that is not a JSON object")

    def text(self, key: str) -> str:
        """The non-empty string `key`; AuthError naming the request when there is none."""
        if not isinstance(self._data, dict) or not isinstance(self._data.get(key), str) or not self._data[key]:
            raise AuthError(f"Clerk's answer to the request to {self._action} has no `{key}`")
        return str(self._data[key])

    def __repr__(self) -> str:
        return f"ClerkAnswer({MASK!r})"


def _expiry(jwt: Secret) -> float | None:
    """The token's `exp` claim (read, not verified: the app verifies it), or None."""
    try:
        payload = jwt.reveal().split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None
