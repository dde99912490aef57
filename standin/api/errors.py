"""The real app's two error body shapes (contract §1.2); clients must accept both.

`AppError` is a thrown application error: `{error, code, classification?, details?, retryAfter?}`.
`FlatError` is the `jsonError` helper called with a message only: `{error}`.
"""

from __future__ import annotations

from typing import Any

INTERNAL_ERROR_BODY = {"error": "Internal Server Error", "code": "INTERNAL_ERROR"}


class AppError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        classification: str | None = None,
        details: Any = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        body: dict[str, Any] = {"error": message, "code": code}
        if classification is not None:
            body["classification"] = classification
        if details is not None:
            body["details"] = details
        if retry_after is not None:
            body["retryAfter"] = retry_after
        self.body = body


class FlatError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message}


def validation_error(field_errors: dict[str, list[str]]) -> AppError:
    """The 400 a zod schema failure becomes, with zod's flattened details."""
    return AppError(
        400,
        "Invalid request body.",
        "VALIDATION_ERROR",
        details={"formErrors": [] if field_errors else ["Expected an object."], "fieldErrors": field_errors},
    )
