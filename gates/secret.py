"""Secrets carried in a type that never shows its value.

A token or key read from the environment travels through the suite as a `Secret`: its `repr` and
`str` are masked, so a traceback with `--showlocals`, a log line or a report cannot show it. The
value comes out only through `reveal()`, at the call into the library that needs it (an HTTP
client through `BearerAuth`, a subprocess environment).
"""

from __future__ import annotations

from collections.abc import Generator
from types import TracebackType

import httpx

MASK = "***"


class Secret:
    """A secret value; shown as `***` everywhere except through `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the driver or library call that needs it and nothing else."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


class SecretBoundary:
    """Wraps a call into a library that holds a revealed secret (a driver, an HTTP client).

    An exception leaving the call, a pytest-timeout firing inside it included, loses the
    library's frames and its chained exceptions: their locals (`conninfo`, `params`, header lists)
    hold the secret in clear, and `--tb=long --showlocals` or a JSON report would print them. Our
    frames above carry only masked types, so the traceback still shows where the call was made.
    """

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if error is not None:
            error.with_traceback(None)
            error.__cause__ = None
            error.__suppress_context__ = True


class BearerAuth(httpx.Auth):
    """Sends `Authorization: Bearer <secret>` without the header passing through our frames as a dict."""

    def __init__(self, token: Secret, scheme: str = "Bearer") -> None:
        self._token = token
        self._scheme = scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"{self._scheme} {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self._token!r})"
