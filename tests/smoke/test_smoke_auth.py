"""Clerk session tokens from a local stand-in of Clerk's Backend API, and the static bearer token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gates.secret import Secret
from smoke.api_client import ApiError, PlanApi
from smoke.auth import AuthError, ClerkCredentials, ClerkSessionTokens, StaticToken
from tests.helpers.auth import sent_authorization
from tests.helpers.echo_app import echoing_app as echoing
from tests.helpers.fake_clerk import SECRET, FakeClerk


def _tokens(clerk: FakeClerk, client: httpx.Client) -> ClerkSessionTokens:
    return ClerkSessionTokens(ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client, clock=lambda: clerk.now)


def test_tokens_are_minted_once_and_renewed_before_they_expire(clerk: FakeClerk) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(
            ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client, clock=lambda: clerk.now
        )
        first = sent_authorization(tokens)
        clerk.now += 30  # 30 s left on a 60 s token: still fine
        assert sent_authorization(tokens) == first
        clerk.now += 15  # 15 s left, under the 20 s margin: a fresh token
        second = sent_authorization(tokens)
    # The secret key and both minted tokens are secrets now.
    assert first.startswith("Bearer eyJ") and second != first and len(tokens.secrets()) == 3
    assert clerk.paths() == ["/v1/sessions", "/v1/sessions/sess_123/tokens", "/v1/sessions/sess_123/tokens"]
    assert clerk.requests[0][2] == {"user_id": "user_1"}
    assert all(authorization == f"Bearer {SECRET}" for _, authorization, _ in clerk.requests)


def test_closing_revokes_the_session_once(clerk: FakeClerk) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(
            ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client, clock=lambda: clerk.now
        )
        sent_authorization(tokens)
        assert tokens.close() is None
        assert tokens.close() is None  # nothing left to revoke
    assert clerk.paths() == ["/v1/sessions", "/v1/sessions/sess_123/tokens", "/v1/sessions/sess_123/revoke"]
    assert clerk.requests[-1][1] == f"Bearer {SECRET}"


def test_closing_before_any_token_calls_nobody(clerk: FakeClerk) -> None:
    with httpx.Client() as client:
        assert ClerkSessionTokens(ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client).close() is None
    assert clerk.requests == []


def test_a_refused_revocation_is_a_problem_without_the_secret(clerk: FakeClerk) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(
            ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client, clock=lambda: clerk.now
        )
        jwt = sent_authorization(tokens).removeprefix("Bearer ")
        clerk.status = 404
        problem = tokens.close()
    assert problem is not None
    assert problem.startswith("Clerk refused to revoke session sess_123 for user user_1: HTTP 404")
    assert problem.endswith("the session stays signed in until Clerk expires it")
    assert SECRET not in problem and jwt not in problem


def test_a_refusal_is_one_sentence_without_the_secret(clerk: FakeClerk) -> None:
    clerk.status = 401
    with httpx.Client() as client, pytest.raises(AuthError) as caught:
        ClerkSessionTokens(ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client).auth()
    message = str(caught.value)
    assert message.startswith("Clerk refused to create a session for user user_1: HTTP 401 (check CLERK_SECRET_KEY)")
    assert SECRET not in message and SECRET not in repr(ClerkCredentials(Secret(SECRET), "user_1"))


def test_an_unreachable_clerk_is_named() -> None:
    with httpx.Client() as client, pytest.raises(AuthError, match="Clerk could not be reached to create a session"):
        ClerkSessionTokens(ClerkCredentials(Secret(SECRET), "user_1", "http://127.0.0.1:9"), client).auth()


def test_the_static_token_is_sent_as_is_and_never_shown() -> None:
    token = StaticToken(Secret("static-key"))
    assert sent_authorization(token) == "Bearer static-key" and "static-key" not in repr(token)


@pytest.fixture
def echoing_app() -> Iterator[str]:
    """An app that answers every request with a 500 whose body repeats the request's Authorization."""
    with echoing(500) as url:
        yield url


def test_a_minted_token_an_app_echoes_back_is_never_shown(clerk: FakeClerk, echoing_app: str) -> None:
    with httpx.Client() as client:
        tokens = ClerkSessionTokens(
            ClerkCredentials(Secret(SECRET), "user_1", clerk.url), client, clock=lambda: clerk.now
        )
        with pytest.raises(ApiError) as caught:
            PlanApi(echoing_app, tokens, client).create_plan({"topic": "x"})
    jwt = sent_authorization(tokens).removeprefix("Bearer ")
    message = str(caught.value)
    assert message.startswith("POST /api/v1/plans answered HTTP 500: ") and '"received": "Bearer ***"' in message
    assert jwt not in message and SECRET not in message
    assert [secret.reveal() for secret in tokens.secrets()] == [SECRET, jwt]


def test_the_static_token_an_app_echoes_back_is_never_shown(echoing_app: str) -> None:
    with httpx.Client() as client, pytest.raises(ApiError) as caught:
        PlanApi(echoing_app, StaticToken(Secret("static-key")), client).create_plan({})
    assert "static-key" not in str(caught.value) and "Bearer ***" in str(caught.value)
