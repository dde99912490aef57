"""`Secret` never shows its value, and `BearerAuth` sends it only in the request header."""

from __future__ import annotations

import httpx

from gates.secret import BearerAuth, Secret


def test_a_secret_is_masked_in_repr_str_and_format() -> None:
    secret = Secret("S3cret-value")
    shown = [repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret}), repr(BearerAuth(secret))]
    assert all("S3cret" not in text for text in shown)
    assert secret.reveal() == "S3cret-value"


def test_bearer_auth_sets_the_header_at_send_time() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=BearerAuth(Secret("tok"))) as client:
        client.get("http://127.0.0.1/x")
    assert seen == ["Bearer tok"]


def test_secrets_compare_by_value_and_empty_is_false() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert not Secret("")
