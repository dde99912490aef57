"""The three calls the smoke gate makes to the app: create a plan, read its status, read its detail.

Every failure becomes an `ApiError` that says which call, the HTTP status and an excerpt of the
body (both of the app's error shapes are plain JSON, so the excerpt shows either). A 404 that
Clerk's middleware marks as signed-out is named as an authentication failure, since the real app
answers a rejected token with 404, not 401.
"""

from __future__ import annotations

from typing import Any

import httpx

from gates.excerpt import redacted_excerpt
from gates.secret import SecretBoundary
from smoke.auth import AuthProvider


class ApiError(Exception):
    """A call to the app failed; `status` is None when no HTTP answer came back."""

    def __init__(self, call: str, status: int | None, detail: str) -> None:
        self.call = call
        self.status = status
        self.detail = detail
        super().__init__(f"{call} answered HTTP {status}: {detail}" if status else f"{call} failed: {detail}")

    @property
    def transient(self) -> bool:
        """Worth another try: no answer, or a 5xx (a cold start, a proxy hiccup)."""
        return self.status is None or self.status >= 500


class PlanApi:
    def __init__(self, base_url: str, auth: AuthProvider, client: httpx.Client) -> None:
        self._base = base_url.rstrip("/")
        self._auth = auth
        self._client = client

    def create_plan(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/plans", 201, payload)

    def plan_status(self, plan_id: str, timeout_s: float | None = None) -> dict[str, Any]:
        """The status answer; `timeout_s` bounds each phase of the call, connecting and each read
        (default: the client's timeouts), so a silent app cannot hold a poll for long."""
        return self._call("GET", f"/api/v1/plans/{plan_id}/status", 200, timeout_s=timeout_s)

    def regenerate_plan(self, plan_id: str) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/plans/{plan_id}/regenerate", 202, {})

    def plan_detail(self, plan_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/plans/{plan_id}", 200)

    def _call(
        self, method: str, path: str, expected: int, body: dict[str, Any] | None = None, timeout_s: float | None = None
    ) -> dict[str, Any]:
        call = f"{method} {path}"
        timeout = httpx.USE_CLIENT_DEFAULT if timeout_s is None else httpx.Timeout(timeout_s)
        auth = self._auth.auth()  # outside the boundary: minting a token has its own errors
        try:
            with SecretBoundary():
                response = self._client.request(method, self._base + path, json=body, auth=auth, timeout=timeout)
        except httpx.HTTPError as error:
            raise ApiError(call, None, f"{type(error).__name__}: {self._excerpt(str(error))}") from None
        if response.status_code != expected:
            detail = self._excerpt(response.text) or "(empty body)"
            if response.headers.get("x-clerk-auth-status") == "signed-out":
                detail += " (Clerk answered signed-out: the token was missing, expired or rejected)"
            raise ApiError(call, response.status_code, detail)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ApiError(call, response.status_code, f"not a JSON object: {self._excerpt(response.text)}")
        return data

    def _excerpt(self, text: str) -> str:
        """`text` for a message, without any credential, even one a server reflects back."""
        return redacted_excerpt(text, self._auth.secrets())
