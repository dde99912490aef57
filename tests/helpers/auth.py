"""What an auth provider would put in the `Authorization` header of the next request."""

from __future__ import annotations

import httpx

from smoke.auth import AuthProvider


def sent_authorization(provider: AuthProvider) -> str:
    request = next(provider.auth().sync_auth_flow(httpx.Request("GET", "http://127.0.0.1/")))
    return request.headers["Authorization"]
